"""Failed sign-ins, limited per account and per address.

Failures are rows in the LoginAttempt table, so every gunicorn worker (and every server sharing the
database) sees the same count; a per-process memory store would let an attacker multiply the limit.

Every attempt claims its row *before* the password is checked, in one short transaction of its own that
counts and claims at once, so however many attempts arrive together, at most the limit of them gets to
try a password. A failed attempt leaves its claim as the failure; a successful one gives its claims back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import Connection, delete, func, insert, literal, select, text

from ..extensions import db
from ..models import LoginAttempt, utcnow

DEFAULTS = {
    "LOGIN_FAILURES_PER_ACCOUNT": 5,
    "LOGIN_FAILURES_PER_ADDRESS": 20,
    "LOGIN_WINDOW_MINUTES": 15,
}


def _setting(name: str) -> int:
    return int(current_app.config.get(name, DEFAULTS[name]))


def window_minutes() -> int:
    return _setting("LOGIN_WINDOW_MINUTES")


def _account_scope(username: str) -> str:
    return f"account:{username.strip().lower()[:150]}"  # the column holds 200 characters


def _scopes(username: str, address: str) -> dict[str, int]:
    return {
        _account_scope(username): _setting("LOGIN_FAILURES_PER_ACCOUNT"),
        f"address:{address[:150]}": _setting("LOGIN_FAILURES_PER_ADDRESS"),
    }


@contextmanager
def _counts_held() -> Iterator[Connection]:
    """A transaction of its own (committed at once, whatever the request's session does) in which no one
    else changes the counts. SQLite lets one writer in at a time, and every transaction here starts by
    writing; PostgreSQL needs the table locked against other writers (plain reads still pass)."""
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("LOCK TABLE login_attempt IN SHARE ROW EXCLUSIVE MODE"))
        yield connection


class _LimitReached(Exception):
    """Raised inside the claiming transaction so that it rolls back whatever it claimed."""


def claim(username: str, address: str) -> list[int] | None:
    """Claim one attempt for the account and for the address: the ids of the claimed rows, or None (and
    nothing claimed) when either has failed its limit's number of times within the window."""
    now = utcnow()
    since = now - timedelta(minutes=window_minutes())
    try:
        with _counts_held() as connection:
            connection.execute(delete(LoginAttempt).where(LoginAttempt.at < since))  # the first write
            return [
                _claim_one(connection, scope, limit, now, since)
                for scope, limit in _scopes(username, address).items()
            ]
    except _LimitReached:
        return None


def _claim_one(connection: Connection, scope: str, limit: int, now: datetime, since: datetime) -> int:
    """One statement that inserts the claim only while fewer than ``limit`` recent rows exist."""
    recent = select(func.count(LoginAttempt.id)).where(LoginAttempt.scope == scope, LoginAttempt.at >= since)
    below_limit = select(literal(scope), literal(now)).where(recent.scalar_subquery() < limit)
    row_id = connection.scalar(
        insert(LoginAttempt).from_select(["scope", "at"], below_limit).returning(LoginAttempt.id)
    )
    if row_id is None:
        raise _LimitReached(scope)
    return row_id


def signed_in(username: str, claimed: list[int]) -> None:
    """A correct password: its own claims go back, and the account's failures are forgiven (the address
    keeps its own)."""
    with _counts_held() as connection:
        connection.execute(
            delete(LoginAttempt).where(
                LoginAttempt.id.in_(claimed) | (LoginAttempt.scope == _account_scope(username))
            )
        )
