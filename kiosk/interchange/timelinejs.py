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

import nh3
from flask_babel import gettext as _

from ..content import fields, places
from ..content.dates import DateError, PartialDate, check_span
from ..content.markdown import render_markdown
from .html_to_markdown import missing_words, split_text, to_plain_text
from .kiosk_json import SLUG

CSV_COLUMNS = [
    "Year", "Month", "Day", "Time", "End Year", "End Month", "End Day", "End Time", "Display Date",
    "Headline", "Text", "Media", "Media Credit", "Media Caption", "Media Thumbnail", "Type", "Group",
    "Background", "Alt Text", "Unique ID",
]  # fmt: skip
# "Alt Text" is not in the template, but TimelineJS reads it (ConfigFactory) when a sheet has it. TimelineJS
# ignores "Unique ID" (it reads columns by name): the slug, so that a sheet's rows match their events even
# after their headline was edited.
SOURCES_HEADING = "Sources"
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}\Z")
HEADLINE_LIMIT = 120
# Our image's texts, by TimelineJS's name for them in a slide's media, and their sheet columns (the field
# table says where each format carries a field: kiosk.content.fields).
MEDIA_TEXTS = {
    spec.timelinejs.partition(".")[2]: spec.csv
    for spec in fields.EVENT
    if spec.group == "image" and spec.kind is fields.TEXT and spec.timelinejs.startswith("media.")
}
MEDIA_URL_COLUMN = fields.EVENT["image.url"].csv
MEDIA_FIELDS = ("url", *MEDIA_TEXTS)
# What TimelineJS's embeds (tweets, Instagram and TikTok posts, iframes) are made of.
EMBED_TAGS = {
    "blockquote",
    "iframe",
    "a",
    "p",
    "br",
    "em",
    "strong",
    "b",
    "i",
    "span",
    "div",
    "img",
    "figure",
}
EMBED_TAGS |= {"figcaption", "section", "video", "audio", "source"}
EMBED_ATTRIBUTES = {"class", "href", "src", "cite", "width", "height", "title", "alt", "lang", "dir", "style"}
EMBED_ATTRIBUTES |= {"frameborder", "allow", "allowfullscreen", "scrolling", "controls", "type"}
# Cells a spreadsheet would run as a formula (OWASP "CSV injection"): the export prefixes a single quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_WHOLE_NUMBER = re.compile(r"^[+-]?\d+(?:\.0*)?\Z")
_URL_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
# TimelineJS takes a sheet's Background for an image when it starts with http, // or /, and anything else for
# a colour; a relative address (img/x.jpg, which a JSON file may carry) is no colour, so it is read as one.
_RELATIVE_IMAGE = re.compile(r"^[^\s#():;,]+(/[^\s():;,]*|\.(jpe?g|png|gif|webp|svg|avif))$", re.IGNORECASE)


# What a media address shows, told apart as TimelineJS's lookupMediaType does (its patterns, first match
# wins), reduced to the kinds a curator's message needs to name.
MEDIA_KINDS = [
    ("video", r"^(https?:)?/*(www\.|m\.)?youtube|youtu\.be|vimeo\.com|dailymotion\.com|dai\.ly|vine\.co"),
    ("video", r"tiktok\.com/@[^/]+/video/\d+"),
    ("post", r"bsky\.app/profile/[^/]+/post/|^(https?:)?/*(www\.)?(twitter|x)\.com"),
    ("audio", r"^(https?:)?/*(player\.)?soundcloud\.com"),
    ("map", r"google.+?/maps/"),
    ("image", r"^(https?:)?/*(www\.)?flickr\.com/photos|^(https?://)?flic\.kr/|instagr(\.am|am\.com)/p/"),
    ("post", r"instagr(\.am|am\.com)/[a-zA-Z0-9]{2,}"),
    ("document", r"documentcloud\.org/"),
    ("image", r"^https://.+\.wiki[mp]edia\.org.+\.(jpg|jpeg|png|gif|svg|webp)"),
    ("page", r"wikipedia\.org"),
    ("image", r"(jpg|jpeg|png|gif|svg|webp)(\?.*)?$"),
    ("image", r"imgur\.com/"),
    ("document", r"docs\.google\.com/|drive\.google\.com/|\.pdf(\?.*)?(#.*)?$"),
    ("audio", r"spotify"),
    ("video", r"(mp4|webm)(\?.*)?$|wistia\.com|wi\.st/"),
    ("audio", r"(mp3|wav|m4a)(\?.*)?$"),
]


