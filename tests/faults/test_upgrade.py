"""The documented upgrade path under load refuses nobody: a checkout serving commit A is moved to commit B
(a new migration and a changed template), `python -m kiosk.upgrade` runs, and every visitor request during
it is answered 200 while the new code takes over."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ..conftest import TEST_SECRET
from .conftest import ROOT, Gunicorn, Load, alive, get, wait

pytestmark = [pytest.mark.gunicorn, pytest.mark.sqlite_only]

MARKER = '<meta name="kiosk-build" content="B">'


def git(folder: Path, *arguments: str) -> None:
    identity = ["-c", "user.name=Upgrade test", "-c", "user.email=upgrade@example.invalid"]
    subprocess.run(["git", *identity, *arguments], cwd=folder, check=True, capture_output=True)


def newest_migration(folder: Path) -> tuple[int, str]:
    numbered = []
    for path in (folder / "migrations" / "versions").glob("*.py"):
        position, revision, _slug = path.name.split("_", 2)
        numbered.append((int(position), revision))
    return max(numbered)


@pytest.fixture
def checkout(tmp_path) -> Path:
    """This checkout as it is (commit A), in a git repository of its own, with its built front-end files."""
    folder = tmp_path / "checkout"
    folder.mkdir()
    ignored = shutil.ignore_patterns("__pycache__", "dist")
    for name in ("kiosk", "templates", "static", "migrations"):
        shutil.copytree(ROOT / name, folder / name, ignore=ignored)
    git(folder, "init", "-q")
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", "A")
    return folder


def commit_b(folder: Path) -> None:
    """Commit B: a template that shows it, and a migration that adds a table."""
    base = folder / "templates" / "base.html"
    base.write_text(base.read_text().replace('<meta charset="utf-8">', f'<meta charset="utf-8">\n  {MARKER}'))
    position, head = newest_migration(folder)
    (folder / "migrations" / "versions" / f"{position + 1:02}_9901_upgrade_probe.py").write_text(
        f'''"""A table added by the upgrade test's commit B."""

import sqlalchemy as sa
from alembic import op

revision = "9901"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("upgrade_probe", sa.Column("id", sa.Integer, primary_key=True))


def downgrade():
    op.drop_table("upgrade_probe")
'''
    )
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", "B")


def test_an_upgrade_to_a_new_commit_under_load_refuses_no_request(checkout, data_dir):
    server = Gunicorn(data_dir, workers=2, root=checkout)
    env = os.environ | {"KIOSK_DATA_DIR": str(data_dir), "KIOSK_SECRET_KEY": TEST_SECRET}
    subprocess.run([sys.executable, "-m", "kiosk.prepare"], cwd=checkout, env=env, check=True)
    server.start()
    old_master = server.process.pid
    assert MARKER not in get(server.url + "/")[1].decode()
    try:
        with Load(server.url, visitors=3) as load:
            load.wait_for(10)
            commit_b(checkout)  # what `git pull` brings
            started = time.monotonic()
            upgraded = subprocess.run(
                [sys.executable, "-m", "kiosk.upgrade"],
                cwd=checkout,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            took = time.monotonic() - started
            load.wait_for(20)
        assert upgraded.returncode == 0, upgraded.stderr + server.output()
        assert "The kiosk was upgraded" in upgraded.stderr
        assert load.failures == [] and {status for _started, _took, status in load.answers} == {200}
        wait(lambda: not alive(old_master), timeout=10, what="the old master kept running")
        new_master = int((data_dir / "gunicorn.pid").read_text())
        assert new_master != old_master and alive(new_master)
        assert MARKER in get(server.url + "/")[1].decode()  # commit B's template, served by B's workers
        answered = [moment for moment, _took, _status in load.answers if moment >= started]
        assert len(answered) >= 10, f"only {len(answered)} answers during the {took:.1f} s upgrade"
        import pysqlite3.dbapi2 as sqlite

        database = sqlite.connect(str(data_dir / "kiosk.sqlite3"))
        try:
            assert database.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "9901"
        finally:
            database.close()
    finally:
        server.stop()
        newest = data_dir / "gunicorn.pid"
        if newest.exists() and alive(master := int(newest.read_text())):
            os.kill(master, signal.SIGTERM)
            wait(lambda: not alive(master), timeout=15, what="the new master did not stop")
