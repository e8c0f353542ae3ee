"""Is the kiosk able to work? One sentence for whatever stops it, shared by /healthz and the preflight
that `make run` does before anything else (``python -m kiosk.health``).

The preflight needs no app: a data folder that cannot be created or a database that cannot be read must
be told in words, not in the traceback of the first command that trips over it. It imports neither Flask
nor SQLAlchemy until a database needs describing, so that a start with nothing wrong costs milliseconds.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .config import data_dir, database_url

if TYPE_CHECKING:  # the same module as kiosk.database's, imported without SQLAlchemy and Flask
    import sqlite3 as sqlite
else:
    import pysqlite3.dbapi2 as sqlite

# Below this much free space a save or an upload may fail half-way: say so before it does.
MIN_FREE_BYTES = 1024 * 1024


def data_folder_problem(folder: Path) -> str | None:
    """Why the kiosk could not keep its data in ``folder``, or None."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        return f"the data folder {folder} does not exist and cannot be created ({error.strerror})."
    if not os.access(folder, os.R_OK | os.X_OK):
        return f"the data folder {folder} cannot be read by this user."
    if not os.access(folder, os.W_OK):
        return (
            f"the data folder {folder} is read-only, so nothing could be saved "
            "(is its disk mounted read-only?)."
        )
    free = shutil.disk_usage(folder).free
    if free < MIN_FREE_BYTES:
        return f"the disk holding {folder} is full ({free:,} bytes free); free some space on it."
    return None


def describe(error: BaseException, where: str = "the database") -> str:
    """One sentence for a database failure, by its kind."""
    from .web import failures

    kind = failures.kind_of(error)
    if kind == failures.BUSY:
        return f"{where} is busy: another program holds a write lock on it."
    if kind == failures.DISK_FULL:
        return f"{where} cannot be written: the disk is full."
    detail = str(getattr(error, "orig", None) or error).splitlines()[0]
    return f"{where} cannot be opened or read ({detail})."


def sqlite_file_problem(url: str) -> str | None:
    """Why an existing SQLite database file could not be read, or None (other databases: the server's
    own error is clear enough, and `flask db upgrade` reports it)."""
    if not url.startswith("sqlite"):
        return None
    if url.startswith("sqlite:///") and "?" not in url:  # the usual form, read without SQLAlchemy,
        database: str | None = url.removeprefix("sqlite:///")  # which takes 0.1 s to import
    else:
        from sqlalchemy import make_url

        database = make_url(url).database
    if not database or database == ":memory:":
        return None
    path = Path(database)
    if not path.exists():
        return None  # created by the migrations
    if not path.is_file() or not os.access(path, os.R_OK | os.W_OK):
        return f"the database {path} cannot be read and written by this user."
    try:
        connection = sqlite.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            connection.close()
    except sqlite.Error as error:
        return describe(error, f"the database {path}")
    return None


def preflight() -> str | None:
    """What stops the kiosk from starting, in one sentence, or None."""
    return data_folder_problem(data_dir()) or sqlite_file_problem(database_url(data_dir()))


def main() -> int:
    problem = preflight()
    if problem:
        print(f"The kiosk cannot start: {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
