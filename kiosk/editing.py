"""Saving what curators change: events and eras, each save one transaction with its revision and audit entry.

Views check the input (forms) and hand over clean values; this module decides what a save means: the slug,
the image, publishing. A save is applied as an interchange item (the shape revisions and kiosk.conflicts use),
so a refused stale save raises conflicts.EditConflict carrying what the curator submitted, ready for a
field-by-field comparison.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from . import audit, conflicts, media, revisions, trash
from .dates import PartialDate
from .extensions import db
from .interchange import kiosk_json
from .models import Era, Event, Status

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


EditConflict = conflicts.EditConflict


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
    place: dict | None = None  # checked by kiosk.places
    figure: dict | None = None  # checked by kiosk.figures


def _event_action(creating: bool, was_published: bool, now_published: bool) -> str:
    if creating:
        return "event.create"
    if was_published != now_published:
        return "event.publish" if now_published else "event.unpublish"
    return "event.save"


def _image_item(event: Event | None, changes: EventChanges, stored) -> dict | None:
    """The image part of the item: a new upload, the kept image, or none (the texts are kept either way)."""
    if stored is not None:
        key, url = stored.key, None
    elif changes.remove_image or event is None:
        key, url = None, None
    else:
        key, url = (event.image.key if event.image else None), (event.remote_media_url or None)
    texts = {"alt": changes.image_alt, "caption": changes.image_caption, "credit": changes.image_credit}
    if key is None and url is None and not any(texts.values()):
        return None
    return {"key": key, "url": url} | texts


def event_item(changes: EventChanges, slug: str, image: dict | None) -> dict:
    """What the curator submitted, as an interchange item."""
    return {
        "slug": slug,
        "headline": changes.headline,
        "start": changes.start.as_dict(),
        "end": changes.end.as_dict() if changes.end else None,
        "display_date": changes.display_date,
        "era": changes.era.slug,
        "summary": changes.summary,
        "body": changes.body,
        "sources": list(changes.sources),
        "confidence": changes.confidence,
        "featured": changes.featured,
        "postscript": changes.postscript,
        "status": changes.status.value,
        "image": image,
        "place": changes.place,
        "figure": changes.figure,
    }


def _give_up(error: BaseException, entity: Event | Era | None, item: dict | None, stored=None) -> None:
    """After a failed save: roll back, remove a just-stored image, explain the failures curators can fix."""
    db.session.rollback()
    media.discard(stored)
    if isinstance(error, StaleDataError) and entity is not None:  # another save got there first
        raise conflicts.EditConflict(entity, item) from error
    if isinstance(error, IntegrityError):  # a web address taken a moment ago
        message = _("Another item took this web address a moment ago. Please choose another.")
        raise SaveRefused(message) from error


def _target(entity: Event | Era) -> str:
    return f"{'event' if isinstance(entity, Event) else 'era'} {entity.slug}"


def submitted_event_item(event: Event, changes: EventChanges) -> dict:
    """What saving ``changes`` would make of ``event``, as an item to compare with what is saved now.

    A newly chosen image is not part of it (it is stored only when the save goes ahead).
    """
    slug = changes.slug or unique_slug(Event, slugify(changes.headline), exclude_id=event.id)
    return event_item(changes, slug, _image_item(event, changes, None))


def save_event(
    event: Event | None, changes: EventChanges, expected_version: int | None = None, note: str = ""
) -> Event:
    """Create (``event`` None) or update an event, in one transaction with its revision and audit entry.

    Raises conflicts.EditConflict (nothing written) when the event changed since ``expected_version``.
    """
    creating = event is None
    slug = changes.slug or unique_slug(
        Event, slugify(changes.headline), exclude_id=event.id if event else None
    )
    if event is not None and conflicts.is_stale(event, expected_version):
        raise conflicts.EditConflict(event, submitted_event_item(event, changes))
    was_published = event is not None and event.status == Status.PUBLISHED
    stored = item = None
    try:
        stored = media.store(changes.new_image) if changes.new_image is not None else None
        item = event_item(changes, slug, _image_item(event, changes, stored))
        before = None if event is None else revisions.snapshot(event)
        if event is None:
            # Filled in before it joins the session, so no query flushes a half-made event.
            event = Event(slug=slug)
            kiosk_json.apply_event_item(event, item, changes.era)
            db.session.add(event)
        else:
            event.slug = slug
            kiosk_json.apply_event_item(event, item, changes.era)
        revisions.record(event, note, before=before)
        audit.record(_event_action(creating, was_published, event.status == Status.PUBLISHED), _target(event))
        db.session.commit()
    except BaseException as error:
        _give_up(error, event, item, stored)
        raise
    return event


def _commit_unless_stale(event: Event, expected_version: int | None, change) -> None:
    """Run ``change`` and commit, or raise EditConflict when the event moved on (a missing version counts)."""
    if conflicts.is_stale(event, expected_version):
        raise conflicts.EditConflict(event)
    try:
        change(event, expected_version)
        db.session.commit()
    except StaleDataError as error:
        db.session.rollback()
        raise conflicts.EditConflict(event) from error


def move_event_to_trash(event: Event, expected_version: int | None) -> None:
    """Take the event off the kiosk and out of the list (kiosk.trash can bring it back as it was)."""
    _commit_unless_stale(event, expected_version, trash.move_to_trash)


def restore_from_trash(event: Event, expected_version: int | None) -> None:
    """Bring a trashed event back to the list (and to the kiosk, if it was published)."""
    _commit_unless_stale(event, expected_version, trash.restore_from_trash)


def purge_event(event: Event, expected_version: int | None) -> None:
    """Delete a trashed event for good (raises trash.NotInTrash for any other)."""
    _commit_unless_stale(event, expected_version, trash.purge)


def restore_revision(entity: Event | Era, revision, expected_version: int | None):
    """Make ``entity`` what ``revision`` recorded, as a new revision, with an audit entry; one transaction.

    Raises conflicts.EditConflict when it changed since ``expected_version``, revisions.RestoreRefused or
    SaveRefused when the old version cannot be applied now; nothing is written then.
    """
    if conflicts.is_stale(entity, expected_version):
        raise conflicts.EditConflict(entity)
    try:
        restored = revisions.restore(entity, revision)
        kind = "event" if isinstance(entity, Event) else "era"
        audit.record(f"{kind}.restore-revision", _target(entity), restored.note)
        db.session.commit()
    except BaseException as error:
        _give_up(error, entity, None)
        raise
    return restored


@dataclass
class EraChanges:
    name: str
    slug: str
    start_year: int
    end_year: int
    colour: str
    description: str


def submitted_era_item(era: Era | None, changes: EraChanges) -> dict:
    """What saving ``changes`` would make of ``era`` (None: a new one, placed last), as an item."""
    slug = changes.slug or unique_slug(
        Era, slugify(changes.name, fallback="era"), exclude_id=era.id if era else None
    )
    position = era.position if era else (db.session.scalar(select(func.max(Era.position))) or 0) + 1
    return {
        "slug": slug,
        "name": changes.name,
        "start_year": changes.start_year,
        "end_year": changes.end_year,
        "colour": changes.colour.lower(),
        "description": changes.description,
        "position": position,
    }


def save_era(
    era: Era | None, changes: EraChanges, expected_version: int | None = None, note: str = ""
) -> Era:
    creating = era is None
    item = submitted_era_item(era, changes)
    slug = item["slug"]
    if era is not None and conflicts.is_stale(era, expected_version):
        raise conflicts.EditConflict(era, item)
    try:
        before = None if era is None else revisions.snapshot(era)
        if era is None:
            era = Era(slug=slug)
            kiosk_json.apply_era_item(era, item)
            db.session.add(era)
        else:
            era.slug = slug
            kiosk_json.apply_era_item(era, item)
        revisions.record(era, note, before=before)
        audit.record("era.create" if creating else "era.save", _target(era))
        db.session.commit()
    except BaseException as error:
        _give_up(error, era, item)
        raise
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
            changed.append((item, revisions.snapshot(item)))
            item.position = position
    db.session.flush()
    for item, before in changed:
        revisions.record(item, note=_("Moved in the order"), before=before)
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
        db.session.scalar(counted.where(Event.deleted_at.is_(None))) or 0,
        db.session.scalar(counted.where(Event.deleted_at.is_not(None))) or 0,
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
    search = search.replace("\x00", "")  # no stored text holds NUL, and PostgreSQL refuses it in a query
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
