"""Saving what curators change: events and eras, each save one transaction with its revision and audit entry.

Views check the input (forms) and hand over clean values; this module decides what a save means: the slug,
the image, publishing, moving to the trash, the edit-conflict check.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from . import audit, media, revisions
from .dates import PartialDate
from .extensions import db
from .models import Era, Event, Status, utcnow

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class EditConflict(Exception):
    """Someone else saved this event or era after the curator opened it; nothing was written."""

    def __init__(self, entity: Event | Era):
        super().__init__(f"{entity!r} changed while it was being edited")
        self.entity = entity


class SaveRefused(ValueError):
    """A save the database refused (a web address taken a moment ago, for example); nothing was written."""


def slugify(text: str, fallback: str = "event") -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80].strip("-")
    return slug or fallback


def unique_slug(model: type[Event] | type[Era], wanted: str, exclude_id: int | None = None) -> str:
    """``wanted``, or ``wanted-2``, ``wanted-3``…: the first one no other row uses."""
    taken = set(
        db.session.scalars(
            select(model.slug).where(model.slug.like(f"{wanted}%"), model.id != (exclude_id or 0))
        )
    )
    candidate, number = wanted, 1
    while candidate in taken:
        number += 1
        candidate = f"{wanted}-{number}"
    return candidate


def slug_in_use(model: type[Event] | type[Era], slug: str, exclude_id: int | None = None) -> bool:
    query = select(func.count(model.id)).where(model.slug == slug)
    if exclude_id:
        query = query.where(model.id != exclude_id)
    return bool(db.session.scalar(query))


@dataclass
class EventChanges:
    """An event's new values, already checked by the form."""

    headline: str
    slug: str
    start: PartialDate
    end: PartialDate | None
    display_date: str
    era: Era
    summary: str
    body: str
    sources: list[str]
    confidence: str
    featured: bool
    postscript: bool
    status: Status
    image_alt: str
    image_caption: str
    image_credit: str
    new_image: media.PreparedImage | None = None
    remove_image: bool = False


def _check_version(entity: Event | Era, expected_version: int | None) -> None:
    if entity.id is not None and expected_version != entity.version:
        raise EditConflict(entity)


def _event_action(event: Event, creating: bool, was_published: bool) -> str:
    if creating:
        return "event.create"
    if event.status != Status.PUBLISHED and was_published:
        return "event.unpublish"
    if event.status == Status.PUBLISHED and not was_published:
        return "event.publish"
    return "event.save"


def _commit(entity: Event | Era, action: str, detail: str = "", stored: object | None = None) -> None:
    """Revision, audit entry and the change itself: one transaction, or nothing at all."""
    try:
        revisions.record(entity)
        audit.record(action, f"{'event' if isinstance(entity, Event) else 'era'} {entity.slug}", detail)
        db.session.commit()
    except StaleDataError as error:
        db.session.rollback()
        media.discard(stored)
        raise EditConflict(entity) from error
    except IntegrityError as error:
        db.session.rollback()
        media.discard(stored)
        raise SaveRefused(
            _("Another item took this web address a moment ago. Please choose another.")
        ) from error
    except BaseException:
        db.session.rollback()
        media.discard(stored)
        raise


def save_event(event: Event | None, changes: EventChanges, expected_version: int | None = None) -> Event:
    """Create (``event`` None) or update an event. Raises EditConflict when it changed meanwhile."""
    creating = event is None
    if event is not None:
        _check_version(event, expected_version)
    # Work out the slug before a new row joins the session, so no query flushes a half-filled event.
    slug = changes.slug or unique_slug(Event, slugify(changes.headline), exclude_id=event and event.id)
    if event is None:
        event = Event()
        db.session.add(event)
    was_published = not creating and event.status == Status.PUBLISHED
    event.slug = slug
    event.start, event.end = changes.start, changes.end
    for name in (
        "headline", "display_date", "era", "summary", "body", "sources", "confidence",
        "featured", "postscript", "status", "image_alt", "image_caption", "image_credit",
    ):  # fmt: skip
        setattr(event, name, getattr(changes, name))
    stored = None
    if changes.new_image is not None:
        stored = event.image = media.store(changes.new_image)
        event.remote_media_url = ""
    elif changes.remove_image:
        event.image = None
        event.remote_media_url = ""
    _commit(event, _event_action(event, creating, was_published), stored=stored)
    return event


