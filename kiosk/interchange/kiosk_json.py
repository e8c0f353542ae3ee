"""Our own JSON interchange format ("kiosk-timeline"): the default content, export and import.

A document holds the title, further reading, eras, places and events; events refer to eras and places by
slug. Every era, place and event carries its translations, and the document the title's. Older documents
are still read: version 3 carries each event's place inside it (no years), version 2 translates fewer of an
event's texts, version 1 has one language. This module knows the document: its checks, the dump, the
language files; each era and event in it is an item of the field table's shape (kiosk.content.fields).
Loading one goes through interchange.importers and kiosk.editing.writer like any import. See
docs/interchange-format.md.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ..content import fields, figures, places, settings_store
from ..content.dates import DateError, PartialDate, check_span
from ..editing import reads
from ..extensions import db
from ..languages import choice, localized
from ..languages.localized import translation_key
from ..models import Era, Event, Place, Status

FORMAT = "kiosk-timeline"
VERSION = 4
READABLE_VERSIONS = (1, 2, 3, 4)
TRANSLATED_FIGURES = 3  # the version from which an event's translation covers its image credit and figure
PLACE_RECORDS = 4  # the version from which places are records of their own (events name them by slug)
# A place an older document carried inside its events, gathered into a record by ``upgraded``: an import
# matches it by name and coordinates (kiosk.content.places.identity), not by the slug made up for it.
FROM_EVENTS = "_carried_by_events"
# What an event's translation was made from up to version 2: its fingerprint (source_hash) was taken of
# these texts. Version 3 translates the image credit and the figure's texts too.
EVENT_SOURCE_BEFORE_3 = (
    "headline",
    "display_date",
    "summary",
    "body",
    "confidence",
    "image_alt",
    "image_caption",
)
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*\Z")
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}\Z")
READING_KINDS = (
    "scholarly",
    "period",
)  # how further reading is labelled; see kiosk.content.published.reading_groups
TIME = re.compile(r"^(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d)?\Z")  # a time of day: 14:05 or 14:05:30
# Our document's title fields, and the settings that keep them.
TITLE_SETTINGS = {
    "headline": "title_headline",
    "summary": "title_summary",
    "media": "title_media",
    "background": "title_background",
}
DEFAULT_CONTENT = Path(__file__).parent.parent / "data" / "stakhanov.json"


def title_settings(title: dict) -> dict:
    """The settings a document's title sets: headline and summary, and media and background when given."""
    if not title:
        return {}
    # (a TimelineJS title slide with nothing to call it by leaves the headline out: the kiosk keeps its own)
    wanted = {"title_headline": title["headline"]} if "headline" in title else {}
    wanted["title_summary"] = title.get("summary", "")
    return wanted | {TITLE_SETTINGS[name]: title[name] for name in ("media", "background") if name in title}


def check_title(title: Any) -> list[str]:
    if title is None:
        return []
    if not isinstance(title, dict) or not all(
        isinstance(title.get(name, ""), str) for name in ("headline", "summary")
    ):
        return ["title: must be an object with a headline and a summary"]
    problems = []
    for name in ("media", "background"):
        value = title.get(name)
        if value is not None and not (
            isinstance(value, dict) and all(isinstance(v, str | None) for v in value.values())
        ):
            problems.append(f"title: {name} must be an object of texts")
    return problems


def is_our_format(document: Any) -> bool:
    return isinstance(document, dict) and document.get("format") == FORMAT


def dump() -> dict:
    """The whole timeline as a document; the same content always gives the same document."""
    eras = db.session.scalars(select(Era).order_by(Era.position, Era.start_year, Era.slug)).all()
    events = db.session.scalars(
        select(Event)
        .where(Event.deleted_at.is_(None))
        .join(Event.era)
        .order_by(Era.position, Event.sort_key, Event.slug)
    ).all()
    titles = settings_store.get_many(*TITLE_SETTINGS.values(), "further_reading")
    return {
        "format": FORMAT,
        "version": VERSION,
        "title": {name: titles[key] for name, key in TITLE_SETTINGS.items()},
        "further_reading": titles["further_reading"],
        "translations": _title_translations(),
        "eras": [fields.item_of(era) for era in eras],
        "places": [fields.item_of(place) for place in reads.ordered_places()],
        "events": [fields.item_of(event) for event in events],
    }