def media_kind(url: str) -> str:
    """image, audio, video, document, map, post or page (anything else TimelineJS would show in a frame)."""
    return next(
        (kind for kind, pattern in MEDIA_KINDS if re.search(pattern, url, re.IGNORECASE)),
        "page",
    )


def media_path(key: str, size: str = "large") -> str:
    """Where this kiosk serves an image (the timeline.media route)."""
    return f"/media/{key}-{size}.webp"


# Cyrillic letters in Latin (a simple scholarly-style table), so Russian and Ukrainian headlines give readable
# addresses (День шахтёра -> den-shakhtera) rather than none.
_CYRILLIC = dict(zip("абвгдезийклмнопрстуфыэіїґў", "abvgdeziiklmnoprstufyeiigu", strict=True))
_CYRILLIC["є"] = "ie"
_CYRILLIC |= {
    "ё": "e",
    "ж": "zh",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ю": "iu",
    "я": "ia",
}
_CYRILLIC |= {"ъ": "", "ь": ""}


def slugify(text: str) -> str:
    text = "".join(_CYRILLIC.get(letter, letter) for letter in text.lower())
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


def _date(item: dict | None, time: str = "") -> dict | None:
    if not item:
        return None
    date = {part: item[part] for part in ("year", "month", "day") if item.get(part) is not None}
    for part, value in zip(("hour", "minute", "second"), time.split(":") if time else (), strict=False):
        date[part] = int(value)
    return date


def _sort_key(item: dict) -> int:
    start = item["start"]
    return PartialDate(start["year"], start.get("month"), start.get("day")).sort_key


def event_html(item: dict) -> str:
    """Summary, text and sources as one piece of TimelineJS HTML (html_text.split_text reads it back)."""
    html = f"<p>{escape(item['summary'], quote=False)}</p>\n" if item["summary"] else ""
    html += str(render_markdown(item["body"], typographic=False))
    if item["sources"]:
        listed = "".join(f"<li>{escape(source, quote=False)}</li>" for source in item["sources"])
        html += f"<h4>{SOURCES_HEADING}</h4>\n<ol>{listed}</ol>\n"
    return html


def _slide_media(image: dict | None, embed: str) -> dict | None:
    """Our image (or its remote reference, or the kept embed HTML) as a TimelineJS media object."""
    image = image or {}
    if image.get("key"):
        url = media_path(image["key"])
    elif not (url := image.get("url") or embed):
        return None
    media = {"url": url}
    media |= {name: escape(image.get(name) or "", quote=False) for name in ("caption", "credit")}
    media["alt"] = image.get("alt") or ""
    if image.get("key"):
        media["thumbnail"] = media_path(image["key"], "thumb")
    return media


def _slide_background(background: dict | None) -> dict | None:
    if not background:
        return None
    kept = {"color": background.get("colour") or "", "url": background.get("url") or ""}
    return {name: value for name, value in kept.items() if value} or None


def _slide(item: dict, group: str, where: dict[str, dict]) -> dict:
    slide = {
        "unique_id": item.get("unique_id") or item["slug"],
        "start_date": _date(item["start"], item.get("start_time", "")),
        "text": {"headline": escape(item["headline"], quote=False), "text": event_html(item)},
    }
    extras = {
        "end_date": _date(item["end"], item.get("end_time", "")),
        "display_date": escape(item["display_date"], quote=False),
        "media": _slide_media(item["image"], item.get("embed", "")),
        "background": _slide_background(item.get("background")),
        "location": _location(where.get(item.get("place") or "")),
        # The group it came with; the kiosk's own events carry their era's name (TimelineJS draws a row).
        "group": group if item.get("group") is None else escape(item["group"], quote=False),
    }
    return slide | {name: value for name, value in extras.items() if value}


def _title_slide(title: dict) -> dict:
    summary = f"<p>{escape(title['summary'], quote=False)}</p>" if title["summary"] else ""
    slide = {"text": {"headline": escape(title["headline"], quote=False), "text": summary}}
    media = title.get("media") or {}
    extras = {
        "media": _slide_media(media, media.get("embed") or ""),
        "background": _slide_background(title.get("background")),
    }
    return slide | {name: value for name, value in extras.items() if value}


def _location(place: dict | None) -> dict | None:
    """Our place (an item of our document's places) as a slide's ``location`` (StoryMapJS's shape: lat, lon,
    name; its note, years and other languages stay ours)."""
    if not place:
        return None
    return {"lat": place["lat"], "lon": place["lon"], "name": place["name"]}


