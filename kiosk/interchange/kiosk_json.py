"""Our own JSON interchange format ("kiosk-timeline", version 1): the default content, export and import.

A document holds the title, further reading, eras and events; events refer to eras by slug. Loading is
all or nothing: every item is checked first, and nothing is written unless all of them are valid.
See docs/interchange-format.md.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from .. import figures, places, settings_store
from ..dates import DateError, PartialDate, check_span
from ..extensions import db
from ..models import Era, Event, Media, Status

FORMAT = "kiosk-timeline"
VERSION = 1
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
READING_KINDS = ("scholarly", "period")  # how further reading is labelled; see kiosk.content.reading_groups
TIME = re.compile(r"^(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d)?$")  # a time of day: 14:05 or 14:05:30
TEXT_FIELDS = ("headline", "display_date", "summary", "body", "confidence", "start_time", "end_time", "embed")
# Our document's title fields, and the settings that keep them.
TITLE_SETTINGS = {
    "headline": "title_headline",
    "summary": "title_summary",
    "media": "title_media",
    "background": "title_background",
}
DEFAULT_CONTENT = Path(__file__).parent.parent / "data" / "stakhanov.json"


class InterchangeError(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def title_settings(title: dict) -> dict:
    """The settings a document's title sets: headline and summary, and media and background when given."""
    if not title:
        return {}
    wanted = {"title_headline": title.get("headline", ""), "title_summary": title.get("summary", "")}
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


def era_item(era: Era) -> dict:
    """An era as it appears in documents (and in revision snapshots)."""
    return {
        "slug": era.slug,
        "name": era.name,
        "start_year": era.start_year,
        "end_year": era.end_year,
        "colour": era.colour,
        "description": era.description,
        "position": era.position,
    }


def event_item(event: Event) -> dict:
    """An event as it appears in documents (and in revision snapshots)."""
    image = None
    if event.image or event.remote_media_url or event.image_alt or event.image_caption or event.image_credit:
        image = {
            "key": event.image.key if event.image else None,
            "url": event.remote_media_url or None,
            "alt": event.image_alt,
            "caption": event.image_caption,
            "credit": event.image_credit,
        }
    return {
        "slug": event.slug,
        "headline": event.headline,
        "start": event.start.as_dict(),
        "end": event.end.as_dict() if event.end else None,
        "display_date": event.display_date,
        "era": event.era.slug,
        "summary": event.summary,
        "body": event.body,
        "sources": list(event.sources),
        "confidence": event.confidence,
        "featured": event.featured,
        "postscript": event.postscript,
        "status": event.status.value,
        "image": image,
        "start_time": event.start_time,
        "end_time": event.end_time,
        "background": {"colour": event.background_colour, "url": event.background_url}
        if event.background_colour or event.background_url
        else None,
        "embed": event.media_embed,
        "place": places.clean(event.place),
        "figure": figures.clean(event.figure),
    }


def apply_era_item(era: Era, item: dict) -> bool:
    """Copy a document's era fields onto a model; True when anything changed."""
    values = {key: item[key] for key in ("name", "start_year", "end_year") if key in item}
    values |= {
        "colour": item.get("colour") or "#5a5149",
        "description": item.get("description", ""),
        "position": item.get("position", 0),
    }
    return _apply(era, values)


def apply_event_item(event: Event, item: dict, era: Era, status: Status | None = None) -> bool:
    """Copy a document's event fields onto a model; True when anything changed."""
    image = item.get("image") or {}
    values = {
        "era": era,
        "headline": item["headline"],
        "display_date": item.get("display_date") or "",
        "summary": item.get("summary") or "",
        "body": item.get("body") or "",
        "sources": list(item.get("sources") or []),
        "confidence": item.get("confidence") or "",
        "featured": bool(item.get("featured")),
        "postscript": bool(item.get("postscript")),
        "status": status or Status(item.get("status") or Status.DRAFT),
        "image_alt": image.get("alt") or "",
        "image_caption": image.get("caption") or "",
        "image_credit": image.get("credit") or "",
        "remote_media_url": image.get("url") or "",
    }
    # Fields an item may leave out (a curator's form, an older file): left as they are when it does.
    for name, check in (("place", places.clean), ("figure", figures.clean)):
        if name in item:
            values[name] = check(item[name])
    for name, column in (("start_time", "start_time"), ("end_time", "end_time"), ("embed", "media_embed")):
        if name in item:
            values[column] = item[name] or ""
    if "background" in item:
        background = item["background"] or {}
        values["background_colour"] = background.get("colour") or ""
        values["background_url"] = background.get("url") or ""
    # A key names an image in this kiosk's media store; unknown keys (another kiosk's media) mean no image.
    key = image.get("key")
    values["image"] = db.session.scalar(select(Media).where(Media.key == key)) if key else None
    start, end = PartialDate.from_dict(item["start"]), PartialDate.from_dict(item.get("end"))
    if start is None:  # check() refuses such a document before anything is applied
        raise ValueError(f"event {item.get('slug')!r} has no start date")
    dates_changed = event.start_year is None or (event.start, event.end) != (start, end)
    if dates_changed:
        event.start, event.end = start, end
    return _apply(event, values) or dates_changed


