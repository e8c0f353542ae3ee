"""Shared fixtures: an app on a throwaway data folder, migrated and seeded like a real install.

Seeded with the tests' own fixture timeline (tests/fixture_timeline.py), not the default content: only the
tests of the default content itself, marked ``default_content``, get a database seeded with it.

The database is SQLite in that folder, or, when KIOSK_TEST_DATABASE_URL names a PostgreSQL server
(`make test` provides one through .ci/with-postgres), a database of its own on that server per test,
copied from a template database that was migrated and seeded once.
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import current_app
from flask_migrate import upgrade
from sqlalchemy import create_engine, make_url, text
from sqlalchemy import event as sa_event
from sqlalchemy.pool import NullPool

from kiosk import create_app
from kiosk.cli import seed_command
from kiosk.extensions import db

from .fixture_timeline import load_fixture_timeline
from .helpers import DatabaseStatements

TEST_SECRET = "test-secret-key-not-for-production"
TEST_DATABASE_URL = os.environ.get("KIOSK_TEST_DATABASE_URL", "")
ON_POSTGRES = TEST_DATABASE_URL.startswith("postgresql")
# A test's data folder -> its PostgreSQL database, so that every app made on that folder shares it.
_DATABASE_OF_FOLDER: dict[Path, str] = {}


def make_app(data_dir: Path, **overrides):
    data_dir.mkdir(parents=True, exist_ok=True)
    settings = {
        "TESTING": True,
        "SECRET_KEY": TEST_SECRET,
        "DATA_DIR": str(data_dir),
        # argon2id at its cheapest: the production profile is checked in tests/test_accounts.py.
        "PASSWORD_HASH_PROFILE": "fast",
        "MEDIA_DIR": str(data_dir / "media"),
        "SQLALCHEMY_DATABASE_URI": _DATABASE_OF_FOLDER.get(data_dir)
        or f"sqlite:///{data_dir / 'kiosk.sqlite3'}",
    }
    return create_app(settings | overrides)


class PostgresServer:
    """Creates and drops the tests' databases on the server KIOSK_TEST_DATABASE_URL names."""

    _numbers = itertools.count(1)

    def __init__(self, url: str):
        self.url = make_url(url)
        self._admin = create_engine(self.url, isolation_level="AUTOCOMMIT", poolclass=NullPool)

    def create(self, template: str | None = None, name: str | None = None) -> str:
        name = name or f"kiosk_test_{os.getpid()}_{next(self._numbers)}"
        copy = f" TEMPLATE {template}" if template else ""
        with self._admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            connection.execute(text(f"CREATE DATABASE {name}{copy}"))
        return self.url.set(database=name).render_as_string(hide_password=False)

    def drop(self, url: str) -> None:
        with self._admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {make_url(url).database} WITH (FORCE)"))


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "default_content: a test of the default content itself (kiosk/data/), run on a database seeded "
        "with it instead of the fixture timeline",
    )


def pytest_report_header(config):
    return f"database: {'PostgreSQL at ' + TEST_DATABASE_URL if ON_POSTGRES else 'SQLite'}"


def pytest_collection_modifyitems(config, items):
    """Tests of SQLite itself do not apply to a PostgreSQL run, nor faults of a PostgreSQL server to an
    SQLite run: they are deselected there, not skipped."""
    other = "sqlite_only" if ON_POSTGRES else "postgres"
    kept = [item for item in items if not item.get_closest_marker(other)]
    config.hook.pytest_deselected(items=[item for item in items if item not in kept])
    items[:] = kept


@pytest.fixture(scope="session", autouse=True)
def _isolated_environment(tmp_path_factory):
    """Nothing a test does may touch the developer's instance folder."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KIOSK_DATA_DIR", str(tmp_path_factory.mktemp("env-data")))
        patch.setenv("KIOSK_SECRET_KEY", TEST_SECRET)
        yield


@pytest.fixture(scope="session")
def postgres() -> PostgresServer | None:
    return PostgresServer(TEST_DATABASE_URL) if ON_POSTGRES else None


@dataclass(frozen=True)
class SeededTemplate:
    """A database migrated and seeded once per run, with its media folder; each test gets a copy."""

    folder: Path  # holds media/ and, on SQLite, the database file
    url: str

    def copy_into(self, folder: Path, postgres: PostgresServer | None) -> str:
        """Copy the database and media into ``folder`` (the database onto the server, on PostgreSQL);
        returns the copy's URL."""
        if (self.folder / "media").is_dir():
            shutil.copytree(self.folder / "media", folder / "media")
        if postgres is None:
            shutil.copy(self.folder / "kiosk.sqlite3", folder / "kiosk.sqlite3")
            return f"sqlite:///{folder / 'kiosk.sqlite3'}"
        return postgres.create(template=make_url(self.url).database)


