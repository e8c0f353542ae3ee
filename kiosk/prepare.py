"""Everything `make run` (and the systemd unit, before every start) does before serving, in one process:
the preflight (kiosk.health), the database migrations, the default content (only into an empty
database) and the hashed static files.

First it looks whether any of that is left to do, without loading Flask or the app: on a set-up data
folder (the database at the newest migration, with content in it) it is done in milliseconds, so that a
restart serves again as soon as gunicorn can. Otherwise it loads the app once (one process rather than
four `flask` commands, each of which would import the whole app again) and does what is missing.
It also notices a server that stopped without shutting down (`kill -9`, a crash, a power cut: gunicorn's
pid file is left behind) and counts it among the incidents on the admins' Errors page.

Run: python -m kiosk.prepare   (prints one sentence and exits 1 when the kiosk cannot start)
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
from pathlib import Path

from . import health
from .config import PROJECT_ROOT, data_dir

MIGRATIONS = PROJECT_ROOT / "migrations" / "versions"
# Migration files are named in chain order: NN_<revision>_<slug>.py (migrations/alembic.ini).
MIGRATION_NAME = re.compile(r"(\d+)_([0-9A-Za-z]+)_\w+\.py")
PID_FILE = "gunicorn.pid"  # kiosk/gunicorn_conf.py writes it; gunicorn removes it when it shuts down
# What the last full preparation was done with: the settings it checked and the newest migration.
STAMP = ".prepared"


def fingerprint() -> str:
    """A digest of every KIOSK_ setting (never stored as such: one may be the secret key) and of the
    newest migration. A changed setting is checked again by the full preparation."""
    settings = sorted((name, value) for name, value in os.environ.items() if name.startswith("KIOSK_"))
    return hashlib.sha256(repr((settings, newest_revision())).encode()).hexdigest()


def newest_revision(folder: Path = MIGRATIONS) -> str | None:
    """The revision of the last migration in chain order, read from the file names alone."""
    numbered = [
        (int(found.group(1)), found.group(2))
        for path in folder.glob("*.py")
        if (found := MIGRATION_NAME.fullmatch(path.name))
    ]
    return max(numbered)[1] if numbered else None


def nothing_to_do(folder: Path) -> bool:
    """True when the last full preparation was done with these settings and this code's migrations, and
    the database is SQLite, readable, at the newest migration and holds content, so that a full
    preparation would change nothing. Anything unusual (another database, a question the quick look
    cannot answer) is False: the full preparation then does it, or says what is wrong."""
    if os.environ.get("KIOSK_DATABASE_URL") or health.data_folder_problem(folder):
        return False
    try:
        if (folder / STAMP).read_text().strip() != fingerprint():
            return False
    except OSError:
        return False
    path = folder / "kiosk.sqlite3"
    if not path.is_file() or health.sqlite_file_problem(f"sqlite:///{path}"):
        return False
    connection = health.sqlite.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    try:
        revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        content = connection.execute("SELECT EXISTS (SELECT 1 FROM event) OR EXISTS (SELECT 1 FROM era)")
        has_content = bool(content.fetchone()[0])
    except health.sqlite.Error:
        return False
    finally:
        connection.close()
    return revision is not None and revision[0] == newest_revision() and has_content


def _a_running_server(pid: int) -> bool:
    """Is ``pid`` a gunicorn still running? After a power cut the number may belong to anything else."""
    try:
        return b"gunicorn" in (Path("/proc") / str(pid) / "cmdline").read_bytes()
    except OSError:
        return False


def note_an_unclean_stop(folder: Path) -> None:
    """gunicorn's pid file outlives only a server that never shut down: count that as an incident, and
    remove the file, since gunicorn would refuse to start over one whose number now belongs to another
    program (as after a power cut)."""
    pid_file = folder / PID_FILE
    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return
    if _a_running_server(pid):
        return  # still serving: gunicorn refuses a second server on this data folder and says so
    from .web import failures

    failures.record_incident(
        failures.UNCLEAN_STOP,
        f"the server (pid {pid}) stopped without shutting down (killed, crashed or the power was cut); "
        "started again",
        data_dir=folder,
    )
    pid_file.unlink(missing_ok=True)


def main() -> int:
    folder = data_dir()
    problem = health.preflight()
    if problem:
        print(f"The kiosk cannot start: {problem}", file=sys.stderr)
        return 1
    note_an_unclean_stop(folder)
    if nothing_to_do(folder):
        return 0  # the first worker hashes any static file that changed, as every worker checks
    from flask_migrate import upgrade

    from .application import create_app
    from .cli import seed_command
    from .config import SettingInvalid

    try:
        app = create_app()  # builds the hashed static files as it starts
    except SettingInvalid as wrong:
        print(f"The kiosk cannot start: {wrong}", file=sys.stderr)
        return 1
    with app.app_context():
        upgrade()
        assert seed_command.callback is not None
        seed_command.callback()
    (folder / STAMP).write_text(fingerprint() + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
