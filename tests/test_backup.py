"""Backup while the kiosk writes, restore into an empty or (with --force) an existing data folder."""

import json
import threading
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import delete, func, select, text

from kiosk.content import published, settings_store
from kiosk.content.dates import PartialDate
from kiosk.editing.writer import fixture_writes
from kiosk.extensions import db
from kiosk.interchange import backup, exporters
from kiosk.models import AuditEntry, Era, Event

from .conftest import make_app
from .fixture_timeline import FIXTURE
from .helpers import make_event
from .interop import cli, other_kiosk


def media_names() -> list[str]:
    """The files in the media folder (the fixture timeline's photograph, in each of its sizes, to begin)."""
    return sorted(path.name for path in Path(current_app.config["MEDIA_DIR"]).iterdir())


def media_file(name: str = "abc123-large.webp", data: bytes = b"RIFF-not-really-an-image") -> Path:
    folder = Path(current_app.config["MEDIA_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    return folder / name


@pytest.mark.sqlite_only  # backups copy the SQLite file; PostgreSQL has its own tools
def test_backup_and_restore_into_an_empty_folder_serve_the_same_content(app, tmp_path):
    photograph = media_names()
    media_file()
    before = exporters.export("json")
    result = cli(app, "backup", tmp_path / "backup")
    assert result.exit_code == 0, result.output
    counts = f"{len(FIXTURE.event_slugs)} events, {len(photograph) + 1} media file(s)"
    assert "Backed up to" in result.output and counts in result.output
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    current_revision = db.session.scalar(text("SELECT version_num FROM alembic_version"))
    assert manifest["schema_revision"] == current_revision
    assert manifest["content_version"] == published.content_version()
    assert set(manifest["files"]) == {
        "kiosk.sqlite3",
        "media/abc123-large.webp",
        *(f"media/{name}" for name in photograph),
    }
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "backup")).target == str(
        tmp_path / "backup"
    )
    with other_kiosk(tmp_path / "new-kiosk", migrated=False) as other:
        result = cli(other, "restore", tmp_path / "backup")
        assert result.exit_code == 0, result.output
        assert exporters.export("json") == before
        visitor = other.test_client()
        assert visitor.get(f"/events/{FIXTURE.image_event}").status_code == 200
        for name in photograph:
            with visitor.get(f"/media/{name}") as served:
                assert served.status_code == 200, name
        restored_media = Path(other.config["MEDIA_DIR"]) / "abc123-large.webp"
        assert restored_media.read_bytes() == b"RIFF-not-really-an-image"
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "restore")) is not None


@pytest.mark.sqlite_only  # backups copy the SQLite file; PostgreSQL has its own tools
def test_backup_while_another_thread_keeps_writing(app, tmp_path):
    era_id = db.session.scalar(select(Era.id).where(Era.slug == FIXTURE.return_era))
    written: list[int] = []
    errors: list[BaseException] = []
    stop, enough = threading.Event(), threading.Event()

    def writer() -> None:
        """Each transaction adds an event and counts it: a torn snapshot would disagree with itself."""
        with app.app_context():
            try:
                number = 0
                while not stop.is_set():
                    number += 1
                    with fixture_writes():
                        event = Event(slug=f"written-{number}", headline=f"Written {number}", era_id=era_id)
                        event.start = PartialDate(1960)
                        db.session.add(event)
                        settings_store.put("written_by_test", number)
                    written.append(number)
                    if number >= 5:
                        enough.set()
            except BaseException as error:
                errors.append(error)
                enough.set()
            finally:
                db.session.remove()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert enough.wait(timeout=60)
        backup.backup(tmp_path / "backup")
        more = len(written) + 3
        while len(written) < more and thread.is_alive():  # some writes after the snapshot, too
            thread.join(0.01)
    finally:
        stop.set()
        thread.join()
    assert errors == []

    with other_kiosk(tmp_path / "restored", migrated=False) as other:
        assert cli(other, "restore", tmp_path / "backup").exit_code == 0
        in_backup = settings_store.get("written_by_test")
        assert (
            db.session.scalar(select(func.count(Event.id)).where(Event.slug.like("written-%"))) == in_backup
        )
        restored = exporters.export("json")
    assert 5 <= in_backup < len(written)
    # The live kiosk without what was written after the snapshot exports exactly what was restored.
    later = [f"written-{n}" for n in range(in_backup + 1, len(written) + 1)]
    db.session.execute(delete(Event).where(Event.slug.in_(later)))
    db.session.commit()
    assert exporters.export("json") == restored