def _place(location: Any, notes: list[str]) -> dict | None:
    """A slide's ``location`` as a place carried by its event (kiosk.content.places.clean's shape, without a
    note: the place's own stays, see importers._plan_places). A location without a name (a StoryMapJS pin) is
    left out with a note: the kiosk names every place it shows, and TimelineJS ignores locations anyway."""
    if location is None:
        return None
    if not isinstance(location, dict):
        raise Invalid(_("location must be an object with lat, lon and name."))
    found = {"name": location.get("name") or "", "lat": location.get("lat"), "lon": location.get("lon")}
    if isinstance(found["name"], str) and not found["name"].strip():
        notes.append(
            _(
                "location has no name (latitude %(lat)s, longitude %(lon)s): left out; give the event a "
                "place in the kiosk to show it on the map.",
                lat=found["lat"],
                lon=found["lon"],
            )
        )
        return None
    try:
        return places.clean(found)
    except places.PlaceError as error:
        raise Invalid(f"location: {error}") from error


def to_document(ours: dict) -> dict:
    """Our document (interchange.dump()) as a TimelineJS JSON document."""
    era_names = {era["slug"]: escape(era["name"], quote=False) for era in ours["eras"]}
    era_order = {era["slug"]: index for index, era in enumerate(ours["eras"])}
    where = {place["slug"]: place for place in ours.get("places") or []}
    # Ordered by what a sheet carries (era, date, headline), so a sheet's round trip keeps its order.
    ordered = sorted(
        ours["events"],
        key=lambda item: (era_order[item["era"]], _sort_key(item), item["headline"], item["slug"]),
    )
    eras = [
        {
            "start_date": era_start(era["start_year"]),
            "end_date": era_end(era["end_year"]),
            "text": {
                "headline": escape(era["name"], quote=False),
                "text": escape(era["description"], quote=False),
            },
        }
        for era in bands(ours)
    ]
    return {
        "title": _title_slide(ours["title"]),
        "events": [_slide(item, era_names[item["era"]], where) for item in ordered],
        "eras": eras,
        "scale": "human",
    }


def bands(ours: dict) -> list[dict]:
    """The eras a TimelineJS export draws: all but those an import made to hold slides in no era."""
    return [era for era in ours["eras"] if not era.get("import_holder")]


def era_start(year: int) -> dict:
    """An era's first day. Whole days at both ends: TimelineJS drops an end date whose given parts equal
    the start's (so a one-year era written {"year": 1935} twice has no end) and then refuses the file."""
    return {"year": year, "month": 1, "day": 1}


def era_end(year: int) -> dict:
    return {"year": year, "month": 12, "day": 31}


def _cells(date: dict | None) -> list[str]:
    date = date or {}
    return [str(date[part]) if date.get(part) is not None else "" for part in ("year", "month", "day")]


def _time_cell(date: dict | None) -> str:
    date = date or {}
    if date.get("hour") is None:
        return ""
    return ":".join(f"{date[part]:02d}" for part in ("hour", "minute", "second") if part in date)


def _row_extras(slide: dict) -> dict:
    """A slide's media and background in the sheet's columns (a sheet has one Background: the image wins)."""
    media, background = slide.get("media") or {}, slide.get("background") or {}
    return (
        {MEDIA_URL_COLUMN: media.get("url", "")}
        | {column: media.get(name, "") for name, column in MEDIA_TEXTS.items()}
        | {
            "Media Thumbnail": media.get("thumbnail", ""),
            "Background": background.get("url") or background.get("color", ""),
        }
    )


def to_cell(text: str) -> str:
    """A cell a spreadsheet shows as text: one that starts like a formula (after any quotes) gets a quote."""
    return "'" + text if text.lstrip("'").startswith(FORMULA_STARTS) else text


def from_cell(text: str) -> str:
    """Undoes exactly what to_cell did."""
    return text[1:] if text.startswith("'") and text.lstrip("'").startswith(FORMULA_STARTS) else text


