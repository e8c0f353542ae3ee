"""TimelineJS (Knight Lab) formats, both ways: its JSON and its spreadsheet template as CSV.

Export works from our own document (interchange.dump()). Import turns a TimelineJS file into our item
shapes and collects every problem with its place (item position, or CSV row with the header as row 1);
kiosk.interchange.importers then matches eras and events against the database and writes them.
See docs/interchange-format.md for the mapping.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass, field
from html import escape
from typing import Any

from flask_babel import gettext as _

from ..dates import DateError, PartialDate, check_span
from ..html_text import split_text, to_plain_text
from ..text import render_markdown
from .kiosk_json import SLUG

CSV_COLUMNS = [
    "Year", "Month", "Day", "Time", "End Year", "End Month", "End Day", "End Time", "Display Date",
    "Headline", "Text", "Media", "Media Credit", "Media Caption", "Media Thumbnail", "Type", "Group",
    "Background",
]  # fmt: skip
SOURCES_HEADING = "Sources"
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_WHOLE_NUMBER = re.compile(r"^[+-]?\d+(?:\.0*)?$")
_URL_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


def media_path(key: str, size: str = "large") -> str:
    """Where this kiosk serves an image (the timeline.media route)."""
    return f"/media/{key}-{size}.webp"


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80].strip("-")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:10]


def event_slug(unique_id: str, start: PartialDate, headline: str) -> str:
    """The unique_id when it can be a web address; otherwise one derived from it, or from date and headline.

    Derived slugs are stable, so importing the same file again finds the same events.
    """
    unique_id = unique_id.strip()
    if unique_id:
        if SLUG.match(unique_id) and len(unique_id) <= 120:
            return unique_id
        return slugify(unique_id) or f"id-{_digest(unique_id)}"
    date = "-".join(f"{part:02d}" for part in (start.year, start.month, start.day) if part is not None)
    return f"{date}-{slugify(headline) or _digest(headline)}"


# --- Export ---------------------------------------------------------------------------------------------


def _date(item: dict | None) -> dict | None:
    if not item:
        return None
    return {part: item[part] for part in ("year", "month", "day") if item.get(part) is not None}


def _sort_key(item: dict) -> int:
    start = item["start"]
    return PartialDate(start["year"], start.get("month"), start.get("day")).sort_key


def event_html(item: dict) -> str:
    """Summary, text and sources as one piece of TimelineJS HTML (html_text.split_text reads it back)."""
    html = f"<p>{escape(item['summary'], quote=False)}</p>\n" if item["summary"] else ""
    html += str(render_markdown(item["body"]))
    if item["sources"]:
        listed = "".join(f"<li>{escape(source, quote=False)}</li>" for source in item["sources"])
        html += f"<h4>{SOURCES_HEADING}</h4>\n<ol>{listed}</ol>\n"
    return html


def _media(image: dict | None) -> dict | None:
    if not image or not (image.get("key") or image.get("url")):
        return None
    media = {
        "url": media_path(image["key"]) if image.get("key") else image["url"],
        "alt": image["alt"],
        "caption": escape(image["caption"], quote=False),
        "credit": escape(image["credit"], quote=False),
    }
    if image.get("key"):
        media["thumbnail"] = media_path(image["key"], "thumb")
    return media


def to_document(ours: dict) -> dict:
    """Our document (interchange.dump()) as a TimelineJS JSON document."""
    era_names = {era["slug"]: era["name"] for era in ours["eras"]}
    era_order = {era["slug"]: index for index, era in enumerate(ours["eras"])}
    events = []
    # Ordered by what a sheet carries (era, date, headline), so a sheet's round trip keeps its order.
    for item in sorted(
        ours["events"],
        key=lambda item: (era_order[item["era"]], _sort_key(item), item["headline"], item["slug"]),
    ):
        slide = {
            "unique_id": item["slug"],
            "start_date": _date(item["start"]),
            "text": {"headline": escape(item["headline"], quote=False), "text": event_html(item)},
            "group": era_names[item["era"]],
        }
        if item["end"]:
            slide["end_date"] = _date(item["end"])
        if item["display_date"]:
            slide["display_date"] = escape(item["display_date"], quote=False)
        if media := _media(item["image"]):
            slide["media"] = media
        events.append(slide)
    eras = [
        {
            "start_date": {"year": era["start_year"]},
            "end_date": {"year": era["end_year"]},
            "text": {
                "headline": escape(era["name"], quote=False),
                "text": escape(era["description"], quote=False),
            },
        }
        for era in ours["eras"]
    ]
    title = ours["title"]
    summary = f"<p>{escape(title['summary'], quote=False)}</p>" if title["summary"] else ""
    return {
        "title": {"text": {"headline": escape(title["headline"], quote=False), "text": summary}},
        "events": events,
        "eras": eras,
        "scale": "human",
    }


def _cells(date: dict | None) -> list[str]:
    date = date or {}
    return [str(date[part]) if date.get(part) is not None else "" for part in ("year", "month", "day")]


def to_rows(ours: dict) -> list[list[str]]:
    """Our document as spreadsheet rows under CSV_COLUMNS: the title row, era rows, then events."""
    document = to_document(ours)
    title = document["title"]["text"]
    blank = dict.fromkeys(CSV_COLUMNS, "")
    rows = [blank | {"Headline": title["headline"], "Text": title["text"], "Type": "title"}]
    for era, item in zip(document["eras"], ours["eras"], strict=True):
        rows.append(
            blank
            | {
                "Year": str(item["start_year"]),
                "End Year": str(item["end_year"]),
                "Headline": era["text"]["headline"],
                "Text": era["text"]["text"],
                "Type": "era",
                "Background": item["colour"],
            }
        )
    for slide in document["events"]:
        media = slide.get("media") or {}
        start, end = _cells(slide["start_date"]), _cells(slide.get("end_date"))
        rows.append(
            blank
            | dict(zip(("Year", "Month", "Day"), start, strict=True))
            | dict(zip(("End Year", "End Month", "End Day"), end, strict=True))
            | {
                "Display Date": slide.get("display_date", ""),
                "Headline": slide["text"]["headline"],
                "Text": slide["text"]["text"],
                "Media": media.get("url", ""),
                "Media Credit": media.get("credit", ""),
                "Media Caption": media.get("caption", ""),
                "Media Thumbnail": media.get("thumbnail", ""),
                "Group": slide["group"],
            }
        )
    return [[row[column] for column in CSV_COLUMNS] for row in rows]


# --- Import ---------------------------------------------------------------------------------------------


class Invalid(ValueError):
    """One problem with one field; the caller adds where it is."""


@dataclass
class Entry:
    """One era or event read from a file: where it was, our item shape, and its TimelineJS group."""

    where: str
    item: dict
    group: str = ""


@dataclass
class Parsed:
    title: dict | None = None
    eras: list[Entry] = field(default_factory=list)
    events: list[Entry] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _text(value: Any, label: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise Invalid(_("%(field)s must be text.", field=label))
    return str(value)


def _whole_number(value: Any, label: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise Invalid(_("%(field)s must be a whole number.", field=label))
    text = str(value).strip()
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    if not _WHOLE_NUMBER.match(text):
        raise Invalid(_("%(field)s must be a whole number, not “%(value)s”.", field=label, value=text))
    return int(float(text))


def _partial_date(year: int | None, month: int | None, day: int | None, label: str) -> PartialDate | None:
    if year is None:
        if month is not None or day is not None:
            raise Invalid(_("%(field)s has a month or day but no year.", field=label))
        return None
    if not 1 <= year <= 9999:
        raise Invalid(_("%(field)s: the year must be between 1 and 9999.", field=label))
    try:
        return PartialDate(year, month, day)
    except DateError as error:
        raise Invalid(f"{label}: {error}") from error


def _json_date(value: Any, label: str) -> PartialDate | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise Invalid(_("%(field)s must be an object with a year.", field=label))
    return _partial_date(
        _whole_number(value.get("year"), f"{label} year"),
        _whole_number(value.get("month"), f"{label} month"),
        _whole_number(value.get("day"), f"{label} day"),
        label,
    )


_DATE_FORMATS = [
    (re.compile(r"^(\d{1,4})(?:[-/,](\d{1,2})(?:[-/,](\d{1,2}))?)?$"), ("year", "month", "day")),
    (re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{3,4})$"), ("month", "day", "year")),  # Google Sheets, US order
]


def _sheet_date(value: str, label: str) -> PartialDate | None:
    """An old sheet's Start Date / End Date cell: 1935, 1935-08, 1935-08-31, 1935,8,31 or 8/31/1935."""
    value = value.strip()
    if not value:
        return None
    for pattern, names in _DATE_FORMATS:
        if match := pattern.match(value):
            parts = dict(zip(names, match.groups(), strict=True))
            number = {name: int(text) if text else None for name, text in parts.items()}
            return _partial_date(number["year"], number["month"], number["day"], label)
    raise Invalid(
        _(
            "%(field)s “%(value)s” is not a date (write 1935, 1935-08 or 1935-08-31).",
            field=label,
            value=value,
        )
    )


