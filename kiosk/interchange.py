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

from . import settings_store
from .dates import DateError, PartialDate, check_span
from .extensions import db
from .models import Era, Event, Status

FORMAT = "kiosk-timeline"
VERSION = 1
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
DEFAULT_CONTENT = Path(__file__).parent / "data" / "stakhanov.json"


class InterchangeError(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def is_our_format(document: Any) -> bool:
    return isinstance(document, dict) and document.get("format") == FORMAT


def _event_fields(item: dict) -> dict:
    return {
        "headline": item["headline"],
        "display_date": item.get("display_date") or "",
        "summary": item.get("summary") or "",
        "body": item.get("body") or "",
        "sources": list(item.get("sources") or []),
        "confidence": item.get("confidence") or "",
        "featured": bool(item.get("featured")),
        "postscript": bool(item.get("postscript")),
        "status": Status(item.get("status") or Status.DRAFT),
        "image_alt": (item.get("image") or {}).get("alt", ""),
        "image_caption": (item.get("image") or {}).get("caption", ""),
        "image_credit": (item.get("image") or {}).get("credit", ""),
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
    if item.get("colour") and not COLOUR.match(item["colour"]):
        problems.append(f"{where}: colour must look like #1a2b3c")
    return problems


def _check_event(item: Any, where: str, era_slugs: set[str]) -> list[str]:
    if not isinstance(item, dict):
        return [f"{where}: not an object"]
    problems = []
    if not SLUG.match(str(item.get("slug", ""))):
        problems.append(f"{where}: slug must be lowercase letters, digits and hyphens")
    if not str(item.get("headline", "")).strip():
        problems.append(f"{where}: headline is missing")
    if item.get("era") not in era_slugs:
        problems.append(f"{where}: unknown era {item.get('era')!r}")
    if item.get("status", "draft") not in {s.value for s in Status}:
        problems.append(f"{where}: status must be draft or published")
    if not isinstance(item.get("sources", []), list):
        problems.append(f"{where}: sources must be a list")
    try:
        start = PartialDate.from_dict(item.get("start"))
        if start is None:
            problems.append(f"{where}: start date is missing")
        else:
            check_span(start, PartialDate.from_dict(item.get("end")))
    except (DateError, TypeError, ValueError) as error:
        problems.append(f"{where}: {error}")
    return problems


def check_document(document: Any) -> list[str]:
    if not is_our_format(document):
        return [f'not a {FORMAT} document (expected "format": "{FORMAT}")']
    if document.get("version") != VERSION:
        return [f"unsupported version {document.get('version')!r} (this kiosk reads version {VERSION})"]
    problems: list[str] = []
    eras = document.get("eras") or []
    events = document.get("events") or []
    for position, item in enumerate(eras, start=1):
        problems += _check_era(item, f"eras item {position}")
    known = {era.get("slug") for era in eras if isinstance(era, dict)}
    known |= set(db.session.scalars(select(Era.slug)))
    for position, item in enumerate(events, start=1):
        problems += _check_event(item, f"events item {position}", known)
    for kind, items in (("eras", eras), ("events", events)):
        slugs = [item.get("slug") for item in items if isinstance(item, dict)]
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
    if title:
        settings_store.put("title_headline", title.get("headline", ""))
        settings_store.put("title_summary", title.get("summary", ""))
    if "further_reading" in document:
        settings_store.put("further_reading", list(document["further_reading"]))

    eras = {era.slug: era for era in db.session.scalars(select(Era))}
    for item in document.get("eras") or []:
        values = {key: item[key] for key in ("name", "start_year", "end_year") if key in item}
        values |= {
            "colour": item.get("colour") or "#5a5149",
            "description": item.get("description", ""),
            "position": item.get("position", 0),
        }
        era = eras.get(item["slug"])
        if era is None:
            eras[item["slug"]] = era = Era(slug=item["slug"], **values)
            db.session.add(era)
            report.created.append(f"era {item['slug']}")
        elif _apply(era, values):
            report.updated.append(f"era {item['slug']}")
        else:
            report.unchanged.append(f"era {item['slug']}")

    events = {event.slug: event for event in db.session.scalars(select(Event))}
    for item in document.get("events") or []:
        values = _event_fields(item) | {"era": eras[item["era"]]}
        if publish is not None:
            values["status"] = Status.PUBLISHED if publish else Status.DRAFT
        start = PartialDate.from_dict(item["start"])
        end = PartialDate.from_dict(item.get("end"))
        event = events.get(item["slug"])
        if event is None:
            event = Event(slug=item["slug"], **values)
            event.start, event.end = start, end
            db.session.add(event)
            report.created.append(f"event {item['slug']}")
            continue
        dates_changed = (event.start, event.end) != (start, end)
        if dates_changed:
            event.start, event.end = start, end
        if _apply(event, values) or dates_changed:
            report.updated.append(f"event {item['slug']}")
        else:
            report.unchanged.append(f"event {item['slug']}")
    db.session.flush()
    return report


def load_file(path: Path, **options) -> LoadReport:
    with open(path, encoding="utf-8") as handle:
        return load(json.load(handle), **options)
