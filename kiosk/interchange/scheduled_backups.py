"""Backups that look after themselves: made on a schedule, checked, pruned, and reported to the admins.

Where they run: inside the kiosk's own server, so the museum installs nothing more (no cron job, no
second service). Every gunicorn worker has a timer thread (``start_timer``, started by
kiosk/gunicorn_conf.py once the worker serves) that wakes every ``CHECK_SECONDS``; whichever worker
finds a backup due and takes the data folder's backup lock (an exclusive ``flock``, so exactly one runs
even with several workers and several timers) makes it. A file lock rather than a database lock because
only SQLite is backed up this way, and it lives on this one server. (A systemd timer would work too,
but it is one more unit to install and to forget; docs/deployment.md says how to run `flask backup`
from one all the same.)

Each run, when ``BACKUP_HOURS`` have passed since the last good backup (after a failure, again an hour
later):

1. checks that the destination (``KIOSK_BACKUP_DIR``, best another disk or a network share; by default
   the data folder's ``backups/``) has room for the backup and for checking it: twice the database and
   media, plus ``MARGIN_BYTES``; otherwise it writes nothing;
2. makes the backup (kiosk.interchange.backup: a consistent snapshot while the kiosk serves);
3. verifies it by restoring it into a scratch folder beside it: every file copied out and checked
   against its checksum, the database opened, its integrity checked and its rows counted;
4. prunes older scheduled backups: it keeps the newest of each of the last ``BACKUP_KEEP_DAILY`` days and
   ``BACKUP_KEEP_WEEKLY`` ISO weeks (7 and 4 by default). Backups made by a person (the admin's button,
   `flask backup`, the copy a restore keeps) are never pruned;
5. writes what happened to ``DATA_DIR/backup-status.json``, which the admin shows (the last good
   backup, its size and whether it verified, the last failure) and warns from when no backup has
   succeeded for ``WARN_AFTER``. A failure is also counted as an incident on the Errors page.

The clock is a parameter (``run(app, now=...)``) so that tests can walk through weeks in a second.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask

from ..database import modern_sqlite as sqlite
from ..editing import audit
from ..extensions import db
from ..web import failures
from ..worker_lock import taken_if_free
from . import backup

STATUS_FILE = "backup-status.json"
LOCK_FILE = "backup.lock"
PREFIX, NAME_TIME = "scheduled-", "%Y-%m-%dT%H%M%SZ"
CHECK_SECONDS = 300
RETRY_AFTER = timedelta(hours=1)
WARN_AFTER = timedelta(days=2)
MARGIN_BYTES = 16 * 1024 * 1024
BACKUP_FAILED = "backup-failed"  # an incident kind of its own: nobody was refused, but it matters


@dataclass(frozen=True)
class Policy:
    every: timedelta
    keep_daily: int
    keep_weekly: int


def policy_of(app: Flask) -> Policy | None:
    """The schedule the settings ask for, or None when scheduled backups are off (KIOSK_BACKUP_HOURS=0) or
    do not apply (a database other than SQLite: it has its own tools, docs/scaling.md)."""
    hours = int(app.config.get("BACKUP_HOURS", 24))
    if hours <= 0 or not backs_up(app):
        return None
    return Policy(
        timedelta(hours=hours),
        int(app.config.get("BACKUP_KEEP_DAILY", 7)),
        int(app.config.get("BACKUP_KEEP_WEEKLY", 4)),
    )


def backs_up(app: Flask) -> bool:
    """Whether this kiosk's database is one the schedule can back up (SQLite)."""
    return str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("sqlite")


