"""The one writer: every change to events, eras and places (and to the timeline's title and further
reading) goes through this module, and nothing else writes them.

Admin saves, merges after a conflict, restores from history, the trash, era moves and deletes, imports and
``flask seed`` all end here. For every change it checks the version the curator (or the import) started
from, applies the change, bumps the version with an UPDATE … WHERE version = the one loaded (also when
nothing else changed, so a re-save of an unchanged form is checked like any other), records exactly one
revision numbered by the new version, writes the audit entry, and commits or rolls back. What the
database refuses becomes a message a curator can act on: a stale version raises conflicts.EditConflict
(carrying what they submitted, for the field-by-field conflict page), a web address taken a moment ago
raises SaveRefused, a busy database raises DatabaseBusy ("try again"). Views check the input (forms) and
hand over clean values; this module decides what a save means: the slug, the image, publishing.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, cast

from flask import current_app, has_app_context
from flask_babel import gettext as _
from sqlalchemy import Connection, Dialect, Table, bindparam, delete, func, insert, select, update
from sqlalchemy import event as sa_event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from .. import database
from ..content import fields, media, places, published, settings_store, site_text
from ..extensions import db
from ..languages import localized
from ..models import (
    Era,
    EraTranslation,
    Event,
    EventTranslation,
    Place,
    PlaceTranslation,
    Revision,
    Setting,
    Status,
    utcnow,
)
from . import audit, conflicts, drafts, reads, revisions, search, trash

logger = logging.getLogger(__name__)

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*\Z")

EditConflict = conflicts.EditConflict
Entity = fields.Entity


class SaveRefused(ValueError):
    """A change the database refused; nothing was written. ``field`` names the form field it is about."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class DatabaseBusy(SaveRefused):
    """The database stayed locked by another change (a large import, say) for too long; try again."""


class ReferenceChanged(SaveRefused):
    """Something the change refers to (an era, an image) changed or went a moment ago."""


def _refusal(error: BaseException, entity: Entity | None, submitted: dict | None) -> Exception | None:
    """What a failed change means for the curator, or None for a failure that is ours to fix."""
    if isinstance(error, StaleDataError) and entity is not None:  # another save got there first
        return conflicts.EditConflict(entity, submitted)
    if isinstance(error, IntegrityError):
        if "slug" in str(error.orig).lower():  # a unique web address taken a moment ago
            message = _("Another item took this web address a moment ago. Please choose another.")
            return SaveRefused(message, field="slug")
        return ReferenceChanged(
            _("Something this change refers to was changed or deleted a moment ago. Nothing was saved.")
        )
    if database.is_busy(error):
        return DatabaseBusy(
            _(
                "The database is busy with another change (an import, perhaps). Nothing was saved and "
                "everything you typed is still here: please try again in a moment."
            )
        )
    return None


# --- The rule, enforced ------------------------------------------------------------------------------
# The session's info counts the writer's changes under way; a flush that changes what this module owns
# while none is under way is someone writing around it.
WRITING = "kiosk.editing.writer"


class WriteOutsideWriter(RuntimeError):
    """Events, eras, places, translations or visitor-visible settings changed outside kiosk.editing.writer."""


@contextmanager
def _writing() -> Iterator[None]:
    info = db.session.info
    info[WRITING] = info.get(WRITING, 0) + 1
    try:
        yield
    finally:
        info[WRITING] -= 1


def _owned(instance: object) -> bool:
    """Rows only this module writes: what visitors see, and its history's reason to exist."""
    if isinstance(instance, Setting):
        return settings_store.visitor_visible(instance.key)
    return isinstance(instance, Event | Era | Place | EventTranslation | EraTranslation | PlaceTranslation)


# Events that fixture_writes() changed: their search words are made again (kiosk.editing.search).
FIXTURE_CHANGED = "kiosk.editing.writer.fixture_changed"


@sa_event.listens_for(Session, "before_flush")
def _only_the_writer(session: Session, _context, _instances) -> None:
    """A flush that changes events, eras, translations or visitor-visible settings outside this module
    fails in tests and is logged in production (where refusing a change someone is making would lose it):
    such a change has no version check, no revision and no audit entry, and kiosks never hear of it."""
    changed = [*session.new, *session.deleted]
    changed += [instance for instance in session.dirty if session.is_modified(instance)]
    if FIXTURE_CHANGED in session.info:
        session.info[FIXTURE_CHANGED] |= {
            event for instance in changed if (event := _event_of(instance)) is not None
        }
    if session.info.get(WRITING):
        return
    stray = sorted({repr(instance) for instance in changed if _owned(instance)})
    if not stray:
        return
    message = f"Written outside kiosk.editing.writer: {', '.join(stray[:5])}"
    if has_app_context() and current_app.testing:
        raise WriteOutsideWriter(message)
    logger.error(message)