def check_media_url(url: str) -> None:
    scheme = _URL_SCHEME.match(url)
    if scheme and scheme[1].lower() not in {"http", "https"}:
        raise Invalid(
            _("The media address must start with http:// or https:// (not %(scheme)s:).", scheme=scheme[1])
        )


def _image(url: str, alt: str, caption: str, credit: str) -> dict | None:
    url = url.strip()
    if not url:
        return None
    check_media_url(url)
    return {
        "key": None,
        "url": url,
        "alt": to_plain_text(alt),
        "caption": to_plain_text(caption),
        "credit": to_plain_text(credit),
    }


def _event_item(
    *,
    unique_id: str,
    headline_html: str,
    text_html: str,
    start: PartialDate | None,
    end: PartialDate | None,
    display_date: str,
    image: dict | None,
) -> dict:
    headline = to_plain_text(headline_html)
    if not headline:
        raise Invalid(_("The headline is missing."))
    if start is None:
        raise Invalid(_("The start date (year) is missing."))
    try:
        check_span(start, end)
    except DateError as error:
        raise Invalid(str(error)) from error
    summary, body, sources = split_text(text_html)
    item: dict[str, Any] = {
        "slug": event_slug(unique_id, start, headline),
        "headline": headline,
        "start": start.as_dict(),
        "end": end.as_dict() if end else None,
        "display_date": to_plain_text(display_date),
        "summary": summary,
        "body": body,
        "image": image,
    }
    if sources is not None:  # a sheet without a sources list leaves an event's sources alone
        item["sources"] = sources
    return item


