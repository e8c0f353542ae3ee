"""Unpublished changes: a curator's edits to an event the kiosk shows are kept as a draft revision (the
event's ``draft_number`` names it) while visitors keep seeing the published event, until someone
publishes them or throws them away (kiosk.editing.writer does both). Reads only.

What the curators edit is the working copy: the draft when there is one, else the event as it is. The
draft's translations are never used: they stay the event's own, saved on their own pages.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm.attributes import set_committed_value

from ..content import fields
from ..extensions import db
from ..models import Era, Event, Media, Revision
from . import revisions


def revision(event: Event) -> Revision | None:
    """The revision holding the event's unpublished changes, if it has any."""
    if event.draft_number is None:
        return None
    return db.session.scalar(revisions.numbered(event, event.draft_number))


def item(event: Event) -> dict | None:
    """The event as its unpublished changes make it (an item), or None when it has none."""
    draft = revision(event)
    return None if draft is None else dict(draft.snapshot)


def working_item(event: Event) -> dict:
    """What a curator edits: the unpublished changes, else the event as the kiosk shows it."""
    found = item(event)
    return found if found is not None else fields.item_of(event)


def drafts_of(ids: list[int]) -> dict[int, Revision]:
    """The revisions holding the unpublished changes of these events (the list shows who and when)."""
    if not ids:
        return {}
    events = select(Event.id, Event.draft_number).where(Event.id.in_(ids), Event.draft_number.is_not(None))
    wanted = {event_id: number for event_id, number in db.session.execute(events) if number is not None}
    if not wanted:
        return {}
    rows = db.session.scalars(
        select(Revision).where(
            Revision.entity_type == "event",
            Revision.entity_id.in_(wanted),
            Revision.number.in_(set(wanted.values())),
        )
    )
    return {row.entity_id: row for row in rows if wanted.get(row.entity_id) == row.number}


def shadow(event: Event) -> Event:
    """The event as its unpublished changes would show it (itself when it has none): a copy the session
    never holds, for the preview, which renders it exactly as the kiosk renders an event."""
    draft = item(event)
    if draft is None:
        return event
    copy = Event()
    for name, value in fields.EVENT.columns_from_item(draft).items():
        setattr(copy, name, value)
    for name in ("id", "version", "created_at", "updated_at", "deleted_at", "draft_number"):
        setattr(copy, name, getattr(event, name))
    era = db.session.scalar(select(Era).where(Era.slug == draft.get("era"))) or event.era
    key = (draft.get("image") or {}).get("key")
    image = db.session.scalar(select(Media).where(Media.key == key)) if key else None
    place = fields.find_place(draft.get("place"))
    copy.era_id, copy.image_id = era.id, image.id if image else None
    copy.place_id = place.id if place else None
    # Set as if loaded: no backref puts the copy into the era's events, so no flush can ever write it.
    set_committed_value(copy, "era", era)
    set_committed_value(copy, "image", image)
    set_committed_value(copy, "place", place)
    set_committed_value(copy, "translations", list(event.translations))
    return copy
