"""The trash: deleting an event moves it here; it can be restored, or deleted for good from here only.

A trashed event keeps its row (deleted_at is set), so restoring brings it back exactly as it was, at the
same web address. Every step records an audit entry; the caller commits.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import delete, select

from . import audit, conflicts
from .extensions import db
from .models import AuditEntry, Event, Revision, utcnow


class NotInTrash(ValueError):
    """Permanent deletion is only for events already in the trash."""


def _check(event: Event, expected_version: int | None) -> None:
    if expected_version is not None and conflicts.is_stale(event, expected_version):
        raise conflicts.EditConflict(event)


def move_to_trash(event: Event, expected_version: int | None = None) -> None:
    """Take the event off the kiosk and out of the admin lists (it stays restorable).

    With ``expected_version`` (from the form), raises conflicts.EditConflict if it changed meanwhile.
    """
    _check(event, expected_version)
    if event.deleted_at is None:
        event.deleted_at = utcnow()
        audit.record("event.trash", f"event {event.slug}", event.headline)
    db.session.flush()


def restore_from_trash(event: Event, expected_version: int | None = None) -> None:
    """Bring the event back with everything it had, including whether it was published."""
    _check(event, expected_version)
    if event.deleted_at is not None:
        event.deleted_at = None
        audit.record("event.restore", f"event {event.slug}", event.headline)
    db.session.flush()


def purge(event: Event, expected_version: int | None = None) -> None:
    """Delete a trashed event for good, with its revisions (the audit log keeps a note of it)."""
    _check(event, expected_version)
    if event.deleted_at is None:
        raise NotInTrash(_("Only events in the trash can be deleted for good: move it to the trash first."))
    audit.record("event.purge", f"event {event.slug}", event.headline)
    # SQLite may hand a freed id to the next new event: its history must not inherit these revisions.
    db.session.execute(
        delete(Revision).where(Revision.entity_type == "event", Revision.entity_id == event.id)
    )
    db.session.delete(event)
    db.session.flush()


def list_trash() -> list[Event]:
    """Trashed events, most recently deleted first."""
    return list(
        db.session.scalars(
            select(Event)
            .where(Event.deleted_at.is_not(None))
            .order_by(Event.deleted_at.desc(), Event.id.desc())
        )
    )


def trashed_by(events: list[Event]) -> dict[int, str]:
    """Who moved each event to the trash, read from the audit log (an event id -> a username)."""
    targets = {f"event {event.slug}": event.id for event in events}
    found: dict[int, str] = {}
    entries = db.session.execute(
        select(AuditEntry.target, AuditEntry.username)
        .where(AuditEntry.action == "event.trash", AuditEntry.target.in_(targets))
        .order_by(AuditEntry.id)
    )
    for target, username in entries:  # the latest entry wins: an event may have been trashed before
        found[targets[target]] = username
    return found
