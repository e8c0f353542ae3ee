"""Hostile backups, private data files, admin pages nobody keeps a copy of, audited refusals, and the
visitor's address behind a trusted reverse proxy."""

from __future__ import annotations

import hashlib
import json
import shutil
import stat
from pathlib import Path

import pytest
from sqlalchemy import select

from kiosk.config import load_settings
from kiosk.extensions import db
from kiosk.interchange import staged_imports
from kiosk.models import AuditEntry, Event, Role

from ..admin.conftest import Curator
from ..conftest import make_app
from ..helpers import attach_image, make_user
from ..interop import cli, other_kiosk

pytestmark = pytest.mark.sqlite_only  # backups and file modes are about the SQLite file


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def rewrite_manifest(backup: Path, change) -> None:
    manifest = json.loads((backup / "manifest.json").read_text())
    change(manifest["files"])
    (backup / "manifest.json").write_text(json.dumps(manifest))


def listed(path: Path) -> dict:
    data = path.read_bytes()
    return {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


@pytest.fixture
def made_backup(app, tmp_path) -> Path:
    attach_image(db.session.get(Event, 1))
    assert cli(app, "backup", tmp_path / "backup").exit_code == 0
    return tmp_path / "backup"


def refused_restore(tmp_path: Path, backup: Path, expected: str) -> None:
    """The restore is refused with ``expected`` in its message, and the new kiosk's folder stays empty."""
    with other_kiosk(tmp_path / "new-kiosk", migrated=False) as other:
        result = cli(other, "restore", backup)
    assert result.exit_code == 1 and expected in result.stderr, result.output
    assert "nothing was changed" in result.stderr
    assert sorted(p.name for p in (tmp_path / "new-kiosk").iterdir()) == []


def test_restore_refuses_a_symlinked_file_even_with_a_matching_checksum(made_backup, tmp_path):
    secret = tmp_path / "outside-secret"
    secret.write_bytes(b"the server's private key")
    (made_backup / "media" / "stolen-large.webp").symlink_to(secret)
    rewrite_manifest(made_backup, lambda files: files.update({"media/stolen-large.webp": listed(secret)}))
    refused_restore(tmp_path, made_backup, "symbolic links")


def test_restore_refuses_a_symlinked_media_folder(made_backup, tmp_path):
    shutil.rmtree(made_backup / "media")
    (tmp_path / "elsewhere").mkdir()
    (made_backup / "media").symlink_to(tmp_path / "elsewhere")
    refused_restore(tmp_path, made_backup, "symbolic links")


@pytest.mark.parametrize(
    "name", ["../outside.webp", "media/../../outside.webp", "/etc/hostname", "secret_key"]
)
def test_restore_refuses_manifest_paths_outside_the_backup(made_backup, tmp_path, name):
    (tmp_path / "outside.webp").write_bytes(b"x")
    rewrite_manifest(made_backup, lambda files: files.update({name: listed(tmp_path / "outside.webp")}))
    refused_restore(tmp_path, made_backup, "names files outside the backup")


def test_data_files_are_readable_by_the_kiosk_user_only(app, data_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path / "fresh"))
    monkeypatch.delenv("KIOSK_SECRET_KEY")
    load_settings()
    assert mode(tmp_path / "fresh") == 0o700 and mode(tmp_path / "fresh" / "secret_key") == 0o600

    with other_kiosk(tmp_path / "new-kiosk") as other:  # a database made by the migrations
        other.test_client().get("/")
        database = tmp_path / "new-kiosk" / "kiosk.sqlite3"
        for path in (
            database,
            database.with_name("kiosk.sqlite3-wal"),
            database.with_name("kiosk.sqlite3-shm"),
        ):
            assert mode(path) == 0o600, path

    image = attach_image(db.session.get(Event, 1))
    media = Path(app.config["MEDIA_DIR"])
    assert mode(media) == 0o700
    assert {mode(media / f"{image.key}-{size}.webp") for size in ("large", "thumb")} == {0o600}
    assert cli(app, "backup", data_dir / "backups" / "one").exit_code == 0
    assert mode(data_dir / "backups") == 0o700 and mode(data_dir / "backups" / "one") == 0o700
    assert {mode(path) for path in (data_dir / "backups" / "one").rglob("*") if path.is_file()} == {0o600}
    staged_imports.stage(b"{}", "x.json", owner=1)
    assert mode(data_dir / "imports") == 0o700
    assert {mode(path) for path in (data_dir / "imports").iterdir()} == {0o600}


