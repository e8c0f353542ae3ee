"""Revisions: a snapshot of an event, era or place after every save, so no curator's work is ever lost.

Snapshots are items of the field table's shape (kiosk.content.fields.item_of). ``diff`` turns
two snapshots into readable differences for the history page; ``restore`` brings an old one back as a
new revision.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from flask import has_request_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import Connection, Dialect, Select, insert, select

from .. import database
from ..content import fields
from ..content.dates import PartialDate
from ..extensions import db
from ..languages import choice
from ..models import Era, Event, Place, Revision, utcnow
from . import audit

Entity = fields.Entity


def _kind(entity: Entity) -> str:
    return entity.__tablename__


def snapshot(entity: Entity) -> dict:
    return fields.item_of(entity)


def _signer() -> tuple[int | None, str]:
    """Who a revision is by: the signed-in curator, or the command line."""
    if has_request_context() and getattr(current_user, "is_authenticated", False):
        return current_user.id, current_user.username
    return None, audit.NO_CURATOR


def row(kind: str, number: int, snapshot: dict, note: str = "") -> dict:
    """A revision for Bulk (its entity's id is set when known)."""
    return {"entity_type": kind, "entity_id": 0, "number": number, "snapshot": snapshot, "note": str(note)}


class Bulk(database.BulkRows):
    """Revisions inserted in bulk (``row`` each), signed by whoever is signed in, made ready before the
    transaction that writes them: thousands of snapshots are serialised outside it."""

    def __init__(self, rows: list[dict], dialect: Dialect) -> None:
        user_id, username = _signer()
        signed = insert(Revision).values(user_id=user_id, username=username, created_at=utcnow())
        super().__init__(signed, dialect, rows)

    def run(self, connection: Connection):
        return super().run(connection) if self.rows else None


def _new_revision(kind: str, entity_id: int, number: int, taken: dict, note: str) -> Revision:
    user_id, username = _signer()
    revision = Revision(
        entity_type=kind,
        entity_id=entity_id,
        number=number,
        snapshot=taken,
        note=str(note),
        user_id=user_id,
        username=username,
    )
    db.session.add(revision)
    return revision


FIRST_NOTE = _l("As it was before the first recorded change")


def record(entity: Entity, note: str = "", before: dict | None = None, after: dict | None = None) -> Revision:
    """Stage a revision of ``entity`` as it is now, numbered by its version.

    Only kiosk.editing.writer calls this, after flushing the change, which bumped the version: of two saves of
    the same version only one can bump it, so no two revisions ever get the same number. ``before`` is
    the snapshot from before the change: when the entity has no history yet (content from before every
    change was recorded) it is kept first, under the previous version's number, so the change can be undone.
    """
    kind = _kind(entity)
    if before is not None and not has_history(kind, entity.id):
        _new_revision(kind, entity.id, entity.version - 1, before, FIRST_NOTE)
    return _new_revision(kind, entity.id, entity.version, after or snapshot(entity), note)


def has_history(kind: str, entity_id: int) -> bool:
    query = select(Revision.id).where(Revision.entity_type == kind, Revision.entity_id == entity_id)
    return db.session.scalar(query.limit(1)) is not None


def with_history(kind: str) -> set[int]:
    """The ids of every event (or era) that has at least one revision."""
    return set(db.session.scalars(select(Revision.entity_id).where(Revision.entity_type == kind).distinct()))


def history(entity: Entity) -> list[Revision]:
    return list(
        db.session.scalars(
            select(Revision)
            .where(Revision.entity_type == _kind(entity), Revision.entity_id == entity.id)
            .order_by(Revision.number.desc())
        )
    )


def numbered(entity: Entity, number: int) -> Select[Revision]:
    """The revision with this number (for db.first_or_404)."""
    return select(Revision).where(
        Revision.entity_type == _kind(entity), Revision.entity_id == entity.id, Revision.number == number
    )


# --- Differences --------------------------------------------------------------------------------------


# What curators call each snapshot field, events' and eras' (kiosk.content.fields); their keys' order is
# the order differences are listed in.
def labels() -> dict:
    """What curators call each snapshot field, events' and eras' (kiosk.content.fields), in the order
    differences are listed in."""
    return {key: label for table in fields.TABLES.values() for key, label in table.labels.items()}


def nested() -> dict[str, tuple[str, ...]]:
    return {group: names for table in fields.TABLES.values() for group, names in table.groups.items()}


LONG_TEXT = 60  # characters; longer values also get a word-by-word comparison
_WORDS = re.compile(r"\s+|[^\s]+")


@dataclass
class FieldChange:
    field: str  # the snapshot key ("headline", "image.alt")
    label: str
    before: str
    after: str
    # For long text: (operation, text) pieces, operation "same", "removed" or "added".
    words: list[tuple[str, str]] | None = None


def _flatten(snap: dict | None) -> dict:
    flat, groups = {}, nested()
    for key, value in (snap or {}).items():
        if key in groups:
            for part in groups[key]:
                flat[f"{key}.{part}"] = (value or {}).get(part)
        elif key == "translations":
            # Each translated field compares on its own ("translations.ru.headline"); the fingerprint of
            # the text a translation was made from is bookkeeping, not something a curator wrote.
            for locale, texts in sorted((value or {}).items()):
                for name, text in texts.items():
                    if name != "source_hash":
                        flat[f"translations.{locale}.{name}"] = text
        else:
            flat[key] = value
    return flat


# A translation's fields by their translation keys ("image_alt"), as the field they translate ("image.alt").
def label(key: str) -> str:
    """What curators call a snapshot field; a translated one names its language ("Headline (Русский)")."""
    if key.startswith("translations."):
        _, locale, name = key.split(".", 2)
        translated = {
            spec.translation_key: spec.key
            for table in fields.TABLES.values()
            for spec in table
            if spec.translatable
        }
        base = labels().get(translated.get(name, name), name)
        return f"{base} ({choice.name_for_curators(locale)})"
    return str(labels().get(key, key))


STATUS_LABELS = {"draft": _l("Draft"), "published": _l("Published")}


def value_text(snapshot: dict | None, key: str) -> str:
    """A field's value in a snapshot as curators read it (``key`` as diff() names fields)."""
    return readable(_flatten(snapshot).get(key), key)


def readable(value, key: str = "") -> str:
    """A snapshot value as curators read it."""
    if value is None or value == "":
        return ""
    if key == "status":
        return str(STATUS_LABELS.get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return "\n".join(str(item) for item in value)
    if key == "place":
        return place_text(value)
    if key == "figure" or key.endswith(".figure"):  # (a translation's has no numbers or source)
        return figure_text(value)
    if isinstance(value, dict) and "year" in value:
        date = PartialDate.from_dict(value)
        return date.label() if date else ""
    return str(value)


def place_text(place: dict | str) -> str:
    """An event's place: its web address (kiosk.admin.revisions names it), or a place from before places
    were records of their own on one line per language, then its coordinates: what a curator compares."""
    if isinstance(place, str):
        return place
    lines = [f"{locale}: {name}" for locale, name in place.get("name", {}).items()]
    lines += [f"{locale}: {note}" for locale, note in place.get("note", {}).items()]
    return "\n".join([*lines, f"{place.get('lat')}, {place.get('lon')}"])


def figure_text(figure: dict) -> str:
    parts = (
        ("label", "value", "unit") if figure["rows"] and "value" in figure["rows"][0] else ("label", "unit")
    )
    rows = [" | ".join(str(row.get(part, "")) for part in parts) for row in figure["rows"]]
    return "\n".join([figure.get("title", ""), *rows, figure.get("source", ""), figure.get("confidence", "")])


def word_diff(before: str, after: str) -> list[tuple[str, str]]:
    old, new = _WORDS.findall(before), _WORDS.findall(after)
    pieces: list[tuple[str, str]] = []
    for operation, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if operation == "equal":
            pieces.append(("same", "".join(old[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(("removed", "".join(old[i1:i2])))
        if j2 > j1:
            pieces.append(("added", "".join(new[j1:j2])))
    return pieces


def merge_words(base: str, mine: str, theirs: str) -> str | None:
    """``base`` with both changes made to it, word by word, when they touch different words (the same
    change made by both counts once); None when they overlap, for a person to decide. (A three-way merge
    of words, written here rather than taken from merge3, whose GPL would bind the kiosk.)"""
    words = _WORDS.findall(base)
    edits: list[tuple[int, int, list[str]]] = []
    for changed in (mine, theirs):
        new = _WORDS.findall(changed)
        matcher = difflib.SequenceMatcher(a=words, b=new, autojunk=False)
        edits += [(i1, i2, new[j1:j2]) for op, i1, i2, j1, j2 in matcher.get_opcodes() if op != "equal"]
    edits.sort(key=lambda edit: (edit[0], edit[1]))
    merged: list[str] = []
    position, previous = 0, None
    for start, end, replacement in edits:
        if previous is not None and (start, end, replacement) == previous:
            continue  # both made this very change
        if previous is not None and (start < previous[1] or start == previous[0] == previous[1] == end):
            return None  # the same words (or the same gap) changed differently
        merged += words[position:start] + replacement
        position, previous = end, (start, end, replacement)
    return "".join(merged + words[position:])


def diff(old: dict | None, new: dict | None, fields: list[str] | None = None) -> list[FieldChange]:
    """The fields that differ between two snapshots (``old`` may be None for a first revision), in order."""
    before, after = _flatten(old), _flatten(new)
    if fields is None:
        keys = [key for key in labels() if key in before or key in after]
        keys += [key for key in {**before, **after} if key not in keys]
    else:
        keys = list(fields)
    changes = []
    for key in keys:
        old_text, new_text = readable(before.get(key), key), readable(after.get(key), key)
        if old_text == new_text:  # equal, or equal to a reader (an empty text and no text)
            continue
        long_text = max(len(old_text), len(new_text)) > LONG_TEXT or "\n" in old_text + new_text
        changes.append(
            FieldChange(
                field=key,
                label=label(key),
                before=old_text,
                after=new_text,
                words=word_diff(old_text, new_text) if long_text and old_text and new_text else None,
            )
        )
    return changes


def diff_revisions(older: Revision | None, newer: Revision) -> list[FieldChange]:
    return diff(older.snapshot if older else None, newer.snapshot)


# --- Restoring ----------------------------------------------------------------------------------------


class RestoreRefused(ValueError):
    """The old revision cannot be applied as it is; the message says why. Nothing was changed."""


def restore(entity: Entity, revision: Revision, item: dict | None = None) -> str:
    """Make ``entity`` what ``revision`` recorded (``item``: its snapshot with its place recorded, as the
    writer made it); returns the note for the new revision.

    Only kiosk.editing.writer calls this (it checks the version, records the revision and commits).
    """
    if (revision.entity_type, revision.entity_id) != (_kind(entity), entity.id):
        raise RestoreRefused(_("That revision belongs to something else."))
    item = item or revision.snapshot
    model = type(entity)
    if item["slug"] != entity.slug and db.session.scalar(select(model.id).where(model.slug == item["slug"])):
        raise RestoreRefused(
            _("The web address %(slug)s is now used by something else; change that first.", slug=item["slug"])
        )
    entity.slug = item["slug"]
    if isinstance(entity, Event):
        era = db.session.scalar(select(Era).where(Era.slug == item["era"]))
        if era is None:
            raise RestoreRefused(
                _("The era %(era)s no longer exists; choose another era first.", era=item["era"])
            )
        place = item.get("place")
        if place and not db.session.scalar(select(Place.id).where(Place.slug == place)):
            raise RestoreRefused(
                _("The place %(place)s no longer exists; choose another place first.", place=place)
            )
        fields.apply(entity, item, era)
    else:
        fields.apply(entity, item)
    return _("Restored revision %(number)s", number=revision.number)
