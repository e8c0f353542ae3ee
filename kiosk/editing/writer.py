"""The one writer: every change to events and eras (and to the timeline's title and further reading) goes
through this module, and nothing else writes them.

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
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import JSON, Connection, Dialect, Select, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from .. import database
from ..content import media, published, settings_store, site_text
from ..content.dates import PartialDate
from ..extensions import db
from ..interchange import kiosk_json
from ..languages import localized
from ..models import Era, EraTranslation, Event, EventTranslation, Revision, Setting, Status, utcnow
from . import audit, conflicts, revisions, trash

logger = logging.getLogger(__name__)

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*\Z")

EditConflict = conflicts.EditConflict


class SaveRefused(ValueError):
    """A change the database refused; nothing was written. ``field`` names the form field it is about."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class DatabaseBusy(SaveRefused):
    """The database stayed locked by another change (a large import, say) for too long; try again."""


class ReferenceChanged(SaveRefused):
    """Something the change refers to (an era, an image) changed or went a moment ago."""


def _refusal(error: BaseException, entity: Event | Era | None, submitted: dict | None) -> Exception | None:
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


@contextmanager
def _transaction(entity: Event | Era | None = None, submitted: dict | None = None) -> Iterator[None]:
    """One change, one transaction: committed, or rolled back with what the database refused explained."""
    try:
        yield
        db.session.commit()
    except BaseException as error:
        db.session.rollback()  # the entity now reads the version that is saved
        refusal = _refusal(error, entity, submitted)
        if refusal is None:
            raise
        logger.warning("Refused a change to %r: %s", entity, error)
        raise refusal from error


def _check_version(entity: Event | Era, expected_version: int | None, submitted: dict | None = None) -> None:
    if conflicts.is_stale(entity, expected_version):
        raise conflicts.EditConflict(entity, submitted)