@pytest.mark.sqlite_only  # backups copy the SQLite file; PostgreSQL has its own tools
def test_restore_refuses_a_folder_with_data_unless_forced(app, tmp_path):
    photograph = media_names()
    media_file()
    cli(app, "backup", tmp_path / "backup")
    make_event(slug="made-after-the-backup")
    media_file("def456-large.webp")
    version = published.content_version()

    refused = cli(app, "restore", tmp_path / "backup")
    assert refused.exit_code == 1
    assert (
        f"already holds a database (kiosk.sqlite3) and {len(photograph) + 2} media file(s)" in refused.stderr
    )
    assert "--force" in refused.stderr
    assert db.session.scalar(select(Event).where(Event.slug == "made-after-the-backup")) is not None

    forced = cli(app, "restore", tmp_path / "backup", "--force")
    assert forced.exit_code == 0, forced.output
    assert db.session.scalar(select(Event).where(Event.slug == "made-after-the-backup")) is None
    assert media_names() == sorted([*photograph, "abc123-large.webp"])
    assert published.content_version() > version  # kiosks and caches notice the change
    kept = Path(forced.output.split("kept in ")[1].split()[0].rstrip("."))
    assert (kept / "manifest.json").is_file()

    # Nothing is lost: the data the restore replaced comes back from the copy it kept.
    assert cli(app, "restore", kept, "--force").exit_code == 0
    assert db.session.scalar(select(Event).where(Event.slug == "made-after-the-backup")) is not None


@pytest.mark.sqlite_only  # backups copy the SQLite file; PostgreSQL has its own tools
def test_a_damaged_backup_is_refused_before_anything_changes(app, tmp_path):
    media_file()
    cli(app, "backup", tmp_path / "backup")
    (tmp_path / "backup" / "media" / "abc123-large.webp").write_bytes(b"changed")
    (tmp_path / "backup" / "media" / "smuggled.webp").write_bytes(b"extra")
    with other_kiosk(tmp_path / "new-kiosk", migrated=False) as other:
        result = cli(other, "restore", tmp_path / "backup")
        assert result.exit_code == 1
        assert "media/abc123-large.webp does not match its checksum" in result.stderr
        assert "media/smuggled.webp is not listed in the manifest" in result.stderr
        assert not (tmp_path / "new-kiosk" / "kiosk.sqlite3").exists()
        assert not (tmp_path / "new-kiosk" / "media").exists()


@pytest.mark.sqlite_only  # backups copy the SQLite file; PostgreSQL has its own tools
def test_backup_needs_a_new_or_empty_folder(app, tmp_path):
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "something").write_text("x")
    result = cli(app, "backup", tmp_path / "used")
    assert result.exit_code == 1 and "is not empty" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "used"]  # no half-written folder left
    (tmp_path / "empty").mkdir()
    assert cli(app, "backup", tmp_path / "empty").exit_code == 0


def test_postgresql_is_refused_with_advice(tmp_path):
    app = make_app(tmp_path / "pg", SQLALCHEMY_DATABASE_URI="postgresql+psycopg://kiosk@localhost/kiosk")
    with app.app_context():
        with pytest.raises(backup.BackupError) as refused:
            backup.backup(tmp_path / "backup")
        assert "pg_dump" in str(refused.value) and "media folder" in str(refused.value)
        result = cli(app, "restore", tmp_path)
        assert result.exit_code == 1 and "snapshots SQLite only" in result.stderr
        db.engine.dispose()
