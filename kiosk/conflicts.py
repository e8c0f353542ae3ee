"""Concurrent edits: a save based on an old version never silently overwrites a newer one.

Events and eras carry a version counter (SQLAlchemy version_id_col); the edit form carries the version the
curator loaded. ``save`` refuses a stale version before writing, and a save that races another one is
refused by the database (StaleDataError). Either way it raises EditConflict, whose ``differences`` compare
the curator's version ("theirs") with the current one field by field, so a conflict view can show both
and let them choose; ``merge`` builds the item they chose. Items are the interchange/revision shape.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from . import revisions
from .extensions import db
from .interchange import kiosk_json
from .models import Era, Event, Revision


class EditConflict(Exception):
    """Someone else saved this event or era after the curator opened it; nothing was written."""

    def __init__(self, entity: Event | Era, submitted: dict | None = None):
        super().__init__(f"{entity!r} changed while it was being edited")
        self.entity = entity
        self.submitted = submitted

    @property
    def differences(self) -> list[revisions.FieldChange]:
        return compare(self.entity, self.submitted) if self.submitted is not None else []


def is_stale(entity: Event | Era, submitted_version: int | str | None) -> bool:
    """True when the version the form carried is not the entity's current one."""
    try:
        return submitted_version is None or int(submitted_version) != entity.version
    except ValueError:
        return True


def compare(current: Event | Era, submitted: dict) -> list[revisions.FieldChange]:
    """The fields where the submitted item differs from the current entity: before = current, after = theirs.

    Only fields the submitted item carries are compared.
    """
    now = revisions.snapshot(current)
    return revisions.diff(now, now | submitted)


def merge(current: Event | Era, submitted: dict, take_theirs: Iterable[str]) -> dict:
    """The current version with the chosen fields (FieldChange.field names) taken from theirs."""
    merged = copy.deepcopy(revisions.snapshot(current))
    for name in take_theirs:
        if name.startswith("image."):
            part = name.removeprefix("image.")
            theirs = (submitted.get("image") or {}).get(part)
            merged["image"] = (
                merged.get("image") or dict.fromkeys(("key", "url", "alt", "caption", "credit"))
            ) | {part: theirs}
        elif name.startswith("translations."):
            _, locale, part = name.split(".", 2)
            theirs_text = ((submitted.get("translations") or {}).get(locale) or {}).get(part, "")
            merged.setdefault("translations", {}).setdefault(locale, {})[part] = theirs_text
        elif name in submitted:
            merged[name] = copy.deepcopy(submitted[name])
    return merged


def save(entity: Event | Era, submitted_version: int | str | None, item: dict, note: str = "") -> Revision:
    """Apply an edited item and record a revision, unless the entity changed since it was loaded.

    The caller commits. Raises EditConflict (after rolling the session back) when the version is stale or
    another save got there first.
    """
    if is_stale(entity, submitted_version):
        raise EditConflict(entity, item)
    before = revisions.snapshot(entity)
    full = before | item
    try:
        if isinstance(entity, Event):
            era = db.session.scalars(select(Era).where(Era.slug == full["era"])).one()
            kiosk_json.apply_event_item(entity, full, era)
        else:
            kiosk_json.apply_era_item(entity, full)
        return revisions.record(entity, note, before=before)
    except StaleDataError:
        db.session.rollback()  # the entity now reads the version that won
        raise EditConflict(entity, item) from None