def _event_of(instance: object) -> Event | None:
    if isinstance(instance, EventTranslation):
        return instance.event
    return instance if isinstance(instance, Event) else None


@contextmanager
def fixture_writes() -> Iterator[None]:
    """The escape hatch for test and benchmark set-up, nothing else: rows written straight through the
    session (no version check, revision or audit entry), committed at the end with the content version
    moved on, as after any change visitors might see. The search finds the changed events by their new
    words (search.catch_up makes them when it is next used)."""
    outermost = FIXTURE_CHANGED not in db.session.info  # (set-up may nest them)
    if outermost:
        db.session.info[FIXTURE_CHANGED] = set()
    try:
        with _writing():
            yield
            db.session.flush()
            changed = db.session.info.get(FIXTURE_CHANGED, set())
            search.forget([event.id for event in changed if event.id is not None])
            published.bump_version(db.session.connection())
            db.session.commit()
    finally:
        if outermost:
            db.session.info.pop(FIXTURE_CHANGED, None)


def _visitors_see_it() -> None:
    """The change is one visitors see: the content version moves on in its transaction, so every kiosk
    and page cache picks it up."""
    published.bump_version(db.session.connection())


@contextmanager
def _transaction(entity: Entity | None = None, submitted: dict | None = None) -> Iterator[None]:
    """One change, one transaction: committed, or rolled back with what the database refused explained."""
    try:
        with _writing():
            yield
            db.session.commit()
    except BaseException as error:
        db.session.rollback()  # the entity now reads the version that is saved
        refusal = _refusal(error, entity, submitted)
        if refusal is None:
            raise
        logger.warning("Refused a change to %r: %s", entity, error)
        raise refusal from error


def _check_version(entity: Entity, expected_version: int | None, submitted=None) -> None:
    """Refuse a change made to an older version (``submitted``: what the curator's save would make of
    it, for the conflict page, or a function that works it out). The version a form carried, as a whole
    number (or None), is compared here: kiosk.editing.conflicts.is_stale reads it from a form."""
    if expected_version is None or expected_version != entity.version:
        raise conflicts.EditConflict(entity, submitted() if callable(submitted) else submitted)


def _record(
    entity: Entity,
    note: str,
    action: str | None,
    detail: str = "",
    before: dict | None = None,
    after: dict | None = None,
    searchable: list[str] | None = None,
) -> Revision:
    """Bump the version (UPDATE … WHERE version = the one loaded, even when nothing else changed: a save
    that changes nothing is checked too), then the revision under the new number (of ``after``, the
    snapshot the change made, when it has one already) and the audit entry (``action`` None: the caller
    writes one entry for several changes); an event's words for the search (of ``searchable``, the texts
    the change left, when it has them already)."""
    target = _target(entity)
    entity.updated_at = utcnow()
    db.session.flush()  # StaleDataError when another save bumped the version first
    revision = revisions.record(entity, note, before=before, after=after)
    if action:
        audit.record(action, target, detail)
    if isinstance(entity, Event):
        search.index(entity, searchable)
    elif isinstance(entity, Place):
        search.index_place(entity)
    return revision


def slugify(text: str, fallback: str = "event") -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80].strip("-")
    return slug or fallback


def unique_slug(model: type[Entity], wanted: str, exclude_id: int | None = None) -> str:
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


def slug_in_use(model: type[Entity], slug: str, exclude_id: int | None = None) -> bool:
    query = select(func.count(model.id)).where(model.slug == slug)
    if exclude_id:
        query = query.where(model.id != exclude_id)
    return bool(db.session.scalar(query))


@dataclass
class EventChanges:
    """An event's new values as the form checked them: an item of the field table's shape (without its
    slug when the curator left it empty, its era and its image's key and address, which the save decides;
    its place as typed, {"name", "note", "lat", "lon"}, which the save finds or makes the record of), the
    era chosen, and what to do with the image."""

    item: dict[str, Any]
    era: Era
    new_image: media.PreparedImage | None = None
    remove_image: bool = False

    @property
    def slug(self) -> str:
        return self.item.get("slug") or ""