def _parse(moment: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(moment) if moment else None
    except ValueError:
        return None


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def status_path(data_dir: str | Path) -> Path:
    return Path(data_dir) / STATUS_FILE


def read_status(data_dir: str | Path) -> dict:
    """What the last runs left: last_attempt_at, last_success {...}, last_failure {at, reason}."""
    try:
        status = json.loads(status_path(data_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return status if isinstance(status, dict) else {}


def _write_status(data_dir: str | Path, status: dict) -> None:
    path = status_path(data_dir)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".backup-status-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(status, handle, indent=2, sort_keys=True)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def is_due(status: dict, now: datetime, policy: Policy) -> bool:
    """A backup is due once ``policy.every`` has passed since the last good one; after a failed attempt,
    not again before RETRY_AFTER (a full disk should not be hammered every few minutes)."""
    succeeded = _parse((status.get("last_success") or {}).get("at"))
    attempted = _parse(status.get("last_attempt_at"))
    if succeeded is not None and now - succeeded < policy.every:
        return False
    failed_since = attempted is not None and (succeeded is None or attempted > succeeded)
    return not (failed_since and attempted is not None and now - attempted < RETRY_AFTER)


def overdue(status: dict, now: datetime) -> bool:
    """True when no backup has succeeded within WARN_AFTER (or ever, once one was attempted)."""
    succeeded = _parse((status.get("last_success") or {}).get("at"))
    if succeeded is None:
        return bool(status.get("last_attempt_at"))
    return now - succeeded > WARN_AFTER


def to_prune(made: list[tuple[str, datetime]], keep_daily: int, keep_weekly: int) -> list[str]:
    """Of scheduled backups (name, when made), those the retention rule lets go: it keeps the newest of
    each of the last ``keep_daily`` days and of the last ``keep_weekly`` ISO weeks that have one, and
    always the newest of all."""
    newest_first = sorted(made, key=lambda item: item[1], reverse=True)
    kept: set[str] = {newest_first[0][0]} if newest_first else set()
    days: set = set()
    weeks: set = set()
    for name, moment in newest_first:
        day, week = moment.date(), moment.isocalendar()[:2]
        if day not in days and len(days) < keep_daily:
            days.add(day)
            kept.add(name)
        if week not in weeks and len(weeks) < keep_weekly:
            weeks.add(week)
            kept.add(name)
    return [name for name, _moment in newest_first if name not in kept]


def _folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def needed_bytes() -> int:
    """Room for a backup and for the scratch copy that checks it."""
    database = backup.database_path()
    size = database.stat().st_size if database.is_file() else 0
    media = backup.media_dir()
    size += _folder_bytes(media) if media.is_dir() else 0
    return 2 * size + MARGIN_BYTES


def verify_by_restoring(folder: Path) -> dict:
    """Restore ``folder`` into a scratch folder beside it and check what came out: every file against
    its checksum, the database's integrity and its rows against the manifest. Returns the manifest;
    BackupError says what is wrong. The scratch folder is removed either way."""
    scratch = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".verify-"))
    try:
        copy = scratch / folder.name
        shutil.copytree(folder, copy, symlinks=True)
        manifest = backup.verify(copy)
        connection = sqlite.connect(f"file:{copy / backup.DATABASE}?mode=ro", uri=True)
        try:
            if connection.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise backup.BackupError("the restored database failed SQLite's integrity check")
            counted = {
                "events": connection.execute("SELECT count(*) FROM event").fetchone()[0],
                "eras": connection.execute("SELECT count(*) FROM era").fetchone()[0],
            }
        except sqlite.Error as error:
            raise backup.BackupError(f"the restored database cannot be read ({error})") from error
        finally:
            connection.close()
        if any(counted[name] != manifest.get(name) for name in counted):
            raise backup.BackupError(f"the restored database holds {counted}, the manifest says otherwise")
        return manifest
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def scheduled_backups(destination: Path) -> list[tuple[str, datetime]]:
    """The scheduled backups in ``destination`` and when each was due (the time in its name, which the
    schedule's own clock wrote)."""
    made = []
    for manifest in backup.list_backups(destination):
        try:
            moment = datetime.strptime(manifest["name"], f"{PREFIX}{NAME_TIME}").replace(tzinfo=UTC)
        except ValueError:  # a person's backup, or a name of theirs
            continue
        made.append((manifest["name"], moment))
    return made


def run(app: Flask, now: datetime | None = None) -> dict | None:
    """Make a backup if one is due and no one else is making it; returns the new status, or None when
    nothing was done. Never raises for a failed backup: it is recorded (status, incident, log)."""
    policy = policy_of(app)
    if policy is None:
        return None
    now = now or datetime.now(UTC)
    data_dir = Path(app.config["DATA_DIR"])
    with app.app_context(), taken_if_free(data_dir / LOCK_FILE) as taken:
        if not taken:
            return None
        status = read_status(data_dir)  # read under the lock: another worker may have just made one
        if not is_due(status, now, policy):
            return None
        status["last_attempt_at"] = _iso(now)
        try:
            status["last_success"] = _make_and_check(now, policy)
            status.pop("last_failure", None)
        except (backup.BackupError, OSError) as error:
            reason = str(error)
            status["last_failure"] = {"at": _iso(now), "reason": reason}
            app.logger.error("The scheduled backup failed: %s", reason)
            failures.record_incident(BACKUP_FAILED, reason, data_dir=data_dir)
        finally:
            db.session.remove()
        _write_status(data_dir, status)
        return status


def _make_and_check(now: datetime, policy: Policy) -> dict:
    destination = backup.backups_folder()
    destination.mkdir(mode=0o700, parents=True, exist_ok=True)
    free, needed = shutil.disk_usage(destination).free, needed_bytes()
    if free < needed:
        raise backup.BackupError(
            f"not enough room in {destination}: {free:,} bytes free, {needed:,} needed (the backup and a "
            "copy to check it); nothing was written"
        )
    target = destination / f"{PREFIX}{now.astimezone(UTC).strftime(NAME_TIME)}"
    manifest = backup.backup(target, record=False)
    try:
        verify_by_restoring(target)
    except backup.BackupError as error:
        shutil.rmtree(target, ignore_errors=True)
        raise backup.BackupError(
            f"the backup was made but did not verify, so it was removed: {error}"
        ) from error
    audit.record(
        "backup", str(target), f"scheduled; content version {manifest['content_version']}", "schedule"
    )
    db.session.commit()
    for name in to_prune(scheduled_backups(destination), policy.keep_daily, policy.keep_weekly):
        shutil.rmtree(destination / name, ignore_errors=True)
    return {
        "at": _iso(now),
        "name": target.name,
        "folder": str(target),
        "bytes": _folder_bytes(target),
        "verified": True,
        "events": manifest["events"],
        "eras": manifest["eras"],
        "media_files": len(manifest["files"]) - 1,
    }


def start_timer(app: Flask, check_seconds: float = CHECK_SECONDS, sleep: Callable = time.sleep) -> None:
    """In a serving worker: a daemon thread that calls ``run`` every ``check_seconds`` (with a little
    jitter, so that workers do not all wake at once). Only for SQLite, the one database backed up here."""
    if policy_of(app) is None:
        return

    def keep_checking() -> None:
        while True:
            sleep(check_seconds * random.uniform(0.8, 1.2))
            try:
                run(app)
            except Exception:  # the timer must outlive any one failure
                app.logger.exception("The backup timer failed; it tries again later.")

    threading.Thread(target=keep_checking, name="backup-timer", daemon=True).start()


def init_app(app: Flask) -> None:
    app.extensions["start_backup_timer"] = lambda: start_timer(app)  # gunicorn_conf.py calls it