def seed_default_content() -> None:
    """Seed the app's database with the default content, as `make run` seeds a new kiosk."""
    current_app.test_cli_runner().invoke(seed_command, catch_exceptions=False)


@contextmanager
def seeded_template(
    tmp_path_factory, postgres, seed: Callable[[], object], schema_changes: tuple[str, ...] = ()
) -> Iterator[SeededTemplate]:
    """A database migrated (then changed by ``schema_changes``, SQL statements) and seeded by ``seed``
    (called in the app's context): a file, or a template database on PostgreSQL."""
    name = seed.__name__
    folder = tmp_path_factory.mktemp(name)
    url = (
        postgres.create(name=f"kiosk_{name}_{os.getpid()}")
        if postgres
        else f"sqlite:///{folder / 'kiosk.sqlite3'}"
    )
    app = make_app(folder, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade()
        with db.engine.begin() as connection:
            for statement in schema_changes:
                connection.execute(text(statement))
        seed()
        db.session.remove()
        db.engine.dispose()
    try:
        yield SeededTemplate(folder, url)
    finally:
        if postgres:
            postgres.drop(url)


@pytest.fixture(scope="session")
def fixture_timeline_database(tmp_path_factory, postgres) -> Iterator[SeededTemplate]:
    """Migrated, with the fixture timeline loaded (tests/fixture_timeline.py)."""
    with seeded_template(tmp_path_factory, postgres, load_fixture_timeline) as seeded:
        yield seeded


@pytest.fixture(scope="session")
def default_content_database(tmp_path_factory, postgres) -> Iterator[SeededTemplate]:
    """Migrated and seeded with the default content, as `make run` seeds a new kiosk."""
    with seeded_template(tmp_path_factory, postgres, seed_default_content) as seeded:
        yield seeded


@pytest.fixture
def seeded_database(request) -> SeededTemplate:
    """What this test's database is a copy of: the fixture timeline, or for a test marked
    ``default_content`` the default content."""
    if request.node.get_closest_marker("default_content"):
        return request.getfixturevalue("default_content_database")
    return request.getfixturevalue("fixture_timeline_database")


@pytest.fixture
def data_dir(tmp_path, seeded_database, postgres):
    """This test's data folder, with its own copy of the seeded database (in it, or on PostgreSQL) and of
    the media that database refers to."""
    folder = tmp_path / "data"
    folder.mkdir()
    url = seeded_database.copy_into(folder, postgres)
    if postgres:
        _DATABASE_OF_FOLDER[folder] = url
    yield folder
    if postgres:
        postgres.drop(_DATABASE_OF_FOLDER.pop(folder))


@pytest.fixture
def database_url(data_dir):
    """The URL of this test's own copy of the seeded database."""
    return _DATABASE_OF_FOLDER.get(data_dir) or f"sqlite:///{data_dir / 'kiosk.sqlite3'}"


@pytest.fixture
def empty_database_url(tmp_path, postgres):
    """A database with nothing in it yet, not even the schema."""
    if postgres is None:
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    url = postgres.create()
    yield url
    postgres.drop(url)


@pytest.fixture
def app(data_dir, database_url):
    app = make_app(data_dir, SQLALCHEMY_DATABASE_URI=database_url)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def server(app, data_dir):
    """The app as a server runs it, apart from the test's own app context: every request gets a fresh
    context, so nothing (the signed-in user, the CSRF token) is carried over in ``g`` between requests."""
    served = make_app(data_dir)
    yield served
    with served.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def database_statements(app):
    """What the database is sent while the test runs (tests.helpers.DatabaseStatements)."""
    statements = DatabaseStatements()
    sa_event.listen(db.engine, "checkout", statements.watch)
    db.session.remove()
    app.extensions["content_version"].close()  # its next connections are checked out, so watched
    yield statements
    sa_event.remove(db.engine, "checkout", statements.watch)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()
