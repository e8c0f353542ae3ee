"""What went wrong, in plain words, and a record of it that admins can read.

Failures fall into four kinds, because each asks something different of the person who meets it:
*busy* (another save holds the database: wait and send again), *disk-full* (nothing can be written until
someone frees space), *unavailable* (the database cannot be opened or read: the data folder is read-only,
missing or damaged) and *bug* (our fault: the request id lets someone find the traceback).

Admins read two records of them on the *Errors* page, both kept as small files rather than in the
database (the database may be the very thing that failed):

- **Unexpected errors** (bugs): the last ``KEEP``, each with its traceback, in ``DATA_DIR/errors``.
- **Incidents**: every refusal a person saw that was not a bug (busy, disk full, database unavailable, a
  rate limit, a kiosk's report refused, a server that stopped without shutting down), logged with its
  request id and counted per kind and day by ``record_incident`` in ``DATA_DIR/incidents``. A flood of
  them (a database outage refuses every request) adds to a count and never pushes out an unexpected error.
  When the data folder cannot be written (read-only, full), they are counted in a folder of the same name
  under ``/dev/shm`` instead, which the page reads as well; the server log has every one in any case.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import logging
import os
import secrets
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import current_app, has_app_context, has_request_context, request
from sqlalchemy.exc import DBAPIError

BUSY, DISK_FULL, UNAVAILABLE, BUG = "busy", "disk-full", "unavailable", "bug"
# Refusals that are no failure of the kiosk's, but that a person (or a kiosk) met all the same.
RATE_LIMITED, REPORT_REFUSED, UNCLEAN_STOP = "rate-limit", "report-refused", "unclean-stop"
KEEP = 50
FOLDER = "errors"
INCIDENTS_FOLDER = "incidents"
# Days of incident counts kept; the Errors page shows the last INCIDENT_DAYS_SHOWN of them.
INCIDENT_DAYS_KEPT, INCIDENT_DAYS_SHOWN = 30, 7
# Request ids kept per kind and day, to look up in the server log (the count goes on past them).
INCIDENT_IDS_KEPT = 10
REQUEST_ID_KEY = "kiosk.request_id"
INCIDENT_KEY = "kiosk.incident"

log = logging.getLogger("kiosk.incidents")

_DISK_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT}
_UNAVAILABLE_ERRNOS = {errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOENT, errno.EIO, errno.ENOTDIR}
# SQLite reports its failures as text; these are the messages of each kind.
_SQLITE_MESSAGES = {
    BUSY: ("database is locked", "database table is locked", "database is busy"),
    DISK_FULL: ("database or disk is full", "disk is full"),
    UNAVAILABLE: (
        "unable to open database",
        "readonly database",
        "disk i/o error",
        "file is not a database",
        "database disk image is malformed",
        "no such table",
    ),
}


def _causes(error: BaseException):
    """The error and everything it wraps (SQLAlchemy's DBAPI error, ``raise ... from``), once each."""
    seen = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        if isinstance(current, DBAPIError) and current.orig is not None:
            current = current.orig
        else:
            current = current.__cause__ or current.__context__


def kind_of(error: BaseException) -> str:
    """busy, disk-full, unavailable or bug."""
    for cause in _causes(error):
        if isinstance(cause, OSError) and cause.errno in _DISK_FULL_ERRNOS:
            return DISK_FULL
        if isinstance(cause, OSError) and cause.errno in _UNAVAILABLE_ERRNOS:
            return UNAVAILABLE
        text = str(cause).lower()
        for kind, messages in _SQLITE_MESSAGES.items():
            if any(message in text for message in messages):
                return kind
        if type(cause).__name__ == "OperationalError":  # a database server that does not answer
            return UNAVAILABLE
    return BUG


def new_request_id() -> str:
    return secrets.token_hex(8)


def request_id(environ: dict | None = None) -> str:
    """The id of the request being served (given one on first use), sent back as ``X-Request-Id``."""
    if environ is None:
        if not has_request_context():
            return ""
        environ = request.environ
    return environ.setdefault(REQUEST_ID_KEY, new_request_id())


def remember(data_dir: str | Path, record: dict) -> bool:
    """Keep ``record`` among the last KEEP errors; False (and nothing half-written) when the disk refuses."""
    folder = Path(data_dir) / FOLDER
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    temporary = None
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=folder, prefix=".error-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(record, handle)
        os.replace(temporary, folder / f"{stamp}-{record['request_id']}.json")
        for old in sorted(folder.glob("*.json"), reverse=True)[KEEP:]:
            old.unlink(missing_ok=True)
    except OSError:
        if temporary:
            Path(temporary).unlink(missing_ok=True)
        return False
    return True


def recent(data_dir: str | Path) -> list[dict]:
    """The kept errors, newest first (unreadable records are left out)."""
    found = []
    for path in sorted((Path(data_dir) / FOLDER).glob("*.json"), reverse=True)[:KEEP]:
        try:
            found.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
    return found


def _fallback_folder(data_dir: Path) -> Path:
    """Where incidents are counted while the data folder cannot be written: memory, one per data folder."""
    base = Path("/dev/shm") if os.path.isdir("/dev/shm") else Path(tempfile.gettempdir())
    key = hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:16]
    return base / f"kiosk-{key}-{INCIDENTS_FOLDER}"