def _event_action(creating: bool, was_published: bool, now_published: bool) -> str:
    if creating:
        return "event.create"
    if was_published != now_published:
        return "event.publish" if now_published else "event.unpublish"
    return "event.save"


def event_item(event: Event | None, changes: EventChanges, slug: str, stored=None) -> dict:
    """What the curator submitted, as an item: with the new upload (``stored``), the image kept (the one
    the form showed: its unpublished changes' when it has them), or none (its texts kept either way;
    fields.change tidies an image object with nothing in it away)."""
    if stored is not None:
        key, url = stored.key, None
    elif changes.remove_image or event is None:
        key, url = None, None
    elif event.draft_number is None:
        key, url = (event.image.key if event.image else None), (event.remote_media_url or None)
    else:
        kept = drafts.working_item(event).get("image") or {}
        key, url = kept.get("key"), kept.get("url")
    image = (changes.item.get("image") or {}) | {"key": key, "url": url}
    item = changes.item | {"slug": slug, "era": changes.era.slug, "image": image}
    if "place" in item:
        item["place"] = _place_slug(item["place"])
    return item


def _target(entity: Entity) -> str:
    return f"{entity.__tablename__} {entity.slug}"


def _place_slug(value: str | dict | None, note: str = "") -> str | None:
    """The slug of the place an item names: by its slug, or a place typed ({"name", "note", "lat", "lon"})
    or carried inside an event (older documents and snapshots, kiosk.content.places.clean) by its name and
    coordinates (kiosk.editing.reads.place_matching). A place not recorded yet is made, with a revision and an
    audit entry, when ``note`` says why (inside a change's transaction); otherwise its slug-to-be is given."""
    if value is None or isinstance(value, str):
        return value
    wanted = places.record_of(places.clean(value) or {})
    found = reads.place_matching(wanted["name"], wanted["lat"], wanted["lon"])
    if found is not None:
        return found.slug
    slug = unique_slug(Place, places.key(wanted["name"]))
    if note:
        made = Place(slug=slug)
        made_from = localized.source_hash(fields.item_source(fields.PLACE, wanted))
        translations = {
            locale: texts | {"source_hash": made_from} for locale, texts in wanted["translations"].items()
        }
        fields.apply(made, wanted | {"slug": slug, "translations": translations})
        db.session.add(made)
        _record(made, note, "place.create", made.name)
    return slug


def _made_for(item: dict) -> str:
    return _("Made for the event “%(headline)s”", headline=item["headline"])


def _event_slug(event: Event | None, changes: EventChanges) -> str:
    return changes.slug or unique_slug(
        Event, slugify(changes.item["headline"]), exclude_id=event.id if event else None
    )


def submitted_event_item(event: Event, changes: EventChanges) -> dict:
    """What saving ``changes`` would make of ``event``, as an item to compare with what is saved now.

    A newly chosen image is not part of it (it is stored only when the save goes ahead).
    """
    return fields.EVENT.tidy(event_item(event, changes, _event_slug(event, changes)))


def save_event(
    event: Event | None,
    changes: EventChanges,
    expected_version: int | None = None,
    note: str = "",
    *,
    draft: bool = False,
) -> Event:
    """Create (``event`` None) or update an event, in one transaction with its revision and audit entry.
    With ``draft``, the changes to an event are kept as its unpublished changes (kiosk.editing.drafts)
    and the event stays as it is; without it they are the event's, and any unpublished changes are
    settled by them (the form that sent them showed them).

    Raises conflicts.EditConflict (nothing written) when the event changed since ``expected_version``,
    SaveRefused when the database refused it (DatabaseBusy: try again).
    """
    creating = event is None
    slug = _event_slug(event, changes)
    if event is not None:
        _check_version(event, expected_version, lambda: submitted_event_item(event, changes))
    if draft and event is not None:
        return _save_draft(event, changes, slug, note)
    was_published = event is not None and event.status == Status.PUBLISHED
    was_visible = event is not None and event.is_visible
    stored = media.store(changes.new_image) if changes.new_image is not None else None
    item = event_item(event, changes, slug, stored)
    try:
        with _transaction(event, item):
            if "place" in changes.item:  # a place not recorded yet is made first
                item["place"] = _place_slug(changes.item["place"], note=_made_for(item))
            # Made whole before it joins the session, so no query flushes a half-made event.
            saved = event or Event(slug=slug)
            made = fields.change(saved, item, changes.era)
            saved.draft_number = None
            if event is None:
                db.session.add(saved)
            action = _event_action(creating, was_published, saved.status == Status.PUBLISHED)
            _record(saved, note, action, before=made.before, after=made.after, searchable=made.searchable)
            if was_visible or saved.is_visible:
                published.bump_version(db.session.connection())  # visitors see it
    except BaseException:
        media.discard(stored)
        raise
    return saved