def test_an_existing_world_readable_database_is_made_private(data_dir):
    (data_dir / "kiosk.sqlite3").chmod(0o644)
    app = make_app(data_dir)
    app.test_client().get("/")
    assert mode(data_dir / "kiosk.sqlite3") == 0o600
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def person(server):
    return Curator(server.test_client())


def test_every_admin_answer_is_no_store(person):
    make_user("curator", Role.EDITOR)
    login = person.client.get("/admin/login")
    assert "no-store" in login.headers["Cache-Control"]
    assert person.sign_in().status_code == 302
    for url in (
        "/admin/events",
        "/admin/events/1/edit",
        "/admin/eras",
        "/admin/import",
        "/admin/settings",
        "/admin/nowhere",
    ):
        assert "no-store" in person.get(url).headers["Cache-Control"], url
    # The kiosk's pages are still kept (and revalidated) by the kiosks.
    assert "no-store" not in person.client.get("/").headers.get("Cache-Control", "")


def test_refused_access_and_failed_csrf_checks_are_audited(person):
    make_user("curator", Role.EDITOR)
    assert person.sign_in().status_code == 302
    assert person.get("/admin/settings").status_code == 403
    assert person.client.post("/admin/events/1/edit", data={"headline": "x"}).status_code == 400
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(2)).all()
    assert [(entry.action, entry.target, entry.username) for entry in entries] == [
        ("csrf.refused", "POST /admin/events/1/edit", "curator"),
        ("access.refused", "GET /admin/settings", "curator"),
    ]


def failed_sign_in_address(app, forwarded_for: str) -> str:
    make_user("curator", Role.EDITOR)
    person = Curator(app.test_client())
    token = person.token()
    person.client.post(
        "/admin/login",
        data={"username": "curator", "password": "wrong password!", "csrf_token": token},
        headers={"X-Forwarded-For": forwarded_for},
        environ_base={"REMOTE_ADDR": "10.0.0.2"},
    )
    db.session.expire_all()
    return db.session.scalar(select(AuditEntry.address).where(AuditEntry.action == "sign-in.failed"))


def test_behind_a_trusted_proxy_the_visitor_address_is_the_forwarded_one(app, data_dir):
    proxied = make_app(data_dir, TRUSTED_PROXIES=1)
    assert failed_sign_in_address(proxied, "203.0.113.7") == "203.0.113.7"
    with proxied.app_context():
        db.engine.dispose()


def test_without_the_setting_a_forwarded_address_is_ignored(app, data_dir):
    direct = make_app(data_dir)
    assert failed_sign_in_address(direct, "203.0.113.7") == "10.0.0.2"
    with direct.app_context():
        db.engine.dispose()


def test_a_flood_of_anonymous_refusals_is_counted_not_listed(app, person):
    make_user("curator", Role.EDITOR)
    visitor = app.test_client()
    for _attempt in range(300):  # token-less posts to the admin, as in the review
        assert visitor.post("/admin/events/1/edit", data={"headline": "x"}).status_code in (302, 400)
    for _attempt in range(30):
        person.sign_in(password="guessing wrongly")
    db.session.expire_all()
    rows = db.session.scalars(select(AuditEntry).where(AuditEntry.username == "")).all()
    by_action: dict[str, int] = {}
    for row in rows:
        by_action[row.action] = by_action.get(row.action, 0) + row.count
    assert (
        by_action["csrf.refused"] == 300
        and by_action["sign-in.failed"] + by_action.get("sign-in.blocked", 0) == 30
    )
    assert len(rows) <= 3 * 2  # one row per kind and minute (a minute may turn over during the test)
