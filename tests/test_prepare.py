"""`make run`'s preparation (kiosk/prepare.py) does no work that is already done: on a data folder set up
with the same settings and migrations it loads neither Flask nor the app; anything new (a migration, a
changed setting, an empty database) gets the full preparation, which checks and does it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from kiosk import prepare
from kiosk.config import PROJECT_ROOT

from .conftest import TEST_SECRET

pytestmark = pytest.mark.sqlite_only

# Prints, last, whether preparing loaded Flask (and with it the app).
PROBE = (
    "import sys; from kiosk import prepare; code = prepare.main(); "
    "print('flask' in sys.modules); sys.exit(code)"
)


def prepare_in(folder, **settings) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env |= {"KIOSK_DATA_DIR": str(folder), "KIOSK_SECRET_KEY": TEST_SECRET, **settings}
    return subprocess.run(
        [sys.executable, "-c", PROBE], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_a_set_up_folder_is_left_as_it_is_without_loading_the_app(tmp_path):
    folder = tmp_path / "data"
    first = prepare_in(folder)
    assert first.returncode == 0 and first.stdout.split()[-1] == "True"  # migrated and seeded
    again = prepare_in(folder)
    assert again.returncode == 0 and again.stdout.split()[-1] == "False", again.stderr
    assert "Running upgrade" not in again.stderr


def test_a_changed_setting_is_checked_again_on_a_set_up_folder(tmp_path):
    folder = tmp_path / "data"
    assert prepare_in(folder).returncode == 0
    wrong = prepare_in(folder, KIOSK_IDLE_SECONDS="ninety")
    assert wrong.returncode == 1
    assert (
        wrong.stderr.strip()
        == "The kiosk cannot start: KIOSK_IDLE_SECONDS must be a whole number, not 'ninety'"
    )
    assert prepare_in(folder, KIOSK_IDLE_SECONDS="60").stdout.split()[-1] == "True"  # a new setting: checked
    assert prepare_in(folder, KIOSK_IDLE_SECONDS="60").stdout.split()[-1] == "False"


def test_an_older_or_emptied_database_is_not_taken_for_done(tmp_path, monkeypatch):
    import pysqlite3.dbapi2 as sqlite

    folder = tmp_path / "data"
    assert prepare_in(folder).returncode == 0
    for name in [name for name in os.environ if name.startswith("KIOSK_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("KIOSK_DATA_DIR", str(folder))  # the settings it was prepared with
    monkeypatch.setenv("KIOSK_SECRET_KEY", TEST_SECRET)
    assert prepare.nothing_to_do(folder)
    database = sqlite.connect(str(folder / "kiosk.sqlite3"))
    try:
        with database:  # as if the code on disk had a migration the database has not had
            database.execute("UPDATE alembic_version SET version_num = '0001'")
        assert not prepare.nothing_to_do(folder)
        with database:
            database.execute("UPDATE alembic_version SET version_num = ?", (prepare.newest_revision(),))
            database.execute("PRAGMA foreign_keys = OFF")
            database.execute("DELETE FROM event")
            database.execute("DELETE FROM era")
        assert not prepare.nothing_to_do(folder)  # the full preparation loads the default content again
    finally:
        database.close()


def test_the_newest_revision_is_read_from_the_migration_file_names():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    [head] = ScriptDirectory.from_config(config).get_heads()
    assert prepare.newest_revision() == head
