"""Shared fixtures: an app on a throwaway data folder, migrated and seeded like a real install.

The database is SQLite in that folder, or, when KIOSK_TEST_DATABASE_URL names a PostgreSQL server
(`make test` provides one through .ci/with-postgres), a database of its own on that server per test,
copied from a template database that was migrated and seeded once.
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, make_url, text
from sqlalchemy import event as sa_event
from sqlalchemy.pool import NullPool

from kiosk import create_app
from kiosk.cli import seed_command
from kiosk.extensions import db

from .helpers import DatabaseStatements

TEST_SECRET = "test-secret-key-not-for-production"
TEST_DATABASE_URL = os.environ.get("KIOSK_TEST_DATABASE_URL", "")
ON_POSTGRES = TEST_DATABASE_URL.startswith("postgresql")
TEMPLATE_DATABASE = f"kiosk_template_{os.getpid()}"
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


@contextmanager
def seeded_template(tmp_path_factory, postgres, schema_changes: tuple[str, ...] = ()) -> Iterator[Path | str]:
    """A database migrated (then changed by ``schema_changes``, SQL statements) and seeded: a file, or a
    template database on PostgreSQL."""
    folder = tmp_path_factory.mktemp("template")
    url = postgres.create(name=TEMPLATE_DATABASE) if postgres else f"sqlite:///{folder / 'kiosk.sqlite3'}"
    app = make_app(folder, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade()
        with db.engine.begin() as connection:
            for statement in schema_changes:
                connection.execute(text(statement))
        app.test_cli_runner().invoke(seed_command, catch_exceptions=False)
        db.session.remove()
        db.engine.dispose()
    yield url if postgres else folder / "kiosk.sqlite3"
    if postgres:
        postgres.drop(url)


@pytest.fixture(scope="session")
def seeded_database(tmp_path_factory, postgres) -> Iterator[Path | str]:
    """One migrated and seeded database per run (a file, or a template database); each test gets a copy."""
    with seeded_template(tmp_path_factory, postgres) as seeded:
        yield seeded


@pytest.fixture
def data_dir(tmp_path, seeded_database, postgres):
    """This test's data folder, with its own copy of the seeded database (in it, or on PostgreSQL)."""
    folder = tmp_path / "data"
    folder.mkdir()
    if postgres is None:
        shutil.copy(seeded_database, folder / "kiosk.sqlite3")
        yield folder
        return
    _DATABASE_OF_FOLDER[folder] = postgres.create(template=TEMPLATE_DATABASE)
    yield folder
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