def _save_draft(event: Event, changes: EventChanges, slug: str, note: str) -> Event:
    """Keep ``changes`` as the event's unpublished changes: a revision of the event as they would make
    it (its translations as they are), which the event names; the event and the kiosk stay as they are."""
    stored = media.store(changes.new_image) if changes.new_image is not None else None
    item = fields.EVENT.tidy(event_item(event, changes, slug, stored))
    item["translations"] = fields.translations_of(event)
    try:
        with _transaction(event, item):
            if "place" in changes.item:  # a place not recorded yet is made first (visitors see it once
                # an event they see is there)
                item["place"] = _place_slug(changes.item["place"], note=_made_for(item))
            before = revisions.snapshot(event)
            event.draft_number = event.version + 1  # the number the revision below gets
            _record(event, note or _("Saved without publishing"), "event.draft", before=before, after=item)
    except BaseException:
        media.discard(stored)
        raise
    return event


class NothingToPublish(SaveRefused):
    """The event is published as it is: its changes were published (or thrown away) a moment ago."""


def publish(event: Event, expected_version: int | None) -> Event:
    """Make what the curators edit (its unpublished changes, else the event itself) what the kiosk shows,
    published, as a new revision with an audit entry; its translations stay as they are. One transaction.

    Raises conflicts.EditConflict when it changed since ``expected_version``, NothingToPublish when the
    kiosk shows it as it is already, SaveRefused when its changes cannot be applied now (their era
    deleted, their web address taken meanwhile); nothing is written then.
    """
    _check_version(event, expected_version)
    if event.draft_number is None and event.status == Status.PUBLISHED:
        raise NothingToPublish(_("“%(headline)s” is published as it is.", headline=event.headline))
    working = drafts.working_item(event)
    era = db.session.scalar(select(Era).where(Era.slug == working["era"]))
    if era is None:
        raise SaveRefused(
            _("The era %(era)s no longer exists: choose another era and save again.", era=working["era"])
        )
    if working.get("place") and fields.find_place(working["place"]) is None:
        raise SaveRefused(
            _(
                "The place %(place)s no longer exists: choose another place and save again.",
                place=working["place"],
            )
        )
    item = {key: value for key, value in working.items() if key != "translations"}
    item["status"] = Status.PUBLISHED.value
    with _transaction(event, item):
        was_visible = event.is_visible
        made = fields.change(event, item, era)
        event.draft_number = None
        _record(event, _("Published"), "event.publish", before=made.before, after=made.after)
        if was_visible or event.is_visible:
            _visitors_see_it()
    return event


def discard_draft(event: Event, expected_version: int | None) -> None:
    """Throw the event's unpublished changes away (its history keeps them); the event stays as it is."""
    _check_version(event, expected_version)
    if event.draft_number is None:
        raise NothingToPublish(
            _(
                "“%(headline)s” has no unpublished changes: they were published or thrown away.",
                headline=event.headline,
            )
        )
    with _transaction(event):
        event.draft_number = None
        _record(event, _("Unpublished changes thrown away"), "event.discard-draft")


def move_event_to_trash(event: Event, expected_version: int | None) -> None:
    """Take the event off the kiosk and out of the list (kiosk.editing.trash can bring it back as it was)."""
    _check_version(event, expected_version)
    with _transaction(event):
        if trash.move_to_trash(event):
            _record(event, _("Moved to the trash"), "event.trash", event.headline)
            if event.status == Status.PUBLISHED:
                _visitors_see_it()


def restore_from_trash(event: Event, expected_version: int | None) -> None:
    """Bring a trashed event back to the list (and to the kiosk, if it was published)."""
    _check_version(event, expected_version)
    with _transaction(event):
        if trash.restore_from_trash(event):
            _record(event, _("Restored from the trash"), "event.restore", event.headline)
            if event.is_visible:
                _visitors_see_it()


def purge_event(event: Event, expected_version: int | None) -> None:
    """Delete a trashed event for good (raises trash.NotInTrash for any other); no revision outlives it."""
    _check_version(event, expected_version)
    with _transaction(event):
        audit.record("event.purge", _target(event), event.headline)
        trash.purge(event)
        db.session.flush()  # DELETE … WHERE version = the one loaded


