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

from ..content.fields import Entity
from . import revisions


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
    """The fields where the submitted item differs from the current entity: before = current, after = theirs.

    Only fields the submitted item carries are compared.
    """
    now = revisions.snapshot(current)
    return revisions.diff(now, now | submitted)