def to_rows(ours: dict) -> list[list[str]]:
    """Our document as spreadsheet rows under CSV_COLUMNS: the title row, era rows, then events."""
    document = to_document(ours)
    title = document["title"]
    blank = dict.fromkeys(CSV_COLUMNS, "")
    text = {"Headline": title["text"]["headline"], "Text": title["text"]["text"], "Type": "title"}
    rows = [blank | _row_extras(title) | text]
    for era, item in zip(document["eras"], bands(ours), strict=True):
        rows.append(
            blank
            | dict(zip(("Year", "Month", "Day"), _cells(era["start_date"]), strict=True))
            | dict(zip(("End Year", "End Month", "End Day"), _cells(era["end_date"]), strict=True))
            | {
                "Headline": era["text"]["headline"],
                "Text": era["text"]["text"],
                "Type": "era",
                "Background": item["colour"],
            }
        )
    for slide in document["events"]:
        start, end = slide["start_date"], slide.get("end_date")
        rows.append(
            blank
            | dict(zip(("Year", "Month", "Day"), _cells(start), strict=True))
            | dict(zip(("End Year", "End Month", "End Day"), _cells(end), strict=True))
            | _row_extras(slide)
            | {
                "Time": _time_cell(start),
                "End Time": _time_cell(end),
                "Display Date": slide.get("display_date", ""),
                "Headline": slide["text"]["headline"],
                "Text": slide["text"]["text"],
                "Group": slide.get("group", ""),
                "Unique ID": slide["unique_id"],
            }
        )
    return [[to_cell(row[column]) for column in CSV_COLUMNS] for row in rows]


# --- Import ---------------------------------------------------------------------------------------------


class Invalid(ValueError):
    """One problem with one field; the caller adds where it is."""


class Reader:
    """Reads one item's fields and notes every problem, not only the first: a curator fixes a row once.

    ``read(function, *args)`` returns what the function returns, or None when it raised Invalid (the problem
    is noted and the field counts as unreadable). ``notes`` are things kept or left out that the curator
    should know about; they do not stop the import.
    """

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.notes: list[str] = []

    def __call__(self, function, *args) -> Any:
        try:
            return function(*args)
        except Invalid as error:
            self.problems.append(str(error))
            return None

    def refuse(self, message: str) -> None:
        self.problems.append(message)


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
    notes: list[str] = field(default_factory=list)

    order: dict[str, int] = field(default_factory=dict)  # each item's place, by where

    def add(self, where: str, read: Reader, item: Any) -> Any:
        """The item when it had no problem; otherwise None, with each problem noted under ``where``."""
        self.order.setdefault(where, len(self.order))
        self.problems += [f"{where}: {problem}" for problem in read.problems]
        self.notes += [f"{where}: {note}" for note in read.notes]
        return None if read.problems else item

    def position_of(self, line: str) -> int:
        """Where in the file the item a problem names is (lines about the whole file come first)."""
        for match in re.finditer(": ", line):
            if (position := self.order.get(line[: match.start()])) is not None:
                return position + 1
        return 0


def located(place: str, headline: Any) -> str:
    """An item's place in the file, with its headline when it has one: events item 3 (“The record”)."""
    if not isinstance(headline, str) or not (text := to_plain_text(headline)):
        return place
    return f"{place} (“{text if len(text) <= 60 else text[:59].rstrip() + '…'}”)"


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
    # As TimelineJS reads a sheet: spaces and thousands separators are ignored ("1,935").
    text = re.sub(r"[\s,]+", "", str(value)) if isinstance(value, str) else str(value)
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
    if year < 1:
        raise Invalid(
            _(
                "%(field)s: the year %(year)s is before the year 1. The kiosk does not support dates "
                "before the Common Era (BCE).",
                field=label,
                year=year,
            )
        )
    if year > 9999:
        raise Invalid(_("%(field)s: the year must be between 1 and 9999.", field=label))
    try:
        return PartialDate(year, month, day)
    except DateError as error:
        raise Invalid(f"{label}: {error}") from error


def _time(hour: int | None, minute: int | None, second: int | None, label: str) -> str:
    """A time of day as the kiosk keeps it: "14:05", or "14:05:30" when the seconds are given."""
    if hour is None:
        if minute is not None or second is not None:
            raise Invalid(_("%(field)s has minutes or seconds but no hour.", field=label))
        return ""
    if not (0 <= hour <= 23 and 0 <= (minute or 0) <= 59 and 0 <= (second or 0) <= 59):
        raise Invalid(_("%(field)s: the time of day does not exist.", field=label))
    return f"{hour:02d}:{minute or 0:02d}" + (f":{second:02d}" if second is not None else "")


_SHEET_TIME = re.compile(
    r"^(\d{1,2})(?:[:.]?(\d{2}))?(?:[:.](\d{2}))?(?:[.,]\d+)?\s*(?:([ap])\.?m\.?)?$", re.IGNORECASE
)