def restore_revision(entity: Entity, revision: Revision, expected_version: int | None) -> Revision:
    """Make ``entity`` what ``revision`` recorded, as a new revision, with an audit entry; one transaction.

    Raises conflicts.EditConflict when it changed since ``expected_version``, revisions.RestoreRefused or
    SaveRefused when the old version cannot be applied now; nothing is written then.
    """
    _check_version(entity, expected_version)
    with _transaction(entity):
        was_visible = not isinstance(entity, Event) or entity.is_visible
        before = revisions.snapshot(entity)
        item = dict(revision.snapshot)
        if isinstance(item.get("place"), dict):  # a snapshot from before places were records
            item["place"] = _place_slug(item["place"], note=_("Made to restore an older revision"))
        note = revisions.restore(entity, revision, item)
        kind = entity.__tablename__
        restored = _record(entity, note, f"{kind}.restore-revision", note, before=before)
        if was_visible or (isinstance(entity, Event) and entity.is_visible):
            _visitors_see_it()
    return restored


@dataclass
class EraChanges:
    """An era's new values as the form checked them: an item of the field table's shape (its slug empty
    when the curator left it so; its position is not the form's)."""

    item: dict[str, Any]


def submitted_era_item(era: Era | None, changes: EraChanges) -> dict:
    """What saving ``changes`` would make of ``era`` (None: a new one, placed last), as an item."""
    slug = changes.item.get("slug") or unique_slug(
        Era, slugify(changes.item["name"], fallback="era"), exclude_id=era.id if era else None
    )
    position = era.position if era else (db.session.scalar(select(func.max(Era.position))) or 0) + 1
    return changes.item | {"slug": slug, "position": position}


def save_era(
    era: Era | None, changes: EraChanges, expected_version: int | None = None, note: str = ""
) -> Era:
    """Create (``era`` None) or update an era; raises like save_event."""
    creating = era is None
    item = submitted_era_item(era, changes)
    if era is not None:
        _check_version(era, expected_version, item)
    with _transaction(era, item):
        before = None if era is None else revisions.snapshot(era)
        if era is None:
            era = Era(slug=item["slug"])
            fields.apply(era, item)
            db.session.add(era)
        else:
            fields.apply(era, item)
        _record(era, note, "era.create" if creating else "era.save", before=before)
        _visitors_see_it()
    return era


def move_era(era: Era, step: int) -> bool:
    """Move an era one place earlier (-1) or later (+1) in the kiosk's order; False at either end.

    Raises conflicts.EditConflict when another curator changed one of the eras meanwhile.
    """
    eras = reads.ordered_eras()
    index = eras.index(era)
    target = index + step
    if not 0 <= target < len(eras):
        return False
    eras[index], eras[target] = eras[target], eras[index]
    with _transaction(era):
        for position, item in enumerate(eras, start=1):
            if item.position != position:
                before = revisions.snapshot(item)
                item.position = position
                _record(item, _("Moved in the order"), None, before=before)
        audit.record("era.move", _target(era), "earlier" if step < 0 else "later")
        _visitors_see_it()
    return True


class EraInUse(ValueError):
    """An era events still use cannot be deleted."""

    def __init__(self, listed: int, trashed: int):
        super().__init__(f"{listed} events, {trashed} in the trash")
        self.listed, self.trashed = listed, trashed


def delete_era(era: Era) -> None:
    """Delete an era, unless an event (even one in the trash) still uses it."""
    listed, trashed = reads.events_using(era)
    if listed or trashed:
        raise EraInUse(listed, trashed)
    detail = str(revisions.snapshot(era))
    try:
        with _transaction(era):
            audit.record("era.delete", _target(era), detail)
            # A new era may get this id again: its history must not inherit these revisions.
            db.session.execute(
                delete(Revision).where(Revision.entity_type == "era", Revision.entity_id == era.id)
            )
            db.session.delete(era)
            db.session.flush()  # DELETE … WHERE version = the one loaded
            _visitors_see_it()
    except ReferenceChanged as error:  # an event joined the era a moment ago
        raise EraInUse(*reads.events_using(era)) from error


@dataclass
class PlaceChanges:
    """A place's new values as its form checked them: an item of the field table's shape (PLACE)."""

    item: dict[str, Any]


def submitted_place_item(place: Place, changes: PlaceChanges) -> dict:
    """What saving ``changes`` would make of ``place``, as an item."""
    return changes.item | {"slug": changes.item.get("slug") or place.slug}


