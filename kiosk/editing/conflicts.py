"""Concurrent edits: a save based on an old version never silently overwrites a newer one.

Events and eras carry a version counter (SQLAlchemy version_id_col); the edit form carries the version the
curator loaded. kiosk.editing.writer refuses a stale version before writing, and every change bumps the
version
with an UPDATE … WHERE version = the one loaded, so a save that races another one is refused by the
database. Either way it raises EditConflict, whose ``differences`` compare the curator's version ("theirs")
with the current one field by field, so the conflict page (admin/conflicts.py) can show both and let them
choose. Items are the interchange/revision shape.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..content.fields import Entity
from ..extensions import db
from ..models import Event, Revision
from . import drafts, revisions


class EditConflict(Exception):
    """Someone else saved this event, era or place after the curator opened it; nothing was written."""

    def __init__(self, entity: Entity, submitted: dict | None = None):
        super().__init__(f"{entity!r} changed while it was being edited")
        self.entity = entity
        self.submitted = submitted

    @property
    def differences(self) -> list[revisions.FieldChange]:
        return compare(self.entity, self.submitted) if self.submitted is not None else []


def is_stale(entity: Entity, submitted_version: int | str | None) -> bool:
    """True when the version the form carried is not the entity's current one."""
    try:
        return submitted_version is None or int(submitted_version) != entity.version
    except ValueError:
        return True


def compare(current: Entity, submitted: dict) -> list[revisions.FieldChange]:
    """The fields where the submitted item differs from the current entity (what the curators edit: an
    event's unpublished changes, if it has any): before = current, after = theirs.

    Only fields the submitted item carries are compared.
    """
    now = drafts.working_item(current) if isinstance(current, Event) else revisions.snapshot(current)
    return revisions.diff(now, now | submitted)


def opened(entity: Entity, version: int | None) -> dict | None:
    """What the curator had in front of them when they opened the form at ``version`` (an item): the
    unpublished changes they edited, or the saved version; None when no revision recorded it."""
    if version is None:
        return None
    number = version
    if isinstance(entity, Event) and entity.draft_number is not None and entity.draft_number <= version:
        number = entity.draft_number  # the form showed these unpublished changes
    found = db.session.scalar(revisions.numbered(entity, number))
    return None if found is None else found.snapshot


@dataclass
class Meanwhile:
    """A save made after the curator opened the form: who, when, and the fields it changed."""

    revision: Revision
    fields: list[str]  # what curators call them


def since(entity: Entity, version: int | None) -> list[Meanwhile]:
    """The saves made after ``version``, oldest first, each with the fields it changed."""
    if version is None:
        return []
    kind = "event" if isinstance(entity, Event) else "era"
    found = list(
        db.session.scalars(
            select(Revision)
            .where(Revision.entity_type == kind, Revision.entity_id == entity.id, Revision.number >= version)
            .order_by(Revision.number)
        )
    )
    by_number = {revision.number: revision for revision in found}
    meanwhile = []
    for revision in found[1:] if found and found[0].number == version else found:
        older = by_number.get(revision.number - 1)
        changed = revisions.diff(older.snapshot, revision.snapshot) if older is not None else []
        meanwhile.append(Meanwhile(revision, [change.label for change in changed]))
    return meanwhile
