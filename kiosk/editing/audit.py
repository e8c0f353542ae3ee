"""The audit log: who did what, and when. Entries join the caller's transaction."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import Select, or_, select

from ..extensions import db
from ..models import AuditEntry, utcnow

# Who a change is by when no curator made it (the command line, set-up): the admin says so in words.
NO_CURATOR = "command line"


def _who() -> str:
    if has_request_context() and getattr(current_user, "is_authenticated", False):
        return current_user.username
    return "" if has_request_context() else NO_CURATOR


def record(action: str, target: str = "", detail: str = "", username: str | None = None) -> AuditEntry:
    """Stage an audit entry (e.g. ``record("event.publish", "event born-in-lugovaya")``).

    What people who are not signed in cause (failed sign-ins, forms refused for their token) is counted
    rather than listed: one row per action and address per minute, its ``count`` going up, so that a
    flood of them (a script trying passwords) cannot bury the entries that matter. The row keeps the
    first one's target and detail."""
    who = username if username is not None else _who()
    address = (request.remote_addr or "") if has_request_context() else ""
    if who == "" and has_request_context():
        minute = utcnow().replace(second=0, microsecond=0)
        same = db.session.scalar(
            select(AuditEntry)
            .where(
                AuditEntry.action == action,
                AuditEntry.address == address,
                AuditEntry.username == "",
                AuditEntry.at >= minute,
            )
            .order_by(AuditEntry.id.desc())
            .limit(1)
        )
        if same is not None:
            same.count = AuditEntry.count + 1  # in the database: two workers counting lose nothing
            return same
    entry = AuditEntry(action=action, target=target, detail=detail, username=who, address=address, count=1)
    db.session.add(entry)
    return entry


def search(
    *, action: str = "", username: str = "", since: date | None = None, until: date | None = None
) -> Select[AuditEntry]:
    """The entries that match, newest first (for db.paginate).

    ``username`` also finds failed sign-ins typed with that name (they have no signed-in user).
    ``since`` and ``until`` are whole days (UTC), both included.
    """
    query = select(AuditEntry)
    if action:
        query = query.where(AuditEntry.action == action)
    if username:
        query = query.where(or_(AuditEntry.username == username, AuditEntry.target == f"user {username}"))
    if since:
        query = query.where(AuditEntry.at >= datetime.combine(since, time.min))
    if until:
        query = query.where(AuditEntry.at < datetime.combine(until + timedelta(days=1), time.min))
    return query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())


def known_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)))


def known_usernames() -> list[str]:
    query = select(AuditEntry.username).where(AuditEntry.username != "").distinct()
    return list(db.session.scalars(query.order_by(AuditEntry.username)))
