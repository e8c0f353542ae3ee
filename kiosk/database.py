"""Database engine set-up: a modern SQLite by default, any SQLAlchemy URL otherwise."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask
from sqlalchemy import event

from .extensions import db

if TYPE_CHECKING:  # pysqlite3 has no type hints: it is the standard sqlite3 module, built on a newer SQLite
    import sqlite3 as modern_sqlite
else:
    import pysqlite3.dbapi2 as modern_sqlite

# The system SQLite (3.40) predates the WAL-reset corruption fix in 3.51.3; the pysqlite3 wheel bundles
# a current SQLite, so every connection of ours goes through it.
MINIMUM_SQLITE = (3, 51, 3)


def engine_options(database_url: str) -> dict:
    if database_url.startswith("sqlite"):
        return {"module": modern_sqlite, "connect_args": {"timeout": 15}}
    return {"pool_pre_ping": True}


def _configure_sqlite_connection(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Refresh the planner's statistics when a table has grown much since they were gathered (cheap when
    # nothing changed); without them SQLite picks a slow index for the timeline's per-era counts.
    cursor.execute("PRAGMA optimize=0x10002")
    cursor.close()


def init_app(app: Flask) -> None:
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options(app.config["SQLALCHEMY_DATABASE_URI"]))
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _configure_sqlite_connection)


def sqlite_version() -> str | None:
    if db.engine.dialect.name != "sqlite":
        return None
    return modern_sqlite.sqlite_version
