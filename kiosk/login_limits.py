"""Failed sign-ins, limited per account and per address.

Failures are rows in the LoginAttempt table, so every gunicorn worker (and every server sharing the
database) sees the same count; a per-process memory store would let an attacker multiply the limit.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from .extensions import db
from .models import LoginAttempt, utcnow

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


def _recent_failures(scope: str) -> int:
    since = utcnow() - timedelta(minutes=window_minutes())
    return db.session.scalar(
        select(func.count(LoginAttempt.id)).where(LoginAttempt.scope == scope, LoginAttempt.at >= since)
    )


def is_blocked(username: str, address: str) -> bool:
    """True when this account or this address has failed too often recently."""
    return any(_recent_failures(scope) >= limit for scope, limit in _scopes(username, address).items())


def record_failure(username: str, address: str) -> None:
    """Stage one failure for the account and the address (and forget ones outside the window)."""
    db.session.execute(
        delete(LoginAttempt).where(LoginAttempt.at < utcnow() - timedelta(minutes=window_minutes()))
    )
    for scope in _scopes(username, address):
        db.session.add(LoginAttempt(scope=scope))


def forget_account_failures(username: str) -> None:
    """A correct password clears the account's count; the address keeps its own."""
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.scope == _account_scope(username)))
