"""The trash: deleting an event moves it here; it can be restored, or deleted for good from here only.

A trashed event keeps its row (deleted_at is set), so restoring brings it back exactly as it was, at the
same web address. These are the steps; kiosk.editing.writer checks the version, records the revision and the
audit entry, and commits.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import delete, select

from ..extensions import db
from ..models import AuditEntry, Event, Revision, utcnow


class NotInTrash(ValueError):
    """Permanent deletion is only for events already in the trash."""


def move_to_trash(event: Event) -> bool:
    """Take the event off the kiosk and out of the admin lists (it stays restorable); False when it was
    in the trash already."""
    if event.deleted_at is not None:
        return False
    event.deleted_at = utcnow()
    return True


def restore_from_trash(event: Event) -> bool:
    """Bring the event back with everything it had, including whether it was published; False when it
    was not in the trash."""
    if event.deleted_at is None:
        return False
    event.deleted_at = None
    return True


def purge(event: Event) -> None:
    """Delete a trashed event for good, with its revisions (the audit log keeps a note of it)."""
    if event.deleted_at is None:
        raise NotInTrash(_("Only events in the trash can be deleted for good: move it to the trash first."))
    # SQLite may hand a freed id to the next new event: its history must not inherit these revisions.
    db.session.execute(
        delete(Revision).where(Revision.entity_type == "event", Revision.entity_id == event.id)
    )
    db.session.delete(event)


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
