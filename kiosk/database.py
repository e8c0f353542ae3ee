"""Database engine set-up: a modern SQLite by default, any SQLAlchemy URL otherwise."""

from __future__ import annotations

import contextlib
import os
from functools import partial
from typing import TYPE_CHECKING, Any

from flask import Flask
from sqlalchemy import Connection, CursorResult, Dialect, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.sql.dml import UpdateBase

from .extensions import db

if TYPE_CHECKING:  # pysqlite3 has no type hints: it is the standard sqlite3 module, built on a newer SQLite
    import sqlite3 as modern_sqlite
else:
    import pysqlite3.dbapi2 as modern_sqlite

# The system SQLite (3.40) predates the WAL-reset corruption fix in 3.51.3; the pysqlite3 wheel bundles
# a current SQLite, so every connection of ours goes through it.
MINIMUM_SQLITE = (3, 51, 3)

# How long a change waits for another one's lock before it is refused as busy (editing.DatabaseBusy):
# well under gunicorn's 30 s timeout, well over the ~2 s a large import holds the lock.
LOCK_TIMEOUT_MS = 15000


def engine_options(database_url: str, lock_timeout_ms: int = LOCK_TIMEOUT_MS) -> dict:
    if database_url.startswith("sqlite"):
        return {"module": modern_sqlite, "connect_args": {"timeout": lock_timeout_ms / 1000}}
    return {"pool_pre_ping": True, "connect_args": {"options": f"-c lock_timeout={lock_timeout_ms}"}}


def _configure_sqlite_connection(lock_timeout_ms: int, dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(lock_timeout_ms)}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    _keep_private(dbapi_connection)


def _keep_private(dbapi_connection) -> None:
    """The database holds password hashes: readable by the kiosk's own user only. SQLite gives its -wal
    and -shm files the database file's mode, so they follow."""
    for _number, name, path in dbapi_connection.execute("PRAGMA database_list"):
        if name == "main" and path and os.path.isfile(path) and os.stat(path).st_mode & 0o077:
            # Not ours to change (a read-only folder)? The preflight says so.
            with contextlib.suppress(OSError):
                os.chmod(path, 0o600)


def optimize() -> None:
    """Refresh the planner's statistics when a table has grown much since they were gathered (cheap when
    nothing changed); without them SQLite picks a slow index for the timeline's per-era counts.

    Not on connect: it may write, and a full disk or a held write lock must never stop a visitor's read.
    Each worker runs it once while warming up (caching.warm_up).
    """
    if db.engine.dialect.name != "sqlite":
        return
    with db.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA optimize=0x10002")


def init_app(app: Flask) -> None:
    lock_timeout_ms = int(app.config.get("DATABASE_LOCK_TIMEOUT_MS", LOCK_TIMEOUT_MS))
    options = engine_options(app.config["SQLALCHEMY_DATABASE_URI"], lock_timeout_ms)
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", options)
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", partial(_configure_sqlite_connection, lock_timeout_ms))


def sqlite_version() -> str | None:
    if db.engine.dialect.name != "sqlite":
        return None
    return modern_sqlite.sqlite_version


# PostgreSQL's codes for a lock or statement timeout, a deadlock and a serialisation failure.
BUSY_SQLSTATES = {"55P03", "57014", "40P01", "40001"}


def is_busy(error: BaseException) -> bool:
    """True when the database refused because another transaction held it too long (SQLite "database is
    locked", a PostgreSQL lock or statement timeout), not because of anything in the request itself."""
    if not isinstance(error, DBAPIError) or isinstance(error, IntegrityError):
        return False
    if getattr(error.orig, "sqlstate", None) in BUSY_SQLSTATES:
        return True
    text = str(error.orig).lower()
    return "database is locked" in text or "database is busy" in text


def insert_or_ignore(model) -> Any:
    """An INSERT that can say ON CONFLICT ... DO NOTHING / DO UPDATE, in this database's own dialect
    (both dialects' Insert have the same on_conflict_* methods)."""
    if db.engine.dialect.name == "postgresql":
        return postgresql.insert(model)
    return sqlite.insert(model)


class BulkRows:
    """A Core statement (insert(), update()) to run for many rows at once, compiled for this database, with
    every row's values converted for the driver when it is made, so that running it is the driver's
    executemany alone. (Handed the rows as it runs, SQLAlchemy would convert each value then: for a large
    import, inside the transaction that holds the write lock.) Values known only inside the transaction
    (the ids of rows written a moment before) are set with ``set``; they must need no conversion."""

    def __init__(self, statement: UpdateBase, dialect: Dialect, rows: list[dict[str, Any]]) -> None:
        compiled = statement.compile(
            dialect=dialect, column_keys=list(rows[0]) if rows else [], for_executemany=True
        )
        self.sql = compiled.string
        # The values the statement gives itself (its constants); the rows give the others.
        defaults = {name: bind.effective_value for name, bind in compiled.binds.items()}
        self.names: list[str] = list(compiled.positiontup or defaults)
        convert = [
            (name, compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect))
            for name in self.names
        ]
        self.positional = compiled.positiontup is not None
        self.rows: list[Any] = []
        for row in rows:
            values = defaults | row
            converted = [process(values[name]) if process else values[name] for name, process in convert]
            self.rows.append(converted if self.positional else dict(zip(self.names, converted, strict=True)))

    def set(self, index: int, name: str, value: Any) -> None:
        row = self.rows[index]
        if not self.positional:
            row[name] = value
            return
        for position, bound in enumerate(self.names):
            if bound == name:
                row[position] = value

    def run(self, connection: Connection) -> CursorResult:
        return connection.exec_driver_sql(
            self.sql, [tuple(row) for row in self.rows] if self.positional else self.rows
        )
