"""The error pages never need the database: with the database read-only, missing or unreachable, a
curator's save shows the admin's page with the reason, a request number and everything typed, and the
sign-in page says that passwords cannot be checked now. Real faults: a read-only disk (a tmpfs remounted
read-only), a database file taken away, and a PostgreSQL server of the test's own, stopped."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from kiosk.extensions import db
from kiosk.web import failures

from ..admin.conftest import event_form
from ..conftest import make_app
from .conftest import Browser, read_only, signed_in

TYPED = "Typed while the database was away"


def assert_admin_page_gives_everything_back(response, reason: str) -> None:
    page = response.get_data(as_text=True)
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert 'class="admin' in page and "having a rest" not in page  # the admin's own page, not the kiosk's
    assert reason in page
    assert f"Request number: {response.headers['X-Request-Id']}" in page
    assert f'value="{TYPED}"' in page or f">{TYPED}<" in page


def typed_event(app) -> dict:
    with app.app_context():
        return event_form(headline=TYPED)


def sign_in_now(app):
    person = Browser(app.test_client())
    return person, person.sign_in("boss")


def assert_sign_in_says_passwords_cannot_be_checked(response) -> None:
    page = response.get_data(as_text=True)
    assert response.status_code == 503 and 'class="admin' in page
    assert "cannot check passwords right now" in page
    assert 'value="boss"' in page  # the username stays typed
    assert f"Request number: {response.headers['X-Request-Id']}" in page


@pytest.fixture
def forget_incidents(data_dir):
    yield
    shutil.rmtree(failures._fallback_folder(data_dir), ignore_errors=True)


@pytest.mark.needs_root
@pytest.mark.sqlite_only
def test_a_read_only_database_keeps_what_the_curator_typed(small_disk, seeded_database, forget_incidents):
    folder = small_disk / "data"
    folder.mkdir(mode=0o700)
    seeded_database.copy_into(folder, None)
    app = make_app(folder, SHOW_ERROR_PAGES=True)
    admin, typed = signed_in(app), typed_event(app)
    try:
        with app.app_context():
            db.engine.dispose()  # a disk with files open for writing cannot be remounted read-only
        read_only(small_disk)
        saved = admin.post("/admin/events/new", typed)
        assert_admin_page_gives_everything_back(saved, "cannot be opened or read")
        _person, response = sign_in_now(app)
        assert_sign_in_says_passwords_cannot_be_checked(response)
        # Counted where the page can still read it, though the data folder takes nothing now.
        [incident] = failures.incidents(folder)
        assert incident["kind"] == failures.UNAVAILABLE
        assert {saved.headers["X-Request-Id"], response.headers["X-Request-Id"]} <= set(incident["recent"])
    finally:
        shutil.rmtree(failures._fallback_folder(folder), ignore_errors=True)
        with app.app_context():
            db.engine.dispose()


@pytest.mark.sqlite_only
def test_a_missing_database_keeps_what_the_curator_typed(data_dir, forget_incidents):
    app = make_app(data_dir, SHOW_ERROR_PAGES=True)
    admin, typed = signed_in(app), typed_event(app)
    with app.app_context():
        db.engine.dispose()
    database = data_dir / "kiosk.sqlite3"
    database.rename(data_dir / "elsewhere.sqlite3")
    for leftover in data_dir.glob("kiosk.sqlite3-*"):
        leftover.unlink()
    # A folder where the file was: SQLite cannot open it, and nothing can create it behind our back.
    database.mkdir()
    assert_admin_page_gives_everything_back(
        admin.post("/admin/events/new", typed), "cannot be opened or read"
    )
    _person, response = sign_in_now(app)
    assert_sign_in_says_passwords_cannot_be_checked(response)
    with app.app_context():
        db.engine.dispose()


class OwnPostgres:
    """A throwaway PostgreSQL cluster of this test's own, so it can be stopped without harming others."""

    def __init__(self, folder: Path):
        found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
        if not found:
            pytest.fail("PostgreSQL's binaries are missing (.ci/with-postgres installs them)")
        self.bin, self.folder = found[-1].parent, folder
        self.port = 20000 + os.getpid() % 20000
        folder.mkdir(mode=0o700)
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres")
        self._run("initdb", f"--pgdata={folder / 'data'}", "--username=postgres", "--auth=trust")

    def _run(self, program: str, *arguments: str) -> None:
        command = [str(self.bin / program), *arguments]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@/postgres?host={self.folder}&port={self.port}"

    def start(self) -> None:
        options = f"-k {self.folder} -p {self.port} -c listen_addresses='' -c fsync=off"
        self._run(
            "pg_ctl",
            "-D",
            str(self.folder / "data"),
            "-l",
            str(self.folder / "log"),
            "-w",
            "-o",
            options,
            "start",
        )

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "fast", "-w", "stop")


@pytest.fixture
def own_postgres():
    # Not under pytest's own temporary folder: as root, the cluster's owner (postgres) cannot reach it.
    parent = Path(tempfile.mkdtemp(prefix="kiosk-own-pg."))
    parent.chmod(0o755)
    server = OwnPostgres(parent / "pg")
    server.start()
    yield server
    with contextlib.suppress(subprocess.CalledProcessError):
        server.stop()
    shutil.rmtree(parent, ignore_errors=True)


@pytest.mark.postgres
def test_a_stopped_postgresql_server_keeps_what_the_curator_typed(own_postgres, data_dir, forget_incidents):
    from flask_migrate import upgrade

    from kiosk.cli import seed_command

    app = make_app(data_dir, SHOW_ERROR_PAGES=True, SQLALCHEMY_DATABASE_URI=own_postgres.url)
    with app.app_context():
        upgrade()
        seed_command.callback()
        db.session.remove()
    admin, typed = signed_in(app), typed_event(app)
    own_postgres.stop()
    started = time.monotonic()
    assert_admin_page_gives_everything_back(
        admin.post("/admin/events/new", typed), "cannot be opened or read"
    )
    _person, response = sign_in_now(app)
    assert_sign_in_says_passwords_cannot_be_checked(response)
    assert time.monotonic() - started < 10
    health = app.test_client().get("/healthz")
    assert health.status_code == 503
    own_postgres.start()
    engine = create_engine(own_postgres.url, poolclass=NullPool)
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT 1")) == 1
    engine.dispose()
    assert admin.post("/admin/events/new", typed).status_code == 302  # back: the same curator saves again
    with app.app_context():
        db.engine.dispose()