def _title_translations() -> dict:
    """The title and further reading in each language that has them."""
    found = {}
    for locale in choice.available():
        stored = settings_store.get(translation_key(locale))
        if stored:
            found[locale] = {
                "title": {
                    "headline": stored.get("title_headline", ""),
                    "summary": stored.get("title_summary", ""),
                },
                "further_reading": stored.get("further_reading", []),
                "source_hash": stored.get("source_hash", ""),
            }
    return found


def in_language(document: dict, locale: str) -> dict:
    """The document as it reads in one language: each translated text in place of the default one, the
    default kept where a text is not translated (for formats with one language, like TimelineJS)."""
    document = json.loads(json.dumps(document))
    for kind, table in (("eras", fields.ERA), ("places", fields.PLACE), ("events", fields.EVENT)):
        for item in document.get(kind) or []:
            texts = (item.get("translations") or {}).get(locale) or {}
            for spec in table:
                translated = texts.get(spec.translation_key) if spec.translatable else None
                # (a translated image text with no image in the item has nothing to go with)
                if translated and (not spec.group or item.get(spec.group)):
                    table.put(item, spec.key, spec.kind.in_language(table.value(item, spec.key), translated))
    title = (document.get("translations") or {}).get(locale) or {}
    if title:
        document["title"] = {
            key: (title.get("title") or {}).get(key) or value
            for key, value in (document.get("title") or {}).items()
        }
        document["further_reading"] = title.get("further_reading") or document.get("further_reading")
    return document


def title_translation_setting(texts: dict) -> dict:
    """A document's title translation (``{"title": …, "further_reading": …}``) as the kiosk keeps it."""
    title = texts.get("title") or {}
    return {
        "title_headline": title.get("headline", ""),
        "title_summary": title.get("summary", ""),
        "further_reading": list(texts.get("further_reading") or []),
        "source_hash": texts.get("source_hash", ""),
    }


def _check_translations(item: dict, where: str, table: fields.FieldTable) -> list[str]:
    """Translations: {language code: {field: text (or a figure's texts)}}; the problems, if any."""
    value = item.get("translations")
    if value is None:
        return []
    if not isinstance(value, dict):
        return [f"{where}: translations must be an object keyed by language code"]
    problems = []
    for locale, texts in value.items():
        if not choice.is_known(locale):
            problems.append(f"{where}: {locale!r} is not a language code (like ru or uk)")
            continue
        if not isinstance(texts, dict) or not isinstance(texts.get("source_hash", ""), str):
            problems.append(f"{where}: the {locale} translation must be an object of texts")
            continue
        for spec in table:
            if spec.translatable and texts.get(spec.translation_key) not in (None, ""):
                try:
                    default = table.value(item, spec.key)
                    spec.kind.clean_translation(
                        texts[spec.translation_key],
                        spec.kind.clean(default) if isinstance(spec.kind, fields.Checked) else default,
                    )
                except (TypeError, ValueError) as error:
                    problems.append(f"{where}: the {locale} {spec.translation_key} {error}")
    return problems


def _check_era(item: Any, where: str) -> list[str]:
    if not isinstance(item, dict):
        return [f"{where}: not an object"]
    problems = []
    if not SLUG.match(str(item.get("slug", ""))):
        problems.append(f"{where}: slug must be lowercase letters, digits and hyphens")
    if not str(item.get("name", "")).strip():
        problems.append(f"{where}: name is missing")
    if not isinstance(item.get("start_year"), int) or not isinstance(item.get("end_year"), int):
        problems.append(f"{where}: start_year and end_year must be whole numbers")
    elif item["end_year"] < item["start_year"]:
        problems.append(f"{where}: end_year is before start_year")
    if item.get("colour") and not COLOUR.match(str(item["colour"])):
        problems.append(f"{where}: colour must look like #1a2b3c")
    for name in ("name", "description"):
        if not isinstance(item.get(name, ""), str):
            problems.append(f"{where}: {name} must be text")
    if not isinstance(item.get("position", 0), int):
        problems.append(f"{where}: position must be a whole number")
    return problems + _check_translations(item, where, fields.ERA)