def _era_item(name_html: str, text_html: str, start: PartialDate | None, end: PartialDate | None) -> dict:
    if start is None or end is None:
        raise Invalid(_("An era needs a start and an end year."))
    if end.year < start.year:
        raise Invalid(_("The era ends before it starts."))
    name = to_plain_text(name_html) or f"{start.year}–{end.year}"
    return {
        "name": name,
        "start_year": start.year,
        "end_year": end.year,
        "description": to_plain_text(text_html),
    }


def _collect(parsed: Parsed, where: str, build) -> Any:
    try:
        return build()
    except Invalid as error:
        parsed.problems.append(f"{where}: {error}")
        return None


def parse_json(document: dict) -> Parsed:
    """A TimelineJS JSON document (numbers may be written as strings)."""
    parsed = Parsed()
    slides = document.get("events")
    if not isinstance(slides, list):
        parsed.problems.append("events: " + _("A TimelineJS file needs a list of events."))
        slides = []
    title = document.get("title")
    if title is not None:
        parsed.title = _collect(parsed, _("title"), lambda: _json_title(title))
    eras = document.get("eras") or []
    if not isinstance(eras, list):
        parsed.problems.append("eras: " + _("Must be a list."))
        eras = []
    for position, era in enumerate(eras, start=1):
        where = _("eras item %(number)s", number=position)
        if item := _collect(parsed, where, lambda era=era: _json_era(era)):
            parsed.eras.append(Entry(where, item))
    for position, slide in enumerate(slides, start=1):
        where = _("events item %(number)s", number=position)
        if entry := _collect(parsed, where, lambda slide=slide, where=where: _json_slide(slide, where)):
            parsed.events.append(entry)
    return parsed


def _json_text(container: dict) -> dict:
    text = container.get("text") or {}
    if not isinstance(text, dict):
        raise Invalid(_("text must be an object with a headline and text."))
    return text


def _json_title(title: Any) -> dict:
    if not isinstance(title, dict):
        raise Invalid(_("Must be an object."))
    text = _json_text(title)
    return {
        "headline": to_plain_text(_text(text.get("headline"), "headline")),
        "summary": to_plain_text(_text(text.get("text"), "text")),
    }


def _json_era(era: Any) -> dict:
    if not isinstance(era, dict):
        raise Invalid(_("Must be an object."))
    text = _json_text(era)
    return _era_item(
        _text(text.get("headline"), "headline"),
        _text(text.get("text"), "text"),
        _json_date(era.get("start_date"), "start_date"),
        _json_date(era.get("end_date"), "end_date"),
    )