def save_place(
    place: Place, changes: PlaceChanges, expected_version: int | None = None, note: str = ""
) -> Place:
    """Save a place's own page (its name, note, coordinates, years and web address); raises like save_era.
    Every event at the place shows the change."""
    item = submitted_place_item(place, changes)
    _check_version(place, expected_version, item)
    with _transaction(place, item):
        before = revisions.snapshot(place)
        fields.apply(place, item)
        _record(place, note, "place.save", before=before)
        _visitors_see_it()
    return place


class PlaceInUse(ValueError):
    """A place events still refer to cannot be deleted."""

    def __init__(self, listed: int, trashed: int):
        super().__init__(f"{listed} events, {trashed} in the trash")
        self.listed, self.trashed = listed, trashed


def delete_place(place: Place) -> None:
    """Delete a place no event refers to (not even one in the trash)."""
    listed, trashed = reads.events_at(place)
    if listed or trashed:
        raise PlaceInUse(listed, trashed)
    detail = str(revisions.snapshot(place))
    try:
        with _transaction(place):
            audit.record("place.delete", _target(place), detail)
            # A new place may get this id again: its history must not inherit these revisions.
            db.session.execute(
                delete(Revision).where(Revision.entity_type == "place", Revision.entity_id == place.id)
            )
            db.session.delete(place)
            db.session.flush()  # DELETE … WHERE version = the one loaded
    except ReferenceChanged as error:  # an event came to the place a moment ago
        raise PlaceInUse(*reads.events_at(place)) from error


@dataclass
class RowChange:
    """One event, era or place an import creates or updates, worked out from reads alone (see write_batch)."""

    values: dict[str, Any]  # every column it sets (an event's era and place apart: see ``era``, ``place``)
    after: dict  # its snapshot once written
    entity_id: int | None = None  # None: a new one
    version: int = 0  # the version it was worked out from (a new one has none yet)
    before: dict | None = None  # its snapshot now, kept first when it has no history yet
    era: str = ""  # an event's era, by slug (it may be new in the same batch)
    place: str | None = None  # an event's place, by slug (likewise)
    visible: bool = False  # visitors see it, before or after
    translations: dict | None = None  # its translations as in documents; None leaves them as they are


@dataclass
class Batch:
    """Everything one import changes, written in one short transaction, all or nothing."""

    note: str
    source: str
    detail: str = ""
    eras: list[RowChange] = field(default_factory=list)
    places: list[RowChange] = field(default_factory=list)
    events: list[RowChange] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)


def write_batch(batch: Batch) -> None:
    """Write an import's changes in bulk (one statement for many rows at a time), then commit.

    Everything was read, checked and matched beforehand, and every row (the revisions' too) is converted
    for the database driver before the transaction starts (database.BulkRows), so the write lock is held
    for the statements alone. Every row still gets its version check and bump (UPDATE … WHERE id = … AND
    version = …), and one revision numbered by the new version. Raises SaveRefused (nothing written) when
    an event or era changed since the batch was worked out, or DatabaseBusy.
    """
    dialect, now = db.session.get_bind().dialect, utcnow()
    tables = (
        _TableWrites(Era, batch.eras, dialect, now),
        _TableWrites(Place, batch.places, dialect, now),
        _TableWrites(Event, batch.events, dialect, now),  # last: it refers to the others
    )
    revision_rows = revisions.Bulk([row for table in tables for row in table.snapshots(batch.note)], dialect)
    words = search.Rows([change.after for change in batch.events])
    with _transaction():
        connection = db.session.connection()
        for key, value in batch.settings.items():
            settings_store.put(key, value)
        ids = [entity_id for table in tables for entity_id in table.write(connection)]
        for index, entity_id in enumerate(ids):
            revision_rows.set(index, "entity_id", entity_id)
        revision_rows.run(connection)
        for table in tables:
            _write_translations(connection, table.model, table.changes, now)
        words.write(connection, [change.entity_id for change in batch.places if change.entity_id is not None])
        audit.record("import", batch.source, batch.detail)
        if any(change.visible for change in (*batch.eras, *batch.places, *batch.events)):
            _visitors_see_it()