def _check_date(item: dict, name: str, where: str) -> list[str]:
    value = item.get(name)
    if value is None:
        return []
    if not isinstance(value, dict) or not all(
        part is None or (isinstance(part, int) and not isinstance(part, bool))
        for part in (value.get(k) for k in ("year", "month", "day"))
    ):
        return [f"{where}: {name} must be an object with a whole-number year, month and day"]
    return []


def _check_shapes(item: dict, where: str) -> list[str]:
    """Wrongly typed values, each named (the other checks assume the right types)."""
    problems = [
        f"{where}: {name} must be text"
        for name in fields.EVENT.texts
        if not isinstance(item.get(name, ""), str)
    ]
    problems += _check_date(item, "start", where) + _check_date(item, "end", where)
    image, background = item.get("image"), item.get("background")
    if image is not None and not (
        isinstance(image, dict) and all(isinstance(v, str | None) for v in image.values())
    ):
        problems.append(f"{where}: image must be an object of texts (key, url, alt, caption, credit)")
    if background is not None and not (
        isinstance(background, dict) and all(isinstance(v, str) for v in background.values())
    ):
        problems.append(f"{where}: background must be an object with a colour and a url")
    elif background and background.get("colour") and not COLOUR.match(background["colour"]):
        problems.append(f"{where}: background colour must look like #1a2b3c")
    for name in ("start_time", "end_time"):
        if isinstance(item.get(name), str) and item[name] and not TIME.match(item[name]):
            problems.append(f"{where}: {name} must be a time of day like 14:05 or 14:05:30")
    sources = item.get("sources", [])
    if not isinstance(sources, list) or not all(isinstance(source, str) for source in sources):
        problems.append(f"{where}: sources must be a list of texts")
    return problems


def _check_place(item: Any, where: str) -> list[str]:
    """A place record (version 4): its web address, texts, coordinates and years."""
    if not isinstance(item, dict):
        return [f"{where}: not an object"]
    problems = []
    if not isinstance(item.get("slug"), str) or not SLUG.match(item["slug"]):
        problems.append(f"{where}: slug must be lowercase letters, digits and hyphens")
    elif len(item["slug"]) > places.SLUG_LENGTH:
        problems.append(f"{where}: slug is longer than {places.SLUG_LENGTH} characters")
    if not isinstance(item.get("name"), str) or not item["name"].strip():
        problems.append(f"{where}: name is missing")
    for name in ("name", "note", "display_years"):
        limit = fields.PLACE[name].limit or 0
        if not isinstance(item.get(name, ""), str):
            problems.append(f"{where}: {name} must be text")
        elif len(item.get(name, "")) > limit:
            problems.append(f"{where}: {name} is longer than {limit} characters")
    for axis in ("lat", "lon"):
        try:
            places.coordinate(item.get(axis), axis)
        except places.PlaceError as error:
            problems.append(f"{where}: {error}")
    years = item.get("years")
    if years is not None and not isinstance(years, dict):
        problems.append(f"{where}: years must be null or an object with from and to")
    elif years is not None:
        try:
            places.check_years(years.get("from"), years.get("to"))
        except places.PlaceError as error:
            problems.append(f"{where}: years: {error}")
    problems += _check_translations(item, where, fields.PLACE)
    for locale, texts in (item.get("translations") or {}).items():
        for name in fields.PLACE.translatable:
            text = texts.get(name) if isinstance(texts, dict) else None
            if isinstance(text, str) and len(text) > (fields.PLACE[name].limit or 0):
                problems.append(
                    f"{where}: the {locale} {name} is longer than {fields.PLACE[name].limit} characters"
                )
    return problems


def _check_event_place(value: Any, where: str, version: int, place_slugs: set[str]) -> list[str]:
    """An event's place: a place's slug (version 4), or the place itself inside the event (older ones)."""
    if version < PLACE_RECORDS:
        try:
            places.clean(value)
        except places.PlaceError as error:
            return [f"{where}: place: {error}"]
        return []
    if value is not None and (not isinstance(value, str) or value not in place_slugs):
        return [f"{where}: unknown place {value!r}"]
    return []