def move_event_to_trash(event: Event, expected_version: int | None) -> None:
    """Take the event off the kiosk and out of the list; a later restore brings it back as it was."""
    _check_version(event, expected_version)
    event.deleted_at = utcnow()
    _commit(event, "event.trash")


@dataclass
class EraChanges:
    name: str
    slug: str
    start_year: int
    end_year: int
    colour: str
    description: str


def save_era(era: Era | None, changes: EraChanges, expected_version: int | None = None) -> Era:
    creating = era is None
    if era is not None:
        _check_version(era, expected_version)
    slug = changes.slug or unique_slug(Era, slugify(changes.name, fallback="era"), exclude_id=era and era.id)
    if era is None:
        era = Era(position=(db.session.scalar(select(func.max(Era.position))) or 0) + 1)
        db.session.add(era)
    era.slug, era.name, era.description = slug, changes.name, changes.description
    era.start_year, era.end_year, era.colour = changes.start_year, changes.end_year, changes.colour.lower()
    _commit(era, "era.create" if creating else "era.save")
    return era


def ordered_eras() -> list[Era]:
    return list(db.session.scalars(select(Era).order_by(Era.position, Era.start_year, Era.id)))


def move_era(era: Era, step: int) -> bool:
    """Move an era one place earlier (-1) or later (+1) in the kiosk's order; False at either end."""
    eras = ordered_eras()
    index = eras.index(era)
    target = index + step
    if not 0 <= target < len(eras):
        return False
    eras[index], eras[target] = eras[target], eras[index]
    changed = []
    for position, item in enumerate(eras, start=1):
        if item.position != position:
            item.position = position
            changed.append(item)
    db.session.flush()
    for item in changed:
        revisions.record(item, note=_("Moved in the order"))
    audit.record("era.move", f"era {era.slug}", "earlier" if step < 0 else "later")
    db.session.commit()
    return True


class EraInUse(ValueError):
    """An era events still use cannot be deleted."""

    def __init__(self, listed: int, trashed: int):
        super().__init__(f"{listed} events, {trashed} in the trash")
        self.listed, self.trashed = listed, trashed


def events_using(era: Era) -> tuple[int, int]:
    """How many events use this era: (on the list, in the trash)."""
    counted = select(func.count(Event.id)).where(Event.era_id == era.id)
    return (
        db.session.scalar(counted.where(Event.deleted_at.is_(None))),
        db.session.scalar(counted.where(Event.deleted_at.is_not(None))),
    )


def delete_era(era: Era) -> None:
    """Delete an era, unless an event (even one in the trash) still uses it."""
    listed, trashed = events_using(era)
    if listed or trashed:
        raise EraInUse(listed, trashed)
    detail = str(revisions.snapshot(era))
    db.session.delete(era)
    audit.record("era.delete", f"era {era.slug}", detail)
    try:
        db.session.commit()
    except IntegrityError as error:  # an event joined the era a moment ago
        db.session.rollback()
        raise EraInUse(*events_using(era)) from error


def listed_events(search: str = "", era_id: int | None = None, status: Status | None = None) -> list[Event]:
    """The curators' list: every event not in the trash, by date, narrowed by the filters given."""
    query = select(Event).where(Event.deleted_at.is_(None)).order_by(Event.sort_key, Event.headline, Event.id)
    if search:
        pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            Event.headline.ilike(pattern, escape="\\") | Event.summary.ilike(pattern, escape="\\")
        )
    if era_id:
        query = query.where(Event.era_id == era_id)
    if status:
        query = query.where(Event.status == status)
    return list(db.session.scalars(query))


def listed_event(event_id: int) -> Event | None:
    return db.session.scalar(select(Event).where(Event.id == event_id, Event.deleted_at.is_(None)))


def missing(event: Event) -> list[str]:
    """What an event still lacks, as codes the list shows in words."""
    codes = []
    if event.status != Status.PUBLISHED:
        codes.append("draft")
    if not event.sources:
        codes.append("no-sources")
    if event.image_id and not event.image_alt:
        codes.append("no-alt-text")
    if event.remote_media_url and not event.image_id:
        codes.append("remote-image")
    return codes
