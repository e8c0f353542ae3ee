"""Backups in the admin, for admins only: the schedule and the last backup (size, checked or not), a
warning on every page when none succeeded for two days, a download as one file, and a restore after a
dry run that keeps the current data first and is audited."""

from __future__ import annotations

import io
import json
import tarfile
from datetime import UTC, datetime, timedelta

import pysqlite3.dbapi2 as sqlite
import pytest
from sqlalchemy import func, select, text, update

from kiosk.extensions import db
from kiosk.interchange import scheduled_backups
from kiosk.models import AuditEntry, Event, Role

from ..helpers import make_user
from .conftest import Curator, loaded_settings

pytestmark = pytest.mark.sqlite_only  # backups copy the SQLite file; PostgreSQL has its own tools


CHANGED = "SELECT count(*) FROM event WHERE headline = 'Changed after the backup'"


def changed_headlines() -> int:
    return db.session.execute(text(CHANGED)).scalar_one()


def last_audit() -> AuditEntry:
    return db.session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()))


def made_now(administrator: Curator, data_dir) -> str:
    assert administrator.post("/admin/backups").status_code == 302
    [made] = [folder.name for folder in (data_dir / "backups").iterdir() if not folder.name.startswith(".")]
    return made


def test_the_page_shows_the_schedule_and_the_last_backup(administrator, server, data_dir):
    now = datetime.now(UTC)
    status = scheduled_backups.run(server, now=now)
    html = administrator.get("/admin/backups").get_data(as_text=True)
    last = status["last_success"]
    assert "Every 24 hours" in html and "keeping the newest of each of the last 7 days and 4 weeks" in html
    assert f"<code>{last['name']}</code>" in html and f"{last['bytes']:,} bytes" in html
    assert "every file matched its checksum" in html
    assert 'id="backup-warning"' not in html


def editor(server) -> Curator:
    make_user("ed", Role.EDITOR)
    person = Curator(server.test_client())
    assert person.sign_in("ed").status_code == 302
    return person


def test_every_admin_page_warns_when_no_backup_succeeded_for_two_days(administrator, server, data_dir):
    three_days_ago = datetime.now(UTC) - timedelta(days=3)
    scheduled_backups.run(server, now=three_days_ago)
    for page in ("/admin/events", "/admin/backups", "/admin/errors"):
        html = administrator.get(page).get_data(as_text=True)
        assert "No backup has succeeded for more than two days." in html, page
    assert "No backup has succeeded" not in editor(server).get("/admin/events").get_data(as_text=True)


def test_editors_cannot_see_download_or_restore_backups(administrator, server, data_dir):
    name = made_now(administrator, data_dir)
    curator = editor(server)
    for url in ("/admin/backups", f"/admin/backups/{name}.tar.gz", f"/admin/backups/{name}/restore"):
        assert curator.get(url).status_code == 403, url
    assert curator.post(f"/admin/backups/{name}/restore").status_code == 403


def test_a_backup_downloads_as_one_file_and_the_download_is_audited(administrator, data_dir):
    name = made_now(administrator, data_dir)
    response = administrator.get(f"/admin/backups/{name}.tar.gz")
    assert response.status_code == 200 and response.mimetype == "application/gzip"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{name}.tar.gz"'
    with tarfile.open(fileobj=io.BytesIO(response.data), mode="r:gz") as packed:
        names = packed.getnames()
        manifest = json.load(packed.extractfile(f"{name}/manifest.json"))
    assert f"{name}/kiosk.sqlite3" in names and manifest["format"] == "kiosk-backup"
    assert (last_audit().action, last_audit().target, last_audit().username) == (
        "backup.download",
        name,
        "boss",
    )


@pytest.mark.parametrize("name", ["..", "nothing-here", "..%2F..%2Fetc"])
def test_only_listed_backups_can_be_downloaded_or_restored(administrator, name):
    assert administrator.get(f"/admin/backups/{name}.tar.gz").status_code == 404
    assert administrator.get(f"/admin/backups/{name}/restore").status_code == 404


def test_a_restore_shows_a_dry_run_then_brings_the_backup_back_keeping_the_current_data(
    administrator, data_dir
):
    name = made_now(administrator, data_dir)
    events = db.session.scalar(select(func.count(Event.id)))
    db.session.execute(update(Event).values(headline="Changed after the backup"))
    db.session.commit()

    dry_run = administrator.get(f"/admin/backups/{name}/restore")
    html = dry_run.get_data(as_text=True)
    assert dry_run.status_code == 200 and "every file of the backup was checked" in html
    assert f"<td>{events}</td><td>{events}</td>" in html
    assert changed_headlines() == events  # the dry run changed nothing

    restored = administrator.post(f"/admin/backups/{name}/restore")
    assert restored.status_code == 302 and restored.headers["Location"] == "/admin/backups"
    db.session.remove()
    assert changed_headlines() == 0
    kept = [
        folder for folder in (data_dir / "backups").iterdir() if folder.name.startswith("before-restore-")
    ]
    assert len(kept) == 1
    kept_database = sqlite.connect(str(kept[0] / "kiosk.sqlite3"))
    try:
        assert kept_database.execute(CHANGED).fetchone()[0] == events  # the replaced data, kept
    finally:
        kept_database.close()
    entry = last_audit()
    assert (entry.action, entry.username) == ("restore", "boss") and name in entry.target
    page = administrator.get("/admin/backups").get_data(as_text=True)
    assert f"Restored the backup {name}" in page and kept[0].name in page


def test_a_damaged_backup_is_refused_at_the_dry_run(administrator, data_dir):
    name = made_now(administrator, data_dir)
    (data_dir / "backups" / name / "kiosk.sqlite3").write_bytes(b"not the database any more")
    response = administrator.get(f"/admin/backups/{name}/restore")
    html = response.get_data(as_text=True)
    assert (
        response.status_code == 409
        and "does not match its checksum" in html
        and "Nothing was changed." in html
    )
    assert administrator.post(f"/admin/backups/{name}/restore").status_code == 409


def test_while_a_restore_runs_other_changes_wait_and_keep_what_was_typed(administrator, data_dir):
    colleague = administrator  # signed in elsewhere while another admin restores
    (data_dir / "restoring").write_text("oleg now\n")
    response = colleague.post("/admin/settings", loaded_settings(colleague) | {"idle_seconds": "147"})
    html = response.get_data(as_text=True)
    assert response.status_code == 503 and "A backup is being restored right now" in html
    assert "147" in html  # given back to copy
    assert colleague.get("/admin/events").status_code == 200  # reading goes on
    (data_dir / "restoring").unlink()
    assert (
        colleague.post("/admin/settings", loaded_settings(colleague) | {"idle_seconds": "147"}).status_code
        == 302
    )