class _TableWrites:
    """One table's updates and inserts for write_batch: SQLAlchemy Core statements, each run for all its
    rows at once, the rows converted for the driver beforehand (database.BulkRows)."""

    def __init__(self, model: type[Entity], changes: list[RowChange], dialect: Dialect, now) -> None:
        table = cast(Table, model.__table__)
        self.model, self.changes = model, changes
        # An event's era and place may be new: their ids are found later.
        era = {"era_id": None, "place_id": None} if model is Event else {}
        updated = [change for change in changes if change.entity_id is not None]
        checked = (
            update(table)
            .where(table.c.id == bindparam("_id"), table.c.version == bindparam("_version"))
            .values(version=table.c.version + 1, updated_at=now)
        )
        rows = [
            change.values | era | {"_id": change.entity_id, "_version": change.version} for change in updated
        ]
        self.updates = database.BulkRows(checked, dialect, rows)
        self.created = [change for change in changes if change.entity_id is None]
        made = insert(table).values(created_at=now, updated_at=now, version=1)
        self.inserts = database.BulkRows(made, dialect, [change.values | era for change in self.created])
        self.written = [*updated, *self.created]  # in the order the statements write them

    def snapshots(self, note: str) -> list[dict[str, Any]]:
        """Each row's revisions (its first one, when it has none yet, then the new one), in write order."""
        kind, found = self.model.__tablename__, []
        for change in self.written:
            if change.before is not None:
                found.append(revisions.row(kind, change.version, change.before, revisions.FIRST_NOTE))
            found.append(revisions.row(kind, change.version + 1, change.after, note))  # a new row: 0 + 1
        return found

    def write(self, connection: Connection) -> list[int]:
        """Run the statements; the ids of the rows of ``snapshots``, in their order."""
        if not self.changes:
            return []
        if self.model is Event:
            era_ids = dict(connection.execute(select(Era.slug, Era.id)).all())
            place_ids = dict(connection.execute(select(Place.slug, Place.id)).all())
            for index, change in enumerate(self.written):
                rows, at = (
                    (self.updates, index)
                    if change.entity_id
                    else (self.inserts, index - len(self.updates.rows))
                )
                rows.set(at, "era_id", era_ids[change.era])
                rows.set(at, "place_id", place_ids[change.place] if change.place else None)
        if self.updates.rows and self.updates.run(connection).rowcount != len(self.updates.rows):
            raise SaveRefused(  # one changed since it was read
                _(
                    "Someone changed the timeline while this import was being checked. "
                    "Nothing was imported: please try again."
                )
            )
        if self.inserts.rows:
            self.inserts.run(connection)
        ids = dict(connection.execute(select(self.model.slug, self.model.id)).all()) if self.created else {}
        found = []
        for change in self.written:
            entity_id = change.entity_id or ids[change.values["slug"]]
            found += [entity_id] * (2 if change.before is not None else 1)
        return found


def _write_translations(connection: Connection, owner: type[Entity], changes: list[RowChange], now) -> None:
    """Replace the translations of the rows whose change carries them (after their rows are written)."""
    changed = [change for change in changes if change.translations is not None]
    if not changed:
        return
    model = fields.TRANSLATION_MODELS[owner]
    key = f"{owner.__tablename__}_id"
    table = fields.TABLES[owner.__tablename__]
    ids = dict(connection.execute(select(owner.slug, owner.id)).all())
    owner_ids = [change.entity_id or ids[change.values["slug"]] for change in changed]
    connection.execute(delete(model).where(getattr(model, key).in_(owner_ids)))
    rows = [
        {key: owner_id, "locale": locale} | texts | {"updated_at": now, "version": 1}
        for change, owner_id in zip(changed, owner_ids, strict=True)
        for locale, texts in fields.complete_translations(table, change.translations or {}).items()
    ]
    if rows:
        connection.execute(insert(model), rows)


def save_translation(
    entity: Entity, locale: str, texts: dict[str, str], expected_version: int | None, note: str = ""
) -> Entity:
    """Save an event's, era's or place's text in another language, like any change: a revision, an audit
    entry, EditConflict when someone saved it meanwhile. The translation records a fingerprint of the
    default text it was made from, so the list shows it as out of date once that text changes."""
    action = f"{entity.__tablename__}.translate"
    translations = fields.translations_of(entity)
    translatable = [spec for spec in fields.table_of(entity) if spec.translatable]
    translations[locale] = {
        spec.translation_key: texts.get(spec.translation_key) or spec.kind.blank for spec in translatable
    } | {"source_hash": localized.source_hash(fields.source(entity))}
    item = {"translations": translations}
    _check_version(entity, expected_version, item)
    with _transaction(entity, item):
        before = revisions.snapshot(entity)
        fields.apply_translations(entity, item)
        _record(entity, note, action, locale, before=before)
        if not isinstance(entity, Event) or entity.is_visible:
            _visitors_see_it()
    return entity