def _json_slide(slide: Any, where: str) -> Entry:
    if not isinstance(slide, dict):
        raise Invalid(_("Must be an object."))
    text = _json_text(slide)
    start = _json_date(slide.get("start_date"), "start_date")
    display_date = _text(slide.get("display_date"), "display_date")
    if not display_date and isinstance(slide.get("start_date"), dict):
        display_date = _text(slide["start_date"].get("display_date"), "start_date display_date")
    media = slide.get("media") or {}
    if not isinstance(media, dict):
        raise Invalid(_("media must be an object with a url."))
    image = _image(
        _text(media.get("url"), "media url"),
        _text(media.get("alt"), "media alt"),
        _text(media.get("caption"), "media caption"),
        _text(media.get("credit"), "media credit"),
    )
    item = _event_item(
        unique_id=_text(slide.get("unique_id"), "unique_id"),
        headline_html=_text(text.get("headline"), "headline"),
        text_html=_text(text.get("text"), "text"),
        start=start,
        end=_json_date(slide.get("end_date"), "end_date"),
        display_date=display_date,
        image=image,
    )
    return Entry(where, item, to_plain_text(_text(slide.get("group"), "group")))


def _header(names: list[str]) -> list[str]:
    """Column names matched without regard to case or spacing; old sheets say Tag where Group is missing."""
    keys = [" ".join(name.split()).casefold() for name in names]
    return ["group" if key == "tag" and "group" not in keys else key for key in keys]


def looks_like_sheet(header: list[str]) -> bool:
    keys = set(_header(header))
    return "headline" in keys and bool({"year", "start date"} & keys)


def parse_csv(text: str) -> Parsed:
    """The TimelineJS sheet as CSV: current columns, or an old sheet's Start Date / End Date / Tag."""
    parsed = Parsed()
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows or not looks_like_sheet(rows[0]):
        parsed.problems.append(
            _("row 1: The header needs a Headline column and a Year (or Start Date) column.")
        )
        return parsed
    header = _header(rows[0])
    for name in sorted({name for name in header if name and header.count(name) > 1}):
        parsed.problems.append(_("row 1: The column “%(name)s” appears more than once.", name=name))
    titles = 0
    for number, cells in enumerate(rows[1:], start=2):
        where = _("row %(number)s", number=number)
        if not any(cell.strip() for cell in cells):
            parsed.skipped.append(f"{where}: " + _("Empty."))
            continue
        if any(cell.strip() for cell in cells[len(header) :]):
            parsed.problems.append(f"{where}: " + _("More cells than the header has columns."))
            continue
        row = dict(zip(header, cells, strict=False))
        kind = row.get("type", "").strip().casefold()
        if kind in {"title", "start"}:  # TimelineJS 2 sheets called the title slide "start"
            titles += 1
            if titles > 1:
                parsed.problems.append(f"{where}: " + _("Only one row can be the title."))
            else:
                parsed.title = {
                    "headline": to_plain_text(row.get("headline", "")),
                    "summary": to_plain_text(row.get("text", "")),
                }
        elif kind == "era":
            if item := _collect(parsed, where, lambda row=row: _sheet_era(row)):
                parsed.eras.append(Entry(where, item))
        elif entry := _collect(parsed, where, lambda row=row, where=where: _sheet_event(row, where)):
            parsed.events.append(entry)
    return parsed


def _sheet_dates(row: dict) -> tuple[PartialDate | None, PartialDate | None]:
    if "year" in row:
        start = _partial_date(
            _whole_number(row.get("year"), "Year"),
            _whole_number(row.get("month"), "Month"),
            _whole_number(row.get("day"), "Day"),
            _("Start date"),
        )
        end = _partial_date(
            _whole_number(row.get("end year"), "End Year"),
            _whole_number(row.get("end month"), "End Month"),
            _whole_number(row.get("end day"), "End Day"),
            _("End date"),
        )
        return start, end
    return _sheet_date(row.get("start date", ""), "Start Date"), _sheet_date(
        row.get("end date", ""), "End Date"
    )


def _sheet_era(row: dict) -> dict:
    start, end = _sheet_dates(row)
    item = _era_item(row.get("headline", ""), row.get("text", ""), start, end)
    background = row.get("background", "").strip()
    if COLOUR.match(background):
        item["colour"] = background
    return item


def _sheet_event(row: dict, where: str) -> Entry:
    start, end = _sheet_dates(row)
    item = _event_item(
        unique_id="",
        headline_html=row.get("headline", ""),
        text_html=row.get("text", ""),
        start=start,
        end=end,
        display_date=row.get("display date", ""),
        image=_image(row.get("media", ""), "", row.get("media caption", ""), row.get("media credit", "")),
    )
    return Entry(where, item, to_plain_text(row.get("group", "")))
