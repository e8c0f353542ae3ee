"""Shared fixtures: an app on a throwaway data folder, migrated and seeded like a real install."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from flask_migrate import upgrade

from kiosk import create_app
from kiosk.cli import seed_command
from kiosk.extensions import db

TEST_SECRET = "test-secret-key-not-for-production"


def make_app(data_dir: Path, **overrides):
    data_dir.mkdir(parents=True, exist_ok=True)
    settings = {
        "TESTING": True,
        "SECRET_KEY": TEST_SECRET,
        "DATA_DIR": str(data_dir),
        "MEDIA_DIR": str(data_dir / "media"),
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{data_dir / 'kiosk.sqlite3'}",
    }
    return create_app(settings | overrides)


@pytest.fixture(scope="session", autouse=True)
def _isolated_environment(tmp_path_factory):
    """Nothing a test does may touch the developer's instance folder."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KIOSK_DATA_DIR", str(tmp_path_factory.mktemp("env-data")))
        patch.setenv("KIOSK_SECRET_KEY", TEST_SECRET)
        yield


@pytest.fixture(scope="session")
def seeded_database(tmp_path_factory) -> Path:
    """One migrated and seeded database per run; each test gets its own copy."""
    folder = tmp_path_factory.mktemp("template")
    app = make_app(folder)
    with app.app_context():
        upgrade()
        app.test_cli_runner().invoke(seed_command, catch_exceptions=False)
        db.engine.dispose()
    return folder / "kiosk.sqlite3"


@pytest.fixture
def data_dir(tmp_path, seeded_database) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(seeded_database, folder / "kiosk.sqlite3")
    return folder


@pytest.fixture
def app(data_dir):
    app = make_app(data_dir)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()
