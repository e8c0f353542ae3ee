"""The audit log: who did what, and when. Entries join the caller's transaction."""

from __future__ import annotations

from flask import has_request_context, request
from flask_login import current_user

from .extensions import db
from .models import AuditEntry


def _who() -> str:
    if has_request_context() and getattr(current_user, "is_authenticated", False):
        return current_user.username
    return "" if has_request_context() else "command line"


def record(action: str, target: str = "", detail: str = "", username: str | None = None) -> AuditEntry:
    """Stage an audit entry (e.g. ``record("event.publish", "event born-in-lugovaya")``)."""
    entry = AuditEntry(
        action=action,
        target=target,
        detail=detail,
        username=username if username is not None else _who(),
        address=(request.remote_addr or "") if has_request_context() else "",
    )
    db.session.add(entry)
    return entry