def dump() -> dict:
    """The whole timeline as a document; the same content always gives the same document."""
    eras = db.session.scalars(select(Era).order_by(Era.position, Era.slug)).all()
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
        "eras": [era_item(era) for era in eras],
        "events": [event_item(event) for event in events],
    }


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
    return problems


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
        f"{where}: {name} must be text" for name in TEXT_FIELDS if not isinstance(item.get(name, ""), str)
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


def _check_event(item: Any, where: str, era_slugs: set[str]) -> list[str]:
    if not isinstance(item, dict):
        return [f"{where}: not an object"]
    problems = _check_shapes(item, where)
    if not isinstance(item.get("slug"), str) or not SLUG.match(item["slug"]):
        problems.append(f"{where}: slug must be lowercase letters, digits and hyphens")
    if isinstance(item.get("headline", ""), str) and not item.get("headline", "").strip():
        problems.append(f"{where}: headline is missing")
    if not isinstance(item.get("era"), str) or item["era"] not in era_slugs:
        problems.append(f"{where}: unknown era {item.get('era')!r}")
    if item.get("status", "draft") not in {s.value for s in Status}:
        problems.append(f"{where}: status must be draft or published")
    for name, check in (("place", places.clean), ("figure", figures.clean)):
        try:
            check(item.get(name))
        except ValueError as error:
            problems.append(f"{where}: {name}: {error}")
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


def check_document(document: Any) -> list[str]:
    if not is_our_format(document):
        return [f'not a {FORMAT} document (expected "format": "{FORMAT}")']
    if document.get("version") != VERSION:
        return [f"unsupported version {document.get('version')!r} (this kiosk reads version {VERSION})"]
    problems: list[str] = []
    reading = document.get("further_reading")
    if reading is not None and not is_reading_list(reading):
        kinds = " or ".join(f'"{kind}"' for kind in READING_KINDS)
        problems.append(f'further_reading: each title must be text or {{"kind": {kinds}, "text": ...}}')
    eras = document.get("eras") or []
    events = document.get("events") or []
    for name, items in (("eras", eras), ("events", events)):
        if not isinstance(items, list):
            return [f"{name}: must be a list"]
    problems += check_title(document.get("title"))
    for position, item in enumerate(eras, start=1):
        problems += _check_era(item, f"eras item {position}")
    known = {era["slug"] for era in eras if isinstance(era, dict) and isinstance(era.get("slug"), str)}
    known |= set(db.session.scalars(select(Era.slug)))
    for position, item in enumerate(events, start=1):
        problems += _check_event(item, f"events item {position}", known)
    for kind, items in (("eras", eras), ("events", events)):
        # (a missing or malformed slug is reported with its item)
        slugs = [
            item["slug"] for item in items if isinstance(item, dict) and isinstance(item.get("slug"), str)
        ]
        for duplicate in sorted({slug for slug in slugs if slugs.count(slug) > 1}):
            problems.append(f"{kind}: slug {duplicate!r} appears more than once")
    return problems


def _apply(target, values: dict) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(target, name) != value:
            setattr(target, name, value)
            changed = True
    return changed


def load(document: Any, *, publish: bool | None = None) -> LoadReport:
    """Create or update eras and events (matched by slug). The caller commits or rolls back."""
    problems = check_document(document)
    if problems:
        raise InterchangeError(problems)
    report = LoadReport()
    title = document.get("title") or {}
    for name, value in title_settings(title).items():
        settings_store.put(name, value)
    if document.get("further_reading") is not None:
        settings_store.put("further_reading", list(document["further_reading"]))

    eras = {era.slug: era for era in db.session.scalars(select(Era))}
    for item in document.get("eras") or []:
        era = eras.get(item["slug"])
        if era is None:
            eras[item["slug"]] = era = Era(slug=item["slug"])
            apply_era_item(era, item)
            db.session.add(era)
            report.created.append(f"era {item['slug']}")
        elif apply_era_item(era, item):
            report.updated.append(f"era {item['slug']}")
        else:
            report.unchanged.append(f"era {item['slug']}")

    status = None if publish is None else (Status.PUBLISHED if publish else Status.DRAFT)
    events = {event.slug: event for event in db.session.scalars(select(Event))}
    for item in document.get("events") or []:
        event = events.get(item["slug"])
        if event is None:
            event = Event(slug=item["slug"])
            apply_event_item(event, item, eras[item["era"]], status)
            db.session.add(event)
            report.created.append(f"event {item['slug']}")
        elif apply_event_item(event, item, eras[item["era"]], status):
            report.updated.append(f"event {item['slug']}")
        else:
            report.unchanged.append(f"event {item['slug']}")
    db.session.flush()
    return report


def load_file(path: Path, **options) -> LoadReport:
    with open(path, encoding="utf-8") as handle:
        return load(json.load(handle), **options)