def save_site_text(locale: str, text: site_text.SiteText, loaded_fingerprint: str) -> bool:
    """Save the timeline's title and further reading in one language; False when nothing changed.

    Raises site_text.SiteTextConflict (nothing written) when the stored text is no longer the one the form
    was loaded from (``loaded_fingerprint``), DatabaseBusy when the database stayed locked. Each setting is
    written with an UPDATE … WHERE value = the one read (or an INSERT that yields to one made meanwhile),
    so a save racing another one is refused by the database. The audit entry keeps the old and the new
    values; the content version moves on, so every kiosk and page cache picks the change up.
    """
    with _transaction():
        rows = site_text.stored(locale)
        before = settings_store.decoded(rows)
        if site_text.text_of(locale, before).fingerprint != loaded_fingerprint:
            raise site_text.SiteTextConflict()
        after = site_text.to_store(locale, text, before)
        changed = [key for key in after if after[key] != before[key]]
        if not changed:
            return False
        connection = db.session.connection()
        if not all(_swap_setting(connection, key, rows[key], after[key]) for key in changed):
            raise site_text.SiteTextConflict()
        detail = {
            "before": {key: before[key] for key in changed},
            "after": {key: after[key] for key in changed},
        }
        target = f"title and further reading ({locale})"
        audit.record("title.save", target, json.dumps(detail, ensure_ascii=False))
        published.bump_version(connection)
    return True


class SettingsChanged(SaveRefused):
    """The settings changed after the form was loaded (another administrator saved); nothing was written."""

    def __init__(self) -> None:
        super().__init__(
            _("Someone else saved the settings a moment ago. Nothing was saved: look at them again.")
        )


def save_settings(values: dict[str, Any], loaded_fingerprint: str) -> bool:
    """Save the kiosk's settings (settings_store.KIOSK_SETTINGS, or some of them); False when nothing changed.

    Checked and written like the title: refused with SettingsChanged when the stored settings are no longer
    those the form was loaded from (``loaded_fingerprint``, settings_store.fingerprint), each setting
    written only where it still holds what was read; an audit entry with the old and new values; the
    content version moves on, since every kiosk screen uses them.
    """
    return _save_settings(settings_store.KIOSK_SETTINGS, values, loaded_fingerprint, visible=True)


def save_opening_hours(text: str | None, loaded_fingerprint: str) -> bool:
    """Save the museum's opening hours (the text kiosk.telemetry.fleet reads; None: back to
    KIOSK_OPENING_HOURS); False when nothing changed. Checked, written and audited like the kiosk's
    settings; visitors never see them, so the content version stays where it is."""
    key = "opening_hours"
    return _save_settings((key,), {key: text}, loaded_fingerprint, visible=False)


def _save_settings(
    keys: tuple[str, ...], values: dict[str, Any], loaded_fingerprint: str, visible: bool
) -> bool:
    with _transaction():
        rows = settings_store.stored_many(*keys)
        if settings_store.fingerprint(rows) != loaded_fingerprint:
            raise SettingsChanged()
        before = settings_store.decoded(rows)
        changed = [key for key in values if values[key] != before[key]]
        if not changed:
            return False
        connection = db.session.connection()
        if not all(_swap_setting(connection, key, rows[key], values[key]) for key in changed):
            raise SettingsChanged()
        detail = {
            "before": {key: before[key] for key in changed},
            "after": {key: values[key] for key in changed},
        }
        audit.record("settings.save", ", ".join(changed), json.dumps(detail, ensure_ascii=False))
        if visible:
            _visitors_see_it()
    return True


def _swap_setting(connection: Connection, key: str, old_text: str | None, value: Any) -> bool:
    """Store a setting only if it still holds ``old_text`` (None: not stored yet); False when it did not."""
    new_text = json.dumps(value, ensure_ascii=False)
    if old_text is None:  # (PostgreSQL gives no row count for an INSERT … ON CONFLICT: it returns the key)
        insert_new = database.insert_or_ignore(Setting).values(key=key, value=new_text)
        inserted = insert_new.on_conflict_do_nothing(index_elements=["key"]).returning(Setting.key)
        return connection.execute(inserted).first() is not None
    written = connection.execute(
        update(Setting).where(Setting.key == key, Setting.value == old_text).values(value=new_text)
    )
    return written.rowcount == 1
