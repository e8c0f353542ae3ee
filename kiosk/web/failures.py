"""What went wrong, in plain words, and a record of it that admins can read.

Failures fall into four kinds, because each asks something different of the person who meets it:
*busy* (another save holds the database: wait and send again), *disk-full* (nothing can be written until
someone frees space), *unavailable* (the database cannot be opened or read: the data folder is read-only,
missing or damaged) and *bug* (our fault: the request id lets someone find the traceback).

The last ``KEEP`` unexpected errors are kept as small JSON files in ``DATA_DIR/errors`` rather than in the
database: the database may be the very thing that failed, and a file that cannot be written (a full disk)
is simply skipped while the server log still gets the whole story.
"""

from __future__ import annotations

import errno
import json
import os
import secrets
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.exc import DBAPIError

BUSY, DISK_FULL, UNAVAILABLE, BUG = "busy", "disk-full", "unavailable", "bug"
KEEP = 50
FOLDER = "errors"

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