def _sheet_time(value: str, label: str) -> str:
    """A sheet's Time cell, as TimelineJS reads it: 14:05, 14.05, 1405, 14:05:30, 2:05 pm or 2 PM."""
    value = value.strip()
    if not value:
        return ""
    match = _SHEET_TIME.match(value)
    if not match:
        raise Invalid(
            _("%(field)s “%(value)s” is not a time of day (write 14:05).", field=label, value=value)
        )
    hour = int(match[1])
    minute, second = (int(part) if part else None for part in match.groups()[1:3])
    if match[4]:
        if not 1 <= hour <= 12:
            raise Invalid(_("%(field)s: the time of day does not exist.", field=label))
        hour = hour % 12 + (12 if match[4].lower() == "p" else 0)
    return _time(hour, minute if minute is not None else 0, second, label)


def _json_date(read: Reader, value: Any, label: str) -> tuple[PartialDate | None, str]:
    """A TimelineJS date object as our date and its time of day ("" when it has none)."""
    if value is None:
        return None, ""
    if not isinstance(value, dict):
        read.refuse(_("%(field)s must be an object with a year.", field=label))
        return None, ""
    parts = {
        name: read(_whole_number, value.get(name), f"{label} {name}")
        for name in ("year", "month", "day", "hour", "minute", "second")
    }
    date = read(_partial_date, parts["year"], parts["month"], parts["day"], label)
    time = read(_time, parts["hour"], parts["minute"], parts["second"], label) or ""
    if value.get("millisecond") not in (None, "", 0, "0"):
        read.notes.append(_("%(field)s: milliseconds are left out.", field=label))
    return date, time


_DATE_FORMATS = [
    (re.compile(r"^(\d{1,4})(?:[-/,](\d{1,2})(?:[-/,](\d{1,2}))?)?\Z"), ("year", "month", "day")),
    (re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{3,4})\Z"), ("month", "day", "year")),  # Google Sheets, US order
]


def _sheet_date(value: str, label: str) -> PartialDate | None:
    """An old sheet's Start Date / End Date cell: 1935, 1935-08, 1935-08-31, 1935,8,31 or 8/31/1935."""
    value = value.strip()
    if not value:
        return None
    if match := re.match(r"^-(\d+)\b", value):  # a year before the Common Era
        return _partial_date(-int(match[1]), None, None, label)
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


def is_embed(url: str) -> bool:
    """TimelineJS media given as HTML (a tweet's blockquote, an iframe) rather than an address."""
    return url.lstrip().startswith("<")


def clean_embed(html: str) -> str:
    """Embed HTML reduced to what an embed needs: no scripts, event handlers or non-web addresses.

    The kiosk never shows it (it is offline); it is kept so an export gives the embed back."""
    return nh3.clean(
        html.strip(),
        tags=EMBED_TAGS,
        attributes={"*": EMBED_ATTRIBUTES},
        generic_attribute_prefixes={"data-"},
        url_schemes={"http", "https"},
        link_rel=None,
        strip_comments=True,
    ).strip()


def _media(read: Reader, url: str, given: dict[str, str], label: str) -> tuple[dict | None, str]:
    """TimelineJS media (its address and MEDIA_TEXTS) as our image part and embed HTML: an address is kept
    as a remote reference, HTML as an embed; the texts are kept either way."""
    url = url.strip()
    texts = {name: to_plain_text(given.get(name) or "") for name in MEDIA_TEXTS}
    if not url:
        if any(texts.values()):
            read.notes.append(_("%(field)s has a caption or credit but no url: left out.", field=label))
        return None, ""
    if is_embed(url):
        embed = clean_embed(url)
        if not embed:
            read.refuse(_("%(field)s is HTML with nothing an embed could show.", field=label))
        image = {"key": None, "url": None} | texts if any(texts.values()) else None
        return image, embed
    read(check_media_url, url)
    return {"key": None, "url": url} | texts, ""


def _colour(value: str, label: str, read: Reader) -> str:
    """#rgb or #rrggbb; any other CSS colour is left out (and said so)."""
    value = value.strip()
    if re.match(r"^#[0-9a-fA-F]{3}$", value):
        value = "#" + "".join(digit * 2 for digit in value[1:])
    if value and not COLOUR.match(value):
        read.notes.append(
            _("%(field)s “%(value)s” is not a #rrggbb colour: left out.", field=label, value=value)
        )
        return ""
    return value


def _background(read: Reader, url: str, colour: str) -> dict | None:
    url = url.strip()
    if url:
        read(check_media_url, url)
    background = {"colour": _colour(colour, _("background colour"), read), "url": url}
    return background if any(background.values()) else None