def _record(
    entity: Event | Era, note: str, action: str | None, detail: str = "", before: dict | None = None
) -> Revision:
    """Bump the version (UPDATE … WHERE version = the one loaded, even when nothing else changed: a save
    that changes nothing is checked too), then the revision under the new number and the audit entry
    (``action`` None: the caller writes one entry for several changes)."""
    entity.updated_at = utcnow()
    db.session.flush()  # StaleDataError when another save bumped the version first
    revision = revisions.record(entity, note, before=before)
    if action:
        audit.record(action, _target(entity), detail)
    return revision


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
    place: dict | None = None  # checked by kiosk.content.places
    figure: dict | None = None  # checked by kiosk.content.figures


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

    Raises conflicts.EditConflict (nothing written) when the event changed since ``expected_version``,
    SaveRefused when the database refused it (DatabaseBusy: try again).
    """
    creating = event is None
    slug = changes.slug or unique_slug(
        Event, slugify(changes.headline), exclude_id=event.id if event else None
    )
    if event is not None:
        _check_version(event, expected_version, submitted_event_item(event, changes))
    was_published = event is not None and event.status == Status.PUBLISHED
    stored = media.store(changes.new_image) if changes.new_image is not None else None
    item = event_item(changes, slug, _image_item(event, changes, stored))
    try:
        with _transaction(event, item):
            before = None if event is None else revisions.snapshot(event)
            if event is None:
                # Filled in before it joins the session, so no query flushes a half-made event.
                event = Event(slug=slug)
                kiosk_json.apply_event_item(event, item, changes.era)
                db.session.add(event)
            else:
                event.slug = slug
                kiosk_json.apply_event_item(event, item, changes.era)
            action = _event_action(creating, was_published, event.status == Status.PUBLISHED)
            _record(event, note, action, before=before)
    except BaseException:
        media.discard(stored)
        raise
    return event


def move_event_to_trash(event: Event, expected_version: int | None) -> None:
    """Take the event off the kiosk and out of the list (kiosk.editing.trash can bring it back as it was)."""
    _check_version(event, expected_version)
    with _transaction(event):
        if trash.move_to_trash(event):
            _record(event, _("Moved to the trash"), "event.trash", event.headline)


def restore_from_trash(event: Event, expected_version: int | None) -> None:
    """Bring a trashed event back to the list (and to the kiosk, if it was published)."""
    _check_version(event, expected_version)
    with _transaction(event):
        if trash.restore_from_trash(event):
            _record(event, _("Restored from the trash"), "event.restore", event.headline)


def purge_event(event: Event, expected_version: int | None) -> None:
    """Delete a trashed event for good (raises trash.NotInTrash for any other); no revision outlives it."""
    _check_version(event, expected_version)
    with _transaction(event):
        audit.record("event.purge", _target(event), event.headline)
        trash.purge(event)
        db.session.flush()  # DELETE … WHERE version = the one loaded


def restore_revision(entity: Event | Era, revision: Revision, expected_version: int | None) -> Revision:
    """Make ``entity`` what ``revision`` recorded, as a new revision, with an audit entry; one transaction.

    Raises conflicts.EditConflict when it changed since ``expected_version``, revisions.RestoreRefused or
    SaveRefused when the old version cannot be applied now; nothing is written then.
    """
    _check_version(entity, expected_version)
    with _transaction(entity):
        before = revisions.snapshot(entity)
        note = revisions.restore(entity, revision)
        kind = "event" if isinstance(entity, Event) else "era"
        restored = _record(entity, note, f"{kind}.restore-revision", note, before=before)
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
    """Create (``era`` None) or update an era; raises like save_event."""
    creating = era is None
    item = submitted_era_item(era, changes)
    if era is not None:
        _check_version(era, expected_version, item)
    with _transaction(era, item):
        before = None if era is None else revisions.snapshot(era)
        if era is None:
            era = Era(slug=item["slug"])
            kiosk_json.apply_era_item(era, item)
            db.session.add(era)
        else:
            kiosk_json.apply_era_item(era, item)
        _record(era, note, "era.create" if creating else "era.save", before=before)
    return era


def ordered_eras() -> list[Era]:
    return list(db.session.scalars(select(Era).order_by(Era.position, Era.start_year, Era.id)))


def move_era(era: Era, step: int) -> bool:
    """Move an era one place earlier (-1) or later (+1) in the kiosk's order; False at either end.

    Raises conflicts.EditConflict when another curator changed one of the eras meanwhile.
    """
    eras = ordered_eras()
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
    try:
        with _transaction(era):
            audit.record("era.delete", _target(era), detail)
            # A new era may get this id again: its history must not inherit these revisions.
            db.session.execute(
                delete(Revision).where(Revision.entity_type == "era", Revision.entity_id == era.id)
            )
            db.session.delete(era)
            db.session.flush()  # DELETE … WHERE version = the one loaded
    except ReferenceChanged as error:  # an event joined the era a moment ago
        raise EraInUse(*events_using(era)) from error


@dataclass
class RowChange:
    """One event or era an import creates or updates, worked out from reads alone (see write_batch)."""

    values: dict[str, Any]  # every column it sets (an event's era apart: see ``era``)
    after: dict  # its snapshot once written
    entity_id: int | None = None  # None: a new one
    version: int = 0  # the version it was worked out from (a new one has none yet)
    before: dict | None = None  # its snapshot now, kept first when it has no history yet
    era: str = ""  # an event's era, by slug (it may be new in the same batch)
    visible: bool = False  # visitors see it, before or after
    translations: dict | None = None  # its translations as in documents; None leaves them as they are


@dataclass
class Batch:
    """Everything one import changes, written in one short transaction, all or nothing."""

    note: str
    source: str
    detail: str = ""
    eras: list[RowChange] = field(default_factory=list)
    events: list[RowChange] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)


def write_batch(batch: Batch) -> None:
    """Write an import's changes in bulk (one statement for many rows at a time), then commit.

    Everything was read, checked and matched beforehand, and every value is converted for the database
    driver before the first write (the rows, the revisions' snapshots), so the write lock is held for the
    statements alone. Every row still gets its version check and bump, and one revision numbered by the
    new version. Raises SaveRefused (nothing written) when an event or era changed since the batch was
    worked out, or DatabaseBusy.
    """
    dialect, now = db.session.get_bind().dialect, utcnow()
    era_ids = dict(db.session.execute(select(Era.slug, Era.id)).all())
    eras = _BulkRows(Era, batch.eras, dialect, now, era_ids)
    events = _BulkRows(Event, batch.events, dialect, now, era_ids)
    with _transaction():
        connection = db.session.connection()
        for key, value in batch.settings.items():
            settings_store.put(key, value)
        revision_rows = eras.write(connection, batch.note)
        events.resolve_new_eras(connection)
        revision_rows += events.write(connection, batch.note)
        _write_translations(connection, Era, batch.eras, now)
        _write_translations(connection, Event, batch.events, now)
        revisions.insert_many(connection, revision_rows)
        audit.record("import", batch.source, batch.detail)
        if any(change.visible for change in (*batch.eras, *batch.events)):
            published.bump_version(connection)


def _write_translations(
    connection: Connection, owner: type[Era] | type[Event], changes: list[RowChange], now
) -> None:
    """Replace the translations of the rows whose change carries them (after their rows are written)."""
    changed = [change for change in changes if change.translations is not None]
    if not changed:
        return
    model: type[EventTranslation] | type[EraTranslation]
    fields: tuple[str, ...]
    if owner is Event:
        model, key, fields = EventTranslation, "event_id", localized.EVENT_FIELDS
    else:
        model, key, fields = EraTranslation, "era_id", localized.ERA_FIELDS
    ids = dict(connection.execute(select(owner.slug, owner.id)).all())
    owner_ids = [change.entity_id or ids[change.values["slug"]] for change in changed]
    connection.execute(delete(model).where(getattr(model, key).in_(owner_ids)))
    rows = [
        {key: owner_id, "locale": locale, "source_hash": texts.get("source_hash") or ""}
        | {name: texts.get(name) or "" for name in fields}
        | {"updated_at": now, "version": 1}
        for change, owner_id in zip(changed, owner_ids, strict=True)
        for locale, texts in sorted((change.translations or {}).items())
    ]
    if rows:
        connection.execute(insert(model), rows)


def _driver_value(column, dialect: Dialect):
    """How a value goes to the driver for this column: JSON as the text SQLAlchemy's JSON type writes
    (PostgreSQL parses it), anything else through the type's own conversion, if it has one."""
    if isinstance(column.type, JSON):
        if column.type.none_as_null:  # no value is SQL NULL there (an event's place or figure)
            return lambda value: None if value is None else revisions.serialised(value)
        return revisions.serialised
    return column.type.bind_processor(dialect)


class _BulkRows:
    """One table's updates and inserts for write_batch, with every value converted for the driver (and
    every snapshot serialised) beforehand: inside the transaction, only the statements run."""

    def __init__(
        self, model: type[Era] | type[Event], changes: list[RowChange], dialect: Dialect, now, era_ids: dict
    ):
        table = model.__table__
        self.model, self.changes, self.kind = model, changes, model.__tablename__
        columns = list(changes[0].values) if changes else []  # the same for every change of a table
        names = [*columns, *(["era_id"] if changes and changes[0].era else [])]
        quote, mark = dialect.identifier_preparer.quote, "?" if dialect.paramstyle == "qmark" else "%s"
        processors = [_driver_value(table.c[name], dialect) for name in [*names, "updated_at"]]
        stamp = processors[-1](now) if processors[-1] else now
        self.update_sql = (
            f"UPDATE {quote(self.kind)} SET {', '.join(f'{quote(name)} = {mark}' for name in names)}, "
            f"updated_at = {mark}, version = version + 1 WHERE id = {mark} AND version = {mark}"
        )
        inserted = [*names, "created_at", "updated_at", "version"]
        self.insert_sql = (
            f"INSERT INTO {quote(self.kind)} ({', '.join(quote(name) for name in inserted)}) "
            f"VALUES ({', '.join([mark] * len(inserted))})"
        )
        self.era_place = names.index("era_id") if "era_id" in names else None
        self.updates: list[list] = []
        self.inserts: list[list] = []
        self.new_eras: list[tuple[list, str]] = []  # rows whose era this import creates
        for change in changes:
            values = [change.values[name] for name in columns] + (
                [era_ids.get(change.era)] if change.era else []
            )
            row = [
                process(value) if process else value
                for value, process in zip(values, processors[:-1], strict=True)
            ]
            if change.entity_id is None:
                row += [stamp, stamp, 1]
                self.inserts.append(row)
            else:
                row += [stamp, change.entity_id, change.version]
                self.updates.append(row)
            if change.era and change.era not in era_ids:
                self.new_eras.append((row, change.era))
        self.texts = [
            (
                revisions.serialised(change.before) if change.before else None,
                revisions.serialised(change.after),
            )
            for change in changes
        ]

    def resolve_new_eras(self, connection: Connection) -> None:
        """Events of eras this import creates get those eras' ids, now that they have them."""
        if self.new_eras and self.era_place is not None:
            era_ids = dict(connection.execute(select(Era.slug, Era.id)).all())
            for row, slug in self.new_eras:
                row[self.era_place] = era_ids[slug]

    def write(self, connection: Connection, note: str) -> list[tuple[str, int, int, str, str]]:
        """Run the statements; the revisions to record, numbered by the new versions."""
        updated = (
            connection.exec_driver_sql(self.update_sql, [tuple(row) for row in self.updates])
            if self.updates
            else None
        )
        if updated is not None and updated.rowcount != len(self.updates):  # one changed since it was read
            raise SaveRefused(
                _(
                    "Someone changed the timeline while this import was being checked. "
                    "Nothing was imported: please try again."
                )
            )
        if self.inserts:
            connection.exec_driver_sql(self.insert_sql, [tuple(row) for row in self.inserts])
        ids = dict(connection.execute(select(self.model.slug, self.model.id)).all()) if self.inserts else {}
        found = []
        for change, (before, after) in zip(self.changes, self.texts, strict=True):
            entity_id = change.entity_id or ids[change.values["slug"]]
            number = change.version + 1  # a new row: 0 + 1
            if before is not None:
                found.append((self.kind, entity_id, number - 1, before, str(revisions.FIRST_NOTE)))
            found.append((self.kind, entity_id, number, after, note))
        return found


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


def listed_event(event_id: int) -> Select[Event]:
    """The event with this id, unless it is in the trash (for db.first_or_404)."""
    return select(Event).where(Event.id == event_id, Event.deleted_at.is_(None))


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
    if event.image_id and not media.is_present(event.image):
        codes.append("image-file-missing")
    return codes


def save_translation(
    entity: Event | Era, locale: str, texts: dict[str, str], expected_version: int | None, note: str = ""
) -> Event | Era:
    """Save an event's or era's text in another language, like any change: a revision, an audit entry,
    EditConflict when someone saved it meanwhile. The translation records a fingerprint of the default
    text it was made from, so the list shows it as out of date once that text changes."""
    fields: tuple[str, ...]
    if isinstance(entity, Event):
        fields, source, action = localized.EVENT_FIELDS, localized.event_source(entity), "event.translate"
    else:
        fields, source, action = localized.ERA_FIELDS, localized.era_source(entity), "era.translate"
    translations = revisions.snapshot(entity)["translations"]
    translations[locale] = {name: texts.get(name, "") for name in fields} | {
        "source_hash": localized.source_hash(source)
    }
    item = {"translations": translations}
    _check_version(entity, expected_version, item)
    with _transaction(entity, item):
        before = revisions.snapshot(entity)
        if isinstance(entity, Event):
            kiosk_json.apply_event_item(entity, before | item, entity.era)
        else:
            kiosk_json.apply_era_item(entity, before | item)
        _record(entity, note, action, locale, before=before)
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


def save_opening_hours(text: str | None, loaded_fingerprint: str) -> bool:
    """Save the museum's opening hours (the text kiosk.telemetry.fleet reads; None: back to
    KIOSK_OPENING_HOURS); False when nothing changed.

    Checked and written like the other settings: refused with SettingsChanged when they are no longer
    what the form was loaded from (``loaded_fingerprint``, settings_store.fingerprint), written only where
    they still hold what was read, with an audit entry of the old and new values. Visitors never see
    them, so the content version stays where it is.
    """
    key = "opening_hours"
    with _transaction():
        rows = settings_store.stored_many(key)
        if settings_store.fingerprint(rows) != loaded_fingerprint:
            raise SettingsChanged()
        before = settings_store.decoded(rows)[key]
        if before == text:
            return False
        if not _swap_setting(db.session.connection(), key, rows[key], text):
            raise SettingsChanged()
        detail = {"before": {key: before}, "after": {key: text}}
        audit.record("settings.save", key, json.dumps(detail, ensure_ascii=False))
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
