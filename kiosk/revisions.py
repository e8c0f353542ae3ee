"""Revisions: a snapshot of an event or era after every save, so no curator's work is ever lost.

Snapshots use the interchange format's item shape (see interchange.event_item / era_item).
"""

from __future__ import annotations

from flask import has_request_context
from flask_login import current_user
from sqlalchemy import func, select

from . import interchange
from .extensions import db
from .models import Era, Event, Revision


def _kind(entity: Event | Era) -> str:
    return "event" if isinstance(entity, Event) else "era"


def snapshot(entity: Event | Era) -> dict:
    return interchange.event_item(entity) if isinstance(entity, Event) else interchange.era_item(entity)


def record(entity: Event | Era, note: str = "") -> Revision:
    """Stage a revision of ``entity`` as it is now; call after the change, before the commit."""
    db.session.flush()
    kind = _kind(entity)
    latest = db.session.scalar(
        select(func.max(Revision.number)).where(Revision.entity_type == kind, Revision.entity_id == entity.id)
    )
    signed_in = has_request_context() and getattr(current_user, "is_authenticated", False)
    revision = Revision(
        entity_type=kind,
        entity_id=entity.id,
        number=(latest or 0) + 1,
        snapshot=snapshot(entity),
        note=note,
        user_id=current_user.id if signed_in else None,
        username=current_user.username if signed_in else "command line",
    )
    db.session.add(revision)
    return revision


def history(entity: Event | Era) -> list[Revision]:
    return list(
        db.session.scalars(
            select(Revision)
            .where(Revision.entity_type == _kind(entity), Revision.entity_id == entity.id)
            .order_by(Revision.number.desc())
        )
    )