def _check_event(item: Any, where: str, era_slugs: set[str]) -> list[str]:
    if not isinstance(item, dict):
        return [f"{where}: not an object"]
    problems = _check_shapes(item, where)
    problems += _check_translations(item, where, fields.EVENT)
    if not isinstance(item.get("slug"), str) or not SLUG.match(item["slug"]):
        problems.append(f"{where}: slug must be lowercase letters, digits and hyphens")
    if isinstance(item.get("headline", ""), str) and not item.get("headline", "").strip():
        problems.append(f"{where}: headline is missing")
    if not isinstance(item.get("era"), str) or item["era"] not in era_slugs:
        problems.append(f"{where}: unknown era {item.get('era')!r}")
    if item.get("status", "draft") not in {s.value for s in Status}:
        problems.append(f"{where}: status must be draft or published")
    try:
        figures.clean(item.get("figure"))
    except ValueError as error:
        problems.append(f"{where}: figure: {error}")
    if problems:
        return problems
    try:
        start = PartialDate.from_dict(item.get("start"))
        if start is None:
            problems.append(f"{where}: start date is missing")
        else:
            check_span(start, PartialDate.from_dict(item.get("end")))
    except (DateError, TypeError, ValueError) as error:
        problems.append(f"{where}: {error}")
    return problems


def is_reading_list(reading: Any) -> bool:
    """Further reading: a list of titles, each a string (older files) or {"kind": ..., "text": ...}."""
    return isinstance(reading, list) and all(_is_reading_item(item) for item in reading)


def _is_reading_item(item: Any) -> bool:
    if isinstance(item, str):
        return bool(item.strip())
    return (
        isinstance(item, dict)
        and set(item) == {"kind", "text"}
        and item["kind"] in READING_KINDS
        and isinstance(item["text"], str)
        and bool(item["text"].strip())
    )


def upgraded(document: dict, locales: Collection[str] | None = None) -> dict:
    """An older document as version 4 has it (``locales``: only those languages' translations are brought
    along; their places' stay to be gathered). A translation that was up to date with its event's text
    (its fingerprint, taken of fewer texts before version 3) stays so; the places its events carry become
    records of their own, one for each name and coordinates (``FROM_EVENTS``), their other languages
    translations made from their text (so up to date)."""
    version = document.get("version", VERSION)
    if version < TRANSLATED_FIGURES:
        _fingerprints_upgraded(document, locales)
    if version < PLACE_RECORDS and locales is None:
        document["places"] = places_from_events(document.get("events") or [])
    return document


def _fingerprints_upgraded(document: dict, locales: Collection[str] | None) -> None:
    for item in document.get("events") or []:
        if not isinstance(item, dict) or not isinstance(item.get("translations"), dict):
            continue
        current = fields.item_source(fields.EVENT, item)
        before = localized.source_hash({name: current[name] for name in EVENT_SOURCE_BEFORE_3})
        for locale, texts in item["translations"].items():
            wanted = locales is None or locale in locales
            if wanted and isinstance(texts, dict) and texts.get("source_hash") == before:
                texts["source_hash"] = localized.source_hash(current)


def places_from_events(events: list) -> list[dict]:
    """The places ``events`` carry inside them (kiosk.content.places.clean's shape), gathered into place
    items (one for each name and coordinates); each event then names its place by the slug given here."""
    gathered: dict[tuple, dict] = {}
    for item in events:
        carried = places.clean(item.get("place")) if isinstance(item, dict) else None
        if carried is None:
            continue
        identity = places.embedded_identity(carried)
        if identity not in gathered:
            record = places.record_of(carried)
            taken = {place["slug"] for place in gathered.values()}
            slug, number = places.key(record["name"]), 1
            while slug in taken:
                number += 1
                slug = f"{places.key(record['name'])}-{number}"
            made_from = localized.source_hash(fields.item_source(fields.PLACE, record))
            translations = {
                locale: texts | {"source_hash": made_from} for locale, texts in record["translations"].items()
            }
            gathered[identity] = record | {"slug": slug, "translations": translations, FROM_EVENTS: True}
        item["place"] = gathered[identity]["slug"]
    return list(gathered.values())