def _incident_folders(data_dir: Path) -> list[Path]:
    return [data_dir / INCIDENTS_FOLDER, _fallback_folder(data_dir)]


def _data_dir_now(data_dir: str | Path | None) -> Path:
    if data_dir is not None:
        return Path(data_dir)
    if has_app_context():
        return Path(current_app.config["DATA_DIR"])
    from ..config import data_dir as configured  # the command line, before any app exists

    return configured()


def record_incident(
    kind: str,
    detail: str = "",
    *,
    data_dir: str | Path | None = None,
    environ: dict | None = None,
    error: BaseException | None = None,
) -> str:
    """Log a refusal a person met (``kind``: BUSY, DISK_FULL, UNAVAILABLE, RATE_LIMITED, REPORT_REFUSED,
    UNCLEAN_STOP or a new word of the caller's) with its request id, and count it for the admins'
    *Errors* page. ``error``, when one caused it, goes to the log with its traceback. Never raises: a
    refusal must not turn into a failure of its own. Once per request (the first kind wins). Returns the
    request id ("" outside a request)."""
    if environ is None and has_request_context():
        environ = request.environ
    identifier = request_id(environ) if environ is not None else ""
    if environ is not None:
        if environ.get(INCIDENT_KEY):
            return identifier
        environ[INCIDENT_KEY] = kind
    where = f"{environ.get('REQUEST_METHOD', '')} {environ.get('PATH_INFO', '')}" if environ else ""
    # A child of the app's logger ("kiosk"): it reaches the server log from inside an app or not.
    log.warning(
        "Refused (%s) %s [request %s]: %s",
        kind,
        where.strip() or "-",
        identifier or "-",
        detail,
        exc_info=error,
    )
    try:
        folder = _data_dir_now(data_dir)
        now = datetime.now(UTC).replace(microsecond=0)
        entry = {
            "at": now.isoformat(),
            "request_id": identifier,
            "where": where.strip(),
            "detail": detail[:300],
        }
        for place in _incident_folders(folder):
            if _count(place, now, kind, entry):
                break
        else:
            log.warning("Incident %s of request %s could not be counted anywhere.", kind, identifier)
    except Exception:  # never let the bookkeeping of a refusal fail the answer
        log.warning("Counting incident %s failed.", kind, exc_info=True)
    return identifier


def _count(folder: Path, now: datetime, kind: str, entry: dict) -> bool:
    """Add ``entry`` to the day's count of ``kind`` in ``folder``; False when the folder refuses."""
    path = folder / f"{now.date().isoformat()}_{kind}.json"
    temporary = None
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        with open(folder / ".lock", "a+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # workers count the same file
            try:
                day = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                day = {"kind": kind, "count": 0, "first_at": entry["at"], "recent": []}
            day["count"] = int(day.get("count", 0)) + 1
            day["last"] = entry
            day["recent"] = [entry["request_id"], *day.get("recent", [])][:INCIDENT_IDS_KEPT]
            fd, temporary = tempfile.mkstemp(dir=folder, prefix=".incident-", suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(day, handle)
            os.replace(temporary, path)
            temporary = None
            _forget_old_days(folder, now)
    except OSError:
        if temporary:
            with contextlib.suppress(OSError):
                Path(temporary).unlink()
        return False
    return True


def _forget_old_days(folder: Path, now: datetime) -> None:
    oldest = (now - timedelta(days=INCIDENT_DAYS_KEPT)).date().isoformat()
    for path in folder.glob("*_*.json"):
        if path.name[:10] < oldest:
            path.unlink(missing_ok=True)


def incidents(
    data_dir: str | Path, days: int = INCIDENT_DAYS_SHOWN, now: datetime | None = None
) -> list[dict]:
    """Incidents of the last ``days`` days per kind, the most recent first: ``kind``, ``count``, ``days``
    (on how many days), ``first_at``, ``last`` (at, request_id, where, detail) and ``recent`` ids."""
    since = ((now or datetime.now(UTC)) - timedelta(days=days - 1)).date().isoformat()
    totals: dict[str, dict] = {}
    for folder in _incident_folders(Path(data_dir)):
        for path in sorted(folder.glob("*_*.json")):
            if path.name[:10] < since:
                continue
            try:
                day = json.loads(path.read_text(encoding="utf-8"))
                kind, count, last = str(day["kind"]), int(day["count"]), dict(day["last"])
            except (OSError, ValueError, KeyError, TypeError):
                continue
            total = totals.setdefault(
                kind,
                {"kind": kind, "count": 0, "days": set(), "first_at": day.get("first_at", ""), "recent": []},
            )
            total["count"] += count
            total["days"].add(path.name[:10])
            total["first_at"] = min(total["first_at"], str(day.get("first_at", "")))
            if str(last.get("at", "")) >= str(total.get("last", {}).get("at", "")):
                total["last"] = last
            total["recent"] = (list(day.get("recent", [])) + total["recent"])[:INCIDENT_IDS_KEPT]
    found = [total | {"days": len(total["days"])} for total in totals.values()]
    return sorted(found, key=lambda total: str(total["last"].get("at", "")), reverse=True)