def headline_for(
    summary: str, media: tuple[dict | None, str], display_date: str, start: PartialDate | None
) -> str:
    """A headline for a slide TimelineJS shows without one: the kiosk's cards need a title.

    Made from the text's first sentence (shortened at a word), else the media's caption or alt text, else
    the words of an embedded post, else the date, so the same slide always gets the same headline."""
    paragraph = re.search(r"<p\b[^>]*>(.*?)</p>", media[1], re.DOTALL | re.IGNORECASE)
    image, embed = media[0] or {}, to_plain_text(paragraph[1] if paragraph else media[1])
    source = summary or image.get("caption") or image.get("alt") or embed or display_date
    source = source or (start.label() if start else "")
    first = re.split(r"(?<=[.!?…])\s", source, maxsplit=1)[0]
    if len(first) <= HEADLINE_LIMIT:
        return first
    return first[: HEADLINE_LIMIT - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _event_item(
    read: Reader,
    *,
    unique_id: str | None,
    start_missing: bool,
    headline_html: str | None,
    text_html: str | None,
    dates: tuple[tuple[PartialDate | None, str], tuple[PartialDate | None, str]],
    display_date: str,
    media: tuple[dict | None, str] | None,
    background: dict | None,
) -> dict | None:
    (start, start_time), (end, end_time) = dates
    image, embed = media or (None, "")
    headline, summary_body_sources = to_plain_text(headline_html or ""), split_text(text_html or "")
    summary, body, sources = summary_body_sources
    unreadable = headline_html is None or text_html is None  # already said; "missing" would add nothing
    if not (headline or summary or body or image or embed or unreadable):
        read.refuse(_("The headline is missing (a slide needs a headline, text or media)."))
    if start_missing:
        read.refuse(_("The start date (year) is missing."))
    if end_time and end is None:
        read.refuse(_("The end time needs an end date."))
    if start_time and start and start.day is None:
        read.refuse(_("The start time needs a day: a time of day on a whole month or year means nothing."))
    if end_time and end and end.day is None:
        read.refuse(_("The end time needs a day: a time of day on a whole month or year means nothing."))
    if start and end:
        try:
            check_span(start, end)
        except DateError as error:
            read.refuse(str(error))
    if read.problems or start is None:
        return None
    if lost := missing_words(text_html or "", summary, body, sources):
        words = " ".join(lost)
        read.notes.append(
            _(
                "Some of the text could not be kept (the kiosk cannot show how it is written): “%(words)s”. "
                "Add it to the event by hand.",
                words=words if len(words) <= 200 else words[:199].rsplit(" ", 1)[0] + "…",
            )
        )
    display_date = to_plain_text(display_date)
    if not headline:
        headline = headline_for(summary, (image, embed), display_date, start)
        read.notes.append(
            _("The slide has no headline; the kiosk calls it “%(headline)s”.", headline=headline)
        )
    item: dict[str, Any] = {
        "slug": event_slug(unique_id or "", start, headline),
        "headline": headline,
        "start": start.as_dict(),
        "end": end.as_dict() if end else None,
        "start_time": start_time,
        "end_time": end_time,
        "display_date": display_date,
        "summary": summary,
        "body": body,
        "image": image,
        "embed": embed,
        "background": background,
    }
    if sources is not None:  # a sheet without a sources list leaves an event's sources alone
        item["sources"] = sources
    if unique_id is not None:  # (a sheet without the column leaves it alone)
        unique_id = unique_id.strip()
        item["unique_id"] = unique_id if unique_id != item["slug"] else ""
    return item


def _era_item(read: Reader, name_html: str | None, text_html: str | None, dates: tuple, problems_before: int):
    """An era from its name, text and dates (``problems_before``: how many problems its other fields had)."""
    start, end = dates
    if (start is None or end is None) and len(read.problems) == problems_before:
        read.refuse(_("An era needs a start and an end year."))
    elif start and end and end.year < start.year:
        read.refuse(_("The era ends before it starts."))
    if read.problems:
        return None
    name = to_plain_text(name_html or "") or f"{start.year}–{end.year}"
    return {
        "name": name,
        "start_year": start.year,
        "end_year": end.year,
        "description": to_plain_text(text_html or ""),
    }


def _title_item(
    headline_html: str | None, text_html: str | None, media: tuple[dict | None, str] | None, background
) -> dict:
    image, embed = media or (None, "")
    title_media = (image or {"key": None, "url": None, "alt": "", "caption": "", "credit": ""}) | {
        "embed": embed
    }
    return {
        "headline": to_plain_text(headline_html or ""),
        "summary": to_plain_text(text_html or ""),
        "media": title_media if (image or embed) else None,
        "background": background,
    }


def _titled(read: Reader, title: dict) -> dict:
    """A title slide without a headline (TimelineJS shows one) is called by its text's first sentence, or
    its media's caption; with neither, the kiosk keeps the title it has."""
    if not title["headline"]:
        media = (title["media"], (title["media"] or {}).get("embed") or "")
        if made := headline_for(title["summary"], media, "", None):
            title["headline"] = made
            read.notes.append(
                _(
                    "The title slide has no headline; the kiosk calls the timeline “%(headline)s”.",
                    headline=made,
                )
            )
        else:
            del title["headline"]
    return title


def parse_json(document: dict) -> Parsed:
    """A TimelineJS JSON document (numbers may be written as strings)."""
    parsed = Parsed()
    slides = document.get("events")
    if not isinstance(slides, list):
        parsed.problems.append("events: " + _("A TimelineJS file needs a list of events."))
        slides = []
    if document.get("scale") not in (None, "", "human"):
        parsed.problems.append("scale: " + _("Only the human scale is supported (years 1 to 9999)."))
    title = document.get("title")
    if title is not None:
        read = Reader()
        parsed.title = parsed.add(_("title"), read, _json_title(read, title))
    eras = document.get("eras") or []
    if not isinstance(eras, list):
        parsed.problems.append("eras: " + _("Must be a list."))
        eras = []
    for position, era in enumerate(eras, start=1):
        where, read = _("eras item %(number)s", number=position), Reader()
        if item := parsed.add(where, read, _json_era(read, era)):
            parsed.eras.append(Entry(where, item))
    for position, slide in enumerate(slides, start=1):
        text = slide.get("text") if isinstance(slide, dict) else None
        headline = text.get("headline") if isinstance(text, dict) else None
        label = located(_("events item %(number)s", number=position), headline)
        read = Reader()
        if entry := parsed.add(label, read, _json_slide(read, slide, label)):
            parsed.events.append(entry)
    return parsed


def _json_object(read: Reader, container: dict, name: str, message: str) -> dict:
    value = container.get(name)
    if value is not None and not isinstance(value, dict):
        read.refuse(message)
        return {}
    return value or {}


def _json_text(read: Reader, container: dict) -> tuple[str | None, str | None]:
    """The headline and text HTML; None for one that could not be read (its problem is noted)."""
    text = _json_object(read, container, "text", _("text must be an object with a headline and text."))
    return read(_text, text.get("headline"), "headline"), read(_text, text.get("text"), "text")


def _json_media(read: Reader, container: dict) -> tuple[dict | None, str] | None:
    media = _json_object(read, container, "media", _("media must be an object with a url."))
    if isinstance(media.get("url"), int | float) and not isinstance(media.get("url"), bool):
        read.refuse(_("media url must be text (a web address), not %(value)s.", value=media["url"]))
        media = {name: value for name, value in media.items() if name != "url"}
    given = {name: read(_text, media.get(name), f"media {name}") or "" for name in MEDIA_FIELDS}
    return _media(read, given["url"], given, "media")


def _json_background(read: Reader, container: dict) -> dict | None:
    background = _json_object(read, container, "background", _("background must be an object (url, color)."))
    url = read(_text, background.get("url"), "background url") or ""
    return _background(read, url, read(_text, background.get("color"), "background color") or "")


def _json_title(read: Reader, title: Any) -> dict | None:
    if not isinstance(title, dict):
        read.refuse(_("Must be an object."))
        return None
    headline, text = _json_text(read, title)
    return _titled(read, _title_item(headline, text, _json_media(read, title), _json_background(read, title)))


def _json_era(read: Reader, era: Any) -> dict | None:
    if not isinstance(era, dict):
        read.refuse(_("Must be an object."))
        return None
    headline, text = _json_text(read, era)
    before = len(read.problems)
    dates = [_json_date(read, era.get(name), name)[0] for name in ("start_date", "end_date")]
    return _era_item(read, headline, text, tuple(dates), before)


def _json_slide(read: Reader, slide: Any, where: str) -> Entry | None:
    if not isinstance(slide, dict):
        read.refuse(_("Must be an object."))
        return None
    headline, text = _json_text(read, slide)
    start_date = slide.get("start_date")
    display_date = read(_text, slide.get("display_date"), "display_date") or ""
    if not display_date and isinstance(start_date, dict):
        display_date = read(_text, start_date.get("display_date"), "start_date display_date") or ""
    item = _event_item(
        read,
        unique_id=read(_text, slide.get("unique_id"), "unique_id") or "",
        start_missing=start_date is None
        or (isinstance(start_date, dict) and start_date.get("year") in (None, "")),
        headline_html=headline,
        text_html=text,
        dates=(
            _json_date(read, start_date, "start_date"),
            _json_date(read, slide.get("end_date"), "end_date"),
        ),
        display_date=display_date,
        media=_json_media(read, slide),
        background=_json_background(read, slide),
    )
    place = read(_place, slide.get("location"), read.notes)
    if item and place is not None:
        item["place"] = place  # a slide without one leaves an event's place alone
    group = to_plain_text(read(_text, slide.get("group"), "group") or "")
    return Entry(where, item, group) if item else None


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
        label, read = _("row %(number)s", number=number), Reader()
        if not any(cell.strip() for cell in cells):
            parsed.skipped.append(f"{label}: " + _("Empty."))
            continue
        if any(cell.strip() for cell in cells[len(header) :]):
            parsed.problems.append(f"{label}: " + _("More cells than the header has columns."))
            continue
        row = dict(zip(header, (from_cell(cell) for cell in cells), strict=False))
        label = located(label, row.get("headline"))
        kind = row.get("type", "").strip().casefold()
        if kind in {"title", "start"}:  # TimelineJS 2 sheets called the title slide "start"
            titles += 1
            if titles > 1:
                parsed.problems.append(f"{label}: " + _("Only one row can be the title."))
            else:
                extras = _sheet_extras(read, row)
                item = _titled(read, _title_item(row.get("headline", ""), row.get("text", ""), *extras))
                parsed.title = parsed.add(label, read, item)
        elif kind == "era":
            if item := parsed.add(label, read, _sheet_era(read, row)):
                parsed.eras.append(Entry(label, item))
        elif entry := parsed.add(label, read, _sheet_event(read, row, label)):
            parsed.events.append(entry)
    return parsed


def _sheet_number(read: Reader, row: dict, column: str) -> int | None:
    return read(_whole_number, row.get(column.casefold()), column)


def _sheet_dates(
    read: Reader, row: dict
) -> tuple[tuple[PartialDate | None, str], tuple[PartialDate | None, str]]:
    if "year" not in row:
        start = read(_sheet_date, row.get("start date", ""), "Start Date")
        return (start, ""), (read(_sheet_date, row.get("end date", ""), "End Date"), "")
    dates = []
    for prefix, label in (("", _("Start date")), ("End ", _("End date"))):
        parts = [_sheet_number(read, row, prefix + name) for name in ("Year", "Month", "Day")]
        date = read(_partial_date, *parts, label)
        time = read(_sheet_time, row.get(prefix.casefold() + "time", ""), prefix + "Time") or ""
        dates.append((date, time))
    return dates[0], dates[1]


def _sheet_extras(read: Reader, row: dict) -> tuple[tuple[dict | None, str], dict | None]:
    """A row's media and background (the template has no alt-text column; some sheets add one)."""
    texts = {name: row.get(column.casefold(), "") for name, column in MEDIA_TEXTS.items()}
    media = _media(read, row.get(MEDIA_URL_COLUMN.casefold(), ""), texts, "Media")
    background = row.get("background", "").strip()
    if re.match(r"^(https?:)?//?", background) or _RELATIVE_IMAGE.match(background):
        return media, _background(read, background, "")
    return media, _background(read, "", background)


def _sheet_era(read: Reader, row: dict) -> dict | None:
    (start, _start_time), (end, _end_time) = _sheet_dates(read, row)
    item = _era_item(read, row.get("headline", ""), row.get("text", ""), (start, end), 0)
    background = row.get("background", "").strip()
    if item and COLOUR.match(background):
        item["colour"] = background
    return item


def _sheet_event(read: Reader, row: dict, where: str) -> Entry | None:
    media, background = _sheet_extras(read, row)
    item = _event_item(
        read,
        unique_id=row.get("unique id"),
        start_missing=not row.get("year" if "year" in row else "start date", "").strip(),
        headline_html=row.get("headline", ""),
        text_html=row.get("text", ""),
        dates=_sheet_dates(read, row),
        display_date=row.get("display date", ""),
        media=media,
        background=background,
    )
    return Entry(where, item, to_plain_text(row.get("group", ""))) if item else None