def check_document(document: Any) -> list[str]:
    if not is_our_format(document):
        return [f'not a {FORMAT} document (expected "format": "{FORMAT}")']
    if document.get("version") not in READABLE_VERSIONS:
        return [f"unsupported version {document.get('version')!r} (this kiosk reads versions 1 to 4)"]
    version = document["version"]
    problems: list[str] = []
    for locale, texts in (document.get("translations") or {}).items():
        if not choice.is_known(locale) or not isinstance(texts, dict):
            problems.append(f"translations: {locale!r} must be a language code with the title's texts")
    reading = document.get("further_reading")
    if reading is not None and not is_reading_list(reading):
        kinds = " or ".join(f'"{kind}"' for kind in READING_KINDS)
        problems.append(f'further_reading: each title must be text or {{"kind": {kinds}, "text": ...}}')
    eras = document.get("eras") or []
    place_items = (document.get("places") or []) if version >= PLACE_RECORDS else []
    events = document.get("events") or []
    for name, items in (("eras", eras), ("places", place_items), ("events", events)):
        if not isinstance(items, list):
            return [f"{name}: must be a list"]
    problems += check_title(document.get("title"))
    for position, item in enumerate(eras, start=1):
        problems += _check_era(item, f"eras item {position}")
    for position, item in enumerate(place_items, start=1):
        problems += _check_place(item, f"places item {position}")
    known = {era["slug"] for era in eras if isinstance(era, dict) and isinstance(era.get("slug"), str)}
    known |= set(db.session.scalars(select(Era.slug)))
    place_slugs = {
        place["slug"]
        for place in place_items
        if isinstance(place, dict) and isinstance(place.get("slug"), str)
    }
    place_slugs |= set(db.session.scalars(select(Place.slug)))
    for position, item in enumerate(events, start=1):
        where = f"events item {position}"
        problems += _check_event(item, where, known)
        if isinstance(item, dict):
            problems += _check_event_place(item.get("place"), where, version, place_slugs)
    for kind, items in (("eras", eras), ("places", place_items), ("events", events)):
        # (a missing or malformed slug is reported with its item)
        slugs = [
            item["slug"] for item in items if isinstance(item, dict) and isinstance(item.get("slug"), str)
        ]
        for duplicate in sorted({slug for slug in slugs if slugs.count(slug) > 1}):
            problems.append(f"{kind}: slug {duplicate!r} appears more than once")
    return problems


def with_language_file(document: dict, translation: dict) -> dict:
    """A document with one language's file (``stakhanov.ru.json`` beside ``stakhanov.json``) folded in:
    each item's texts become its translation into that language. Items the document lacks are ignored."""
    locale = translation["language"]
    merged = json.loads(json.dumps(document))
    merged.setdefault("translations", {})[locale] = {
        "title": translation.get("title") or {},
        "further_reading": translation.get("further_reading") or [],
        "source_hash": translation.get("source_hash", ""),
    }
    for kind in ("eras", "places", "events"):
        texts = {item["slug"]: item for item in translation.get(kind) or []}
        for item in merged.get(kind) or []:
            if item["slug"] in texts:
                item.setdefault("translations", {})[locale] = {
                    key: value for key, value in texts[item["slug"]].items() if key != "slug"
                }
    # The language file's translations are brought up to date here; the document keeps its own shape (an
    # older one's places are gathered when it is read).
    main_version = document.get("version", VERSION)
    merged["version"] = translation.get("version", VERSION)
    return upgraded(merged, [locale]) | {"version": max(main_version, TRANSLATED_FIGURES)}


def default_content() -> dict:
    """The default timeline with every language file beside it (stakhanov.<language>.json)."""
    document = json.loads(DEFAULT_CONTENT.read_text(encoding="utf-8"))
    for path in sorted(DEFAULT_CONTENT.parent.glob(f"{DEFAULT_CONTENT.stem}.*.json")):
        document = with_language_file(document, json.loads(path.read_text(encoding="utf-8")))
    return document
