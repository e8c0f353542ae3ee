"""Importing a file: our own JSON, TimelineJS JSON or the TimelineJS spreadsheet (CSV).

Three steps, so that a bad file changes nothing:
1. ``read(data)`` recognises the format, converts everything to our item shapes, matches eras and events
   against the database, and checks it all. Every problem is collected with its place; any problem
   raises ImportRefused and nothing has been written.
2. ``prepare(plan)`` works out, from reads alone, what changes: the report a dry run shows, and the batch
   of new rows and updates (with their revisions) a real import writes.
3. ``run(data, ...)`` does both; a real import hands the batch to kiosk.editing.writer, which writes it in one
   short transaction (bulk statements), all or nothing. A dry run writes nothing and takes no write lock.

Imported events are drafts unless ``publish``; events already here keep their status (``keep_status``
takes each status from our own format's file instead). TimelineJS events match by slug (unique_id), then
by start date and headline (a sheet has no unique_id); new ones without a unique_id get a slug made from
their date and headline, so importing the same file again updates them instead of adding them twice.
See docs/interchange-format.md.
"""

from __future__ import annotations

import copy
import csv
import json
import re
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from ..content import fields, places, settings_store
from ..editing import revisions, writer
from ..extensions import db
from ..languages import localized
from ..languages.localized import translation_key
from ..models import Era, EraTranslation, Event, EventTranslation, Media, Place, PlaceTranslation, Status
from . import kiosk_json, timelinejs

OURS, TIMELINEJS_JSON, TIMELINEJS_CSV = (
    "kiosk-timeline JSON",
    "TimelineJS JSON",
    "TimelineJS spreadsheet (CSV)",
)
# Muted colours that carry white text, used in turn for eras an import creates.
ERA_PALETTE = ["#8a5a14", "#4e5863", "#9b2c2c", "#3e5c76", "#5e4b6b", "#3f6b5e", "#6b5b4e"]
_OUR_MEDIA = re.compile(r"^/media/([A-Za-z0-9]+)-(?:large|thumb)\.webp\Z")
ERA_NAME_LIMIT = fields.ERA["name"].limit or 80
# No timeline needs deeper nesting; deeper files are refused before anything walks them.
MAX_NESTING = 32
NEW_EVENT = {
    "display_date": "",
    "summary": "",
    "body": "",
    "sources": [],
    "confidence": "",
    "featured": False,
    "postscript": False,
    "status": Status.DRAFT.value,
    "image": None,
    "end": None,
    "start_time": "",
    "end_time": "",
    "background": None,
    "embed": "",
    "place": None,
    "figure": None,
    "group": None,  # the era's name, for the kiosk's own events
    "unique_id": "",
}
NEW_PLACE = {"note": "", "years": None, "display_years": ""}  # what a file that does not say leaves


def event_label(item: dict) -> str:
    """How a report names an event: its headline, with its web address to tell apart two of the same."""
    return _("event “%(headline)s” (%(slug)s)", headline=item.get("headline") or "", slug=item["slug"])


def era_label(item: dict) -> str:
    return _("era “%(name)s” (%(slug)s)", name=item.get("name") or "", slug=item["slug"])


class ImportRefused(ValueError):
    """The file cannot be imported; ``problems`` says where and why. Nothing was changed."""

    def __init__(self, problems: list[str], file_format: str = ""):
        super().__init__("\n".join(problems))
        self.problems = problems
        self.format = file_format  # the format recognised, when it was


@dataclass
class Plan:
    """What a file holds, checked and matched against the database, ready to apply."""

    format: str
    title: dict | None = None
    further_reading: list[str | dict] | None = None  # see kiosk_json.is_reading_list
    title_translations: dict | None = None  # {language: {"title": …, "further_reading": …}} (version 2)
    eras: list[dict] = field(default_factory=list)  # era items; only the fields the file carries
    places: list[dict] = field(
        default_factory=list
    )  # place items; likewise (kiosk_json.FROM_EVENTS: see there)
    events: list[dict] = field(default_factory=list)  # event items; likewise, a place named by its slug
    skipped: list[str] = field(default_factory=list)
    attention: list[str] = field(default_factory=list)  # things the curator should look at afterwards


@dataclass
class ImportReport:
    format: str
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    attention: list[str] = field(default_factory=list)
    dry_run: bool = False

    def summary(self) -> str:
        return _(
            "%(format)s: %(created)s created, %(updated)s updated, %(skipped)s skipped",
            format=self.format,
            created=len(self.created),
            updated=len(self.updated),
            skipped=len(self.skipped),
        )


# --- Recognising the file -------------------------------------------------------------------------------


def _cyrillic(text: str) -> bool:
    """Russian or Ukrainian: its non-ASCII words are Cyrillic throughout (Windows-1252 text read as 1251
    gives Latin words with a Cyrillic letter in them, "GroЯer")."""
    words = [word for word in re.findall(r"[^\W\d_]+", text) if not word.isascii()]
    return bool(words) and all(re.fullmatch(r"[\u0400-\u04ff]+", word) for word in words)


def _western(text: str) -> bool:
    """Western European: its non-ASCII characters are nearly all letters (é, ß, ü), not symbols."""
    foreign = [character for character in text if ord(character) > 127]
    return bool(foreign) and sum(character.isalpha() for character in foreign) >= 0.9 * len(foreign)


# Single-byte encodings spreadsheets save in when not asked for UTF-8, tried in turn: Cyrillic text (this
# museum's own languages) as Windows-1251, Western European (Latin-1, German umlauts) as Windows-1252.
_LEGACY_ENCODINGS = (
    ("cp1251", "Windows-1251 (Cyrillic)", _cyrillic),
    ("cp1252", "Windows-1252 (Western European, Latin-1)", _western),
)


def _decode(data: bytes) -> tuple[str, str]:
    """The file's text, and a line for the report when it was not UTF-8 but its encoding was recognised."""
    try:
        return data.decode("utf-8-sig"), ""
    except UnicodeDecodeError as error:
        position = error.start + 1
    for encoding, name, looks_right in _LEGACY_ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if looks_right(text):
            note = _(
                "The file is not UTF-8: it was read as %(encoding)s. Check that its letters look right, and "
                "save it as UTF-8 next time.",
                encoding=name,
            )
            return text, note
    raise ImportRefused(
        [_("The file is not UTF-8 text (byte %(position)s): save it as UTF-8.", position=position)]
    ) from None


def read(data: bytes) -> Plan:
    """Recognise, convert, match and check everything; raises ImportRefused listing every problem."""
    text, note = _decode(data)
    plan = _read_text(text)
    if note:
        plan.attention.insert(0, note)
    return plan


def _read_text(text: str) -> Plan:
    if text.lstrip().startswith(("{", "[")):
        try:
            document = json.loads(text)
        except RecursionError:
            raise ImportRefused([_too_deep()]) from None
        except json.JSONDecodeError as error:
            message = _(
                "Not valid JSON: %(reason)s at line %(line)s, column %(column)s.",
                reason=error.msg,
                line=error.lineno,
                column=error.colno,
            )
            raise ImportRefused([message]) from None
        if _nesting(document) > MAX_NESTING:
            raise ImportRefused([_too_deep()])
        if kiosk_json.is_our_format(document):
            return _plan_ours(document)
        if isinstance(document, dict) and "events" in document:
            return _plan_timelinejs(timelinejs.parse_json(document), TIMELINEJS_JSON)
        if isinstance(document, dict) and "timeline" in document:
            raise ImportRefused(
                [_("This is a TimelineJS 2 file: export the timeline's sheet as CSV instead.")]
            )
        raise ImportRefused([_("This JSON is neither a kiosk-timeline document nor a TimelineJS one.")])
    header = next(csv.reader([text.split("\n", 1)[0]]), [])
    if not timelinejs.looks_like_sheet(header):
        raise ImportRefused(
            [_("This kiosk imports kiosk-timeline JSON, TimelineJS JSON or a TimelineJS sheet saved as CSV.")]
        )
    try:
        return _plan_timelinejs(timelinejs.parse_csv(text), TIMELINEJS_CSV)
    except ImportRefused as refused:
        refused.format = TIMELINEJS_CSV  # its problems are counted by row, as a spreadsheet counts them
        raise


def _too_deep() -> str:
    return _(
        "The file nests lists and objects more than %(limit)s deep; a timeline never does.", limit=MAX_NESTING
    )


def _nesting(document) -> int:
    """How deep lists and objects nest (counted without recursion)."""
    deepest, pending = 0, [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict | list):
            deepest = max(deepest, depth)
            if depth <= MAX_NESTING:
                children = value.values() if isinstance(value, dict) else value
                pending.extend((child, depth + 1) for child in children)
    return deepest


# --- Checks that apply to every format ------------------------------------------------------------------


def _too_long(name: str, limit: int) -> str:
    return _("%(field)s is longer than %(limit)s characters.", field=name, limit=limit)


def _check_event(item: dict, where: str, problems: list[str]) -> None:
    image = item["image"] if isinstance(item.get("image"), dict) else {}
    for key, limit in fields.EVENT.text_limits().items():
        spec = fields.EVENT[key]
        value = image.get(spec.name) if spec.group == "image" else item.get(key)
        if len(str(value or "")) > limit:
            problems.append(f"{where}: " + _too_long(key.replace(".", " "), limit))
    url = image.get("url")
    if url is not None and not isinstance(url, str):
        problems.append(f"{where}: " + _("image url must be text (a web address), not %(value)s.", value=url))
    elif url:
        try:
            timelinejs.check_media_url(url)
        except timelinejs.Invalid as error:
            problems.append(f"{where}: {error}")
    first, last = current_app.config["TIMELINE_START_YEAR"], current_app.config["TIMELINE_END_YEAR"]
    year = item["start"].get("year") if isinstance(item.get("start"), dict) else None
    if isinstance(year, int) and year < first:
        message = _(
            "%(year)s is before the timeline starts in %(first)s (the setting KIOSK_TIMELINE_START_YEAR).",
            year=year,
            first=first,
        )
        problems.append(f"{where}: {message}")
    elif isinstance(year, int) and year > last and item.get("postscript") is False:
        message = _(
            "%(year)s is after the timeline ends in %(last)s: mark it as a postscript, or move the end "
            "(the setting KIOSK_TIMELINE_END_YEAR).",
            year=year,
            last=last,
        )
        problems.append(f"{where}: {message}")


def _keep_apart(item: dict, where: str, seen: dict[str, str], notes: list[str]) -> None:
    """A slide with the same unique_id, or the same date and headline, as an earlier one is an event of
    its own (TimelineJS shows both: a photo series a few seconds apart, or one slide for each media
    kind): its address gets the next free number. ``seen`` maps the addresses taken to where."""
    slug = item["slug"]
    if slug not in seen:
        seen[slug] = where
        return
    number = 2
    while f"{slug}-{number}" in seen:
        number += 1
    item["slug"] = f"{slug}-{number}"
    seen[item["slug"]] = where
    message = _(
        "The same unique_id, or the same date and headline, as %(other)s: kept as an event of its own, "
        "at /events/%(slug)s.",
        other=seen[slug],
        slug=item["slug"],
    )
    notes.append(f"{where}: {message}")


def _note_images(plan: Plan) -> None:
    """Resolve links to our own media; flag remote media, embeds, background images and missing alt text.

    A sheet has no alt-text column: an event that keeps its image keeps the alt text it already has.
    """
    existing = {event.slug: event for event in db.session.scalars(select(Event))}
    title = plan.title or {}
    _note_references("title", title.get("media"), title.get("background"), plan.attention)
    for item in plan.events:
        image, event = item.get("image"), existing.get(item["slug"])
        where = event_label(item)
        if image:
            local = _OUR_MEDIA.match(image.get("url") or "")
            if local and db.session.scalar(select(Media.id).where(Media.key == local[1])):
                image["key"], image["url"] = local[1], None
            if not image.get("alt") and event and event.image_alt and _same_image(event, image):
                image["alt"] = event.image_alt
        _note_references(
            where, (image or {}) | {"embed": item.get("embed")}, item.get("background"), plan.attention
        )
        url = (image or {}).get("url") or ""
        if image and (image.get("key") or timelinejs.media_kind(url) == "image") and not image.get("alt"):
            plan.attention.append(
                f"{where}: " + _("The image has no alt text: describe it for visitors who cannot see it.")
            )


def _note_references(where: str, media: dict | None, background: dict | None, attention: list[str]) -> None:
    """Media and backgrounds the offline kiosk keeps only as references, each said once."""
    media, background = media or {}, background or {}
    notes = {
        "url": _reference_note(media.get("url") or ""),
        "embed": _(
            "The media is HTML embedded from another site (a post, a video or a page): it is kept as a "
            "reference for exports only, and the kiosk never shows it. Upload a picture instead."
        ),
        "background": _(
            "The background image %(url)s is kept as a reference for exports only: the kiosk does not "
            "show slide backgrounds.",
            url=background.get("url"),
        ),
    }
    present = {"url": media.get("url"), "embed": media.get("embed"), "background": background.get("url")}
    attention += [f"{where}: {notes[name]}" for name, value in present.items() if value]


def _reference_note(url: str) -> str:
    """What the curator should do about media the kiosk keeps as a reference, by what the media is."""
    if timelinejs.media_kind(url) == "image":
        return _(
            "%(url)s is kept as a reference only (the kiosk is offline and never fetches it): "
            "upload a copy of the image.",
            url=url,
        )
    kinds = {
        "audio": _("an audio recording"),
        "video": _("a video"),
        "document": _("a document"),
        "map": _("a map"),
        "post": _("a post on a social network"),
        "page": _("a web page"),
    }
    return _(
        "%(url)s (%(kind)s) is kept as a reference only: the kiosk is offline, never fetches it and shows "
        "only pictures. Upload a picture for the event if you have one.",
        url=url,
        kind=kinds[timelinejs.media_kind(url)],
    )


def _same_image(event: Event, image: dict) -> bool:
    if image.get("key"):
        return event.image is not None and event.image.key == image["key"]
    return bool(image.get("url")) and event.remote_media_url == image["url"]


def _skip_trashed(plan: Plan) -> None:
    trashed = set(db.session.scalars(select(Event.slug).where(Event.deleted_at.is_not(None))))
    for item in plan.events:
        if item["slug"] in trashed:
            message = _("In the trash: restore it from the trash to import it again.")
            plan.skipped.append(f"{event_label(item)}: {message}")
    plan.events = [item for item in plan.events if item["slug"] not in trashed]


# --- Our own format -------------------------------------------------------------------------------------


def _plan_ours(document: dict) -> Plan:
    problems = kiosk_json.check_document(document)
    if problems and not all(isinstance(document.get(name) or [], list) for name in ("eras", "events")):
        raise ImportRefused(problems)
    title, reading = document.get("title"), document.get("further_reading")
    for position, item in enumerate(document.get("eras") or [], start=1):
        for name in ("slug", "name"):
            if isinstance(item, dict) and len(str(item.get(name, ""))) > ERA_NAME_LIMIT:
                where = _("eras item %(number)s", number=position)
                problems.append(f"{where}: " + _too_long(name, ERA_NAME_LIMIT))
    events = document.get("events") or []
    for position, item in enumerate(events, start=1):
        if isinstance(item, dict):
            where = _("events item %(number)s", number=position)
            _check_event(item | {"postscript": bool(item.get("postscript"))}, where, problems)
    if problems:
        raise ImportRefused(problems)
    document = kiosk_json.upgraded(document)
    for kind, table in (("eras", fields.ERA), ("places", fields.PLACE), ("events", fields.EVENT)):
        for item in document.get(kind) or []:
            # (a place gathered from older events brings only some texts: the rest stay, see _plan_places)
            if item.get("translations") and not item.get(kiosk_json.FROM_EVENTS):
                item["translations"] = fields.complete_translations(table, item["translations"])
            for spec in table:  # a figure as the kiosk keeps it (checked above)
                if isinstance(spec.kind, fields.Checked) and spec.key in item:
                    item[spec.key] = spec.kind.clean(item[spec.key])
    for item in document.get("places") or []:  # coordinates and years as the kiosk keeps them (checked above)
        item |= {axis: places.coordinate(item[axis], axis) for axis in ("lat", "lon")}
        if isinstance(item.get("years"), dict):
            item["years"] = places.check_years(item["years"].get("from"), item["years"].get("to"))
    plan = Plan(
        OURS,
        title=title or None,
        further_reading=reading,
        title_translations=copy.deepcopy(document.get("translations")),
        eras=copy.deepcopy(document.get("eras") or []),
        places=copy.deepcopy(document.get("places") or []),
        events=copy.deepcopy(document.get("events") or []),
    )
    _skip_trashed(plan)
    _match_places(plan)
    _note_images(plan)
    return plan


# --- TimelineJS: eras and groups ------------------------------------------------------------------------


class _EraMatcher:
    """The kiosk's eras for a TimelineJS file's slides, so that its chronology survives.

    A slide whose group names an era (of the file, or already here) goes into it: that is how our own exports
    say which era an event is in. Any other slide keeps its group as it is (TimelineJS draws groups as rows,
    which overlap in time, so they cannot be the kiosk's chapters) and goes into the era it is in already,
    else the era (of the file, or here) that holds its year most closely; slides that none holds get eras of
    their own, one for each run of years between the others (named by their years, and left out of
    TimelineJS exports: the file never had them).
    """

    def __init__(self) -> None:
        self.existing = list(db.session.scalars(select(Era).order_by(Era.position, Era.id)))
        self.planned: dict[str, dict] = {}  # slug -> era item, in file order
        self.unheld: list[dict] = []  # event items no era holds yet

    def _find(self, name: str) -> str | None:
        wanted, slug = name.casefold(), timelinejs.slugify(name)
        for item in self.planned.values():
            if item["name"].casefold() == wanted:
                return item["slug"]
        for era in self.existing:
            if era.name.casefold() == wanted:
                return era.slug
        if slug in self.planned or any(era.slug == slug for era in self.existing):
            return slug
        return None

    def era_from_file(self, item: dict) -> str | None:
        """Plan a TimelineJS era; None when another era in the file already has that name or slug."""
        slug = self._find(item["name"]) or timelinejs.slugify(item["name"]) or f"era-{len(self.planned) + 1}"
        if slug in self.planned:
            return None
        self.planned[slug] = item | {"slug": slug, "import_holder": False}
        return slug

    def _holding(self, year: int) -> str | None:
        """The era that holds a year most closely: the latest to start, then the shortest, then by address.
        Chosen from the eras' years alone (not from which file or kiosk they came from), so that a slide
        finds the same era when our export of it is imported anywhere."""
        spans = [(item["slug"], item["start_year"], item["end_year"]) for item in self.planned.values()]
        spans += [(era.slug, era.start_year, era.end_year) for era in self.existing if not era.import_holder]
        # (an era an earlier import made for such slides only when no other holds the year)
        holders = [(era.slug, era.start_year, era.end_year) for era in self.existing if era.import_holder]
        for candidates in (spans, holders):
            holding = [(-start, end - start, slug) for slug, start, end in candidates if start <= year <= end]
            if holding:
                return min(holding)[2]
        return None

    def place(self, item: dict, group: str, current: tuple[str, str | None] | None) -> None:
        """Set the event item's era (or leave it for holders) and the group an export gives it back.
        ``current`` is the era and group of the event already here, if it is."""
        named = self._find(group) if group else None
        if named:
            item["era"] = named
            item["group"] = None if self._name(named) == group else group
            return
        if current and current[1] is None and not group:
            item["era"] = current[0]  # the kiosk's own event: a slide without a group moves nothing
            return
        item["group"] = group
        era = current[0] if current else self._holding(item["start"]["year"])
        if era:
            item["era"] = era
        else:
            self.unheld.append(item)

    def _name(self, slug: str) -> str:
        if slug in self.planned:
            return self.planned[slug]["name"]
        return next(era.name for era in self.existing if era.slug == slug)

    def hold_the_rest(self) -> None:
        """Eras for the slides no era holds: one for each run of them that no other era interrupts."""
        spans = [(item["start_year"], item["end_year"]) for item in self.planned.values()]
        spans += [(era.start_year, era.end_year) for era in self.existing]
        runs: list[list[dict]] = []
        for item in sorted(self.unheld, key=_chronological):
            year = item["start"]["year"]
            last = runs[-1][-1]["start"]["year"] if runs else None
            if last is None or any(last < first and end < year for first, end in spans):
                runs.append([])
            runs[-1].append(item)
        for run in runs:
            first = run[0]["start"]["year"]
            last = max((item["end"] or item["start"])["year"] for item in run)
            name = str(first) if first == last else f"{first}–{last}"
            slug = self._find(name) or timelinejs.slugify(name.replace("–", "-"))
            here = next((era for era in self.existing if era.slug == slug), None)
            if here and not here.import_holder:  # a curator's era of that name, elsewhere in time
                slug, here = f"{slug}-{len(self.planned) + 1}", None
            if here:  # one an earlier import made: it widens to hold the run too
                first, last, name = min(first, here.start_year), max(last, here.end_year), here.name
            self.planned.setdefault(
                slug,
                {"slug": slug, "name": name, "start_year": first, "end_year": last, "import_holder": True},
            )
            for item in run:
                item["era"] = slug

    def eras(self) -> tuple[list[dict], list[str]]:
        """The planned era items, and a note for each era made to hold slides."""
        notes = []
        for item in self.planned.values():
            if item.get("import_holder") and not any(era.slug == item["slug"] for era in self.existing):
                message = _(
                    "Made for slides that the file puts in no era: rename it and check its colour. "
                    "TimelineJS exports leave it out, as the file did."
                )
                notes.append(f"{era_label(item)}: {message}")
        return list(self.planned.values()), notes


def _chronological(item: dict) -> tuple:
    start = item["start"]
    return (start["year"], start.get("month") or 0, start.get("day") or 0, item.get("start_time") or "")


def _plan_timelinejs(parsed: timelinejs.Parsed, file_format: str) -> Plan:
    problems = list(parsed.problems)
    plan = Plan(file_format, title=parsed.title, skipped=list(parsed.skipped), attention=list(parsed.notes))
    matcher = _EraMatcher()
    for entry in parsed.eras:
        if len(entry.item["name"]) > ERA_NAME_LIMIT:
            problems.append(f"{entry.where}: " + _too_long(_("The era's name"), ERA_NAME_LIMIT))
        elif matcher.era_from_file(entry.item) is None:
            problems.append(f"{entry.where}: " + _("Another era in this file has the same name."))
    last_year = current_app.config["TIMELINE_END_YEAR"]
    existing = {
        slug: (postscript, era, group)
        for slug, postscript, era, group in db.session.execute(
            select(Event.slug, Event.postscript, Era.slug, Event.timelinejs_group).join(Event.era)
        )
    }
    by_date_and_headline = _events_by_date_and_headline()
    by_date = _events_by_date()
    seen: dict[str, str] = {}
    for entry in parsed.events:
        item = entry.item
        if item["slug"] not in existing:
            start = item["start"]
            key = (start["year"], start["month"], start["day"], item["headline"].casefold())
            item["slug"] = by_date_and_headline.get(key, item["slug"])
        _keep_apart(item, entry.where, seen, plan.attention)
        if "unique_id" not in item and item["slug"] not in existing:
            _warn_of_a_renamed_row(item, by_date, plan.attention)
        first = item["start"]["year"]
        if len(entry.group) > ERA_NAME_LIMIT:
            problems.append(f"{entry.where}: " + _too_long(_("The group"), ERA_NAME_LIMIT))
            continue
        here = existing.get(item["slug"])
        matcher.place(item, entry.group, (here[1], here[2]) if here else None)
        if first > last_year:
            item["postscript"] = True
            if not (here and here[0]):
                message = _("After %(year)s, so it is marked as a postscript.", year=last_year)
                plan.attention.append(f"{event_label(item)}: {message}")
        _check_event(item, entry.where, problems)
        plan.events.append(item)
    if problems:
        raise ImportRefused(sorted(problems, key=parsed.position_of))
    matcher.hold_the_rest()
    plan.eras, notes = matcher.eras()
    plan.attention += notes
    _skip_trashed(plan)
    plan.places = kiosk_json.places_from_events(plan.events)
    _match_places(plan)
    _note_images(plan)
    return plan


def _match_places(plan: Plan) -> None:
    """Places an older document's events or TimelineJS slides carry (kiosk_json.FROM_EVENTS) are the
    places recorded here under the same name and coordinates (kiosk.content.places.identity), or new ones
    with a web address no other place has; the events name them so."""
    recorded = db.session.scalars(select(Place)).all()
    by_identity = {places.identity(place.name, place.lat, place.lon): place.slug for place in recorded}
    taken = {place.slug for place in recorded} | {
        item["slug"] for item in plan.places if not item.get(kiosk_json.FROM_EVENTS)
    }
    renamed: dict[str, str] = {}
    for item in plan.places:
        if not item.get(kiosk_json.FROM_EVENTS):
            continue
        slug = by_identity.get(places.identity(item["name"], item["lat"], item["lon"]))
        if slug is None:
            slug, number = places.key(item["name"]), 1
            while slug in taken:
                number += 1
                slug = f"{places.key(item['name'])}-{number}"
            taken.add(slug)
        renamed[item["slug"]] = item["slug"] = slug
    for event in plan.events:
        if isinstance(event.get("place"), str):
            event["place"] = renamed.get(event["place"], event["place"])


def _events_by_date() -> dict[tuple, list[dict]]:
    """Existing events by start date: {(year, month, day): [{"slug", "headline"}, …]}."""
    found: dict[tuple, list[dict]] = {}
    query = select(Event.slug, Event.start_year, Event.start_month, Event.start_day, Event.headline)
    for slug, year, month, day, headline in db.session.execute(query.where(Event.deleted_at.is_(None))):
        found.setdefault((year, month, day), []).append({"slug": slug, "headline": headline})
    return found


def _warn_of_a_renamed_row(item: dict, by_date: dict[tuple, list[dict]], attention: list[str]) -> None:
    """A sheet without the Unique ID column matches its rows by date and headline: a new row on the date
    of an event already here may be that event with its headline edited, which would make a second one."""
    start = item["start"]
    for other in by_date.get((start["year"], start["month"], start["day"]), []):
        message = _(
            "Comes as a new event, though %(other)s has the same date. If this row is that event with its "
            "headline changed, put the headline back or add the Unique ID column (our sheet exports have "
            "it), or it will be a second event.",
            other=event_label(other),
        )
        attention.append(f"{event_label(item)}: {message}")


def _events_by_date_and_headline() -> dict[tuple, str]:
    """Existing events by (start date, headline); a date and headline used twice matches neither."""
    found: dict[tuple, str | None] = {}
    for slug, year, month, day, headline in db.session.execute(
        select(Event.slug, Event.start_year, Event.start_month, Event.start_day, Event.headline)
    ):
        key = (year, month, day, headline.casefold())
        found[key] = None if key in found else slug
    return {key: slug for key, slug in found.items() if slug}


# --- Working out the changes, and writing them ------------------------------------------------------


def prepare(
    plan: Plan,
    *,
    publish: bool = False,
    keep_status: bool = False,
    source: str = "",
    language: str | None = None,
) -> tuple[writer.Batch, ImportReport]:
    """Every change the plan makes, worked out from reads alone: the report (all a dry run needs) and the
    batch a real import hands to kiosk.editing.writer.

    New events are drafts and existing ones keep their status, unless ``publish`` (all published) or
    ``keep_status`` (each as our own format's file says; other formats carry no status).
    """
    report = ImportReport(plan.format, skipped=list(plan.skipped), attention=list(plan.attention))
    note = _("Imported from %(source)s", source=source) if source else _("Imported")
    batch = writer.Batch(note=note, source=source)
    if language:  # the file is a translation of events already here
        _plan_in_language(plan, language, report, batch)
        batch.detail = f"{report.summary()} ({language})"
        return batch, report
    if plan.title or plan.further_reading is not None or plan.title_translations:
        _plan_title(plan, report, batch)
    _plan_eras(plan, report, batch)
    _plan_places(plan, report, batch)
    _plan_events(plan, report, batch, _status_rule(publish, keep_status))
    batch.detail = report.summary() + (_(", published") if publish else "")
    return batch, report


def _plan_title(plan: Plan, report: ImportReport, batch: writer.Batch) -> None:
    wanted = kiosk_json.title_settings(plan.title or {})
    if plan.further_reading is not None:
        wanted["further_reading"] = list(plan.further_reading)
    for locale, texts in (plan.title_translations or {}).items():
        wanted[translation_key(locale)] = kiosk_json.title_translation_setting(texts)
    current = settings_store.get_many(*wanted)
    if current == wanted:
        report.skipped.append(_("title: unchanged"))
        return
    batch.settings = wanted
    # Named as the document names them: the title's fields, further_reading, and translations.<language>.
    names = {setting: field for field, setting in kiosk_json.TITLE_SETTINGS.items()} | {
        "further_reading": "further_reading"
    }
    names |= {translation_key(locale): f"translations.{locale}" for locale in plan.title_translations or {}}
    before, after = ({names[key]: value for key, value in values.items()} for values in (current, wanted))
    report.updated.append("title" + _changed_fields(before, after))


def _changed_fields(before: dict | None, after: dict) -> str:
    """Which fields an update changes, named as in our JSON format (": summary, body"), so that a dry run
    shows a curator exactly what an import would overwrite."""
    changed = [name for name, value in after.items() if (before or {}).get(name) != value]
    return ": " + ", ".join(changed) if changed else ""


def _plan_eras(plan: Plan, report: ImportReport, batch: writer.Batch) -> None:
    rows = {row["slug"]: row for row in db.session.execute(select(Era.__table__)).mappings()}
    saved = _saved_translations(EraTranslation, EraTranslation.era_id, fields.ERA.translatable)
    with_history = revisions.with_history("era")
    positions = _new_positions([item for item in plan.eras if item["slug"] not in rows], list(rows.values()))
    for item in plan.eras:
        row = rows.get(item["slug"])
        if row is None:
            position, colour = positions[item["slug"]]
            values = fields.ERA.columns_from_item(
                {"colour": colour, "position": position, "import_holder": False} | item
            )
            translations = item.get("translations")
            after = dict(values) | {"translations": translations or {}}
            batch.eras.append(writer.RowChange(values, after, visible=True, translations=translations))
            report.created.append(era_label(item))
            continue
        current = {name: row[name] for name in fields.ERA.columns}
        values = current | fields.ERA.columns_from_item(current | item)
        had = saved.get(row["id"], {})
        translations = item.get("translations", had) or {}
        if values == current and translations == had:
            report.skipped.append(f"{era_label({'name': row['name']} | item)}: " + _("unchanged"))
            continue
        current, after = current | {"translations": had}, dict(values) | {"translations": translations}
        before = None if row["id"] in with_history else current
        change = writer.RowChange(
            values, after, row["id"], row["version"], before, visible=True, translations=translations
        )
        batch.eras.append(change)
        report.updated.append(era_label({"name": row["name"]} | item) + _changed_fields(current, after))


def _new_positions(items: list[dict], rows: list) -> dict[str, tuple[int, str]]:
    """Each new era's position and colour. The kiosk shows its eras in order of position, then start year:
    a new era takes the position of the first era here that starts after it (so it comes just before
    that one), or one after the last; the colours go round the palette in time order."""
    last = max((row["position"] for row in rows), default=0)
    chosen = {}
    for number, item in enumerate(sorted(items, key=lambda item: item["start_year"])):  # stable: file order
        later = [row["position"] for row in rows if row["start_year"] > item["start_year"]]
        if not later:
            last += 1
        chosen[item["slug"]] = (min(later) if later else last, ERA_PALETTE[number % len(ERA_PALETTE)])
    return chosen


def _plan_places(plan: Plan, report: ImportReport, batch: writer.Batch) -> None:
    """New places, and changes to places already here (matched by slug; see _match_places). A place an older
    document's events or a TimelineJS slide carried keeps what that file could not say (its years and their
    wording, the note TimelineJS has no room for, languages it lacks), and its translations are made from
    its text as it will be."""
    rows = {row["slug"]: row for row in db.session.execute(select(Place.__table__)).mappings()}
    saved = _saved_translations(PlaceTranslation, PlaceTranslation.place_id, fields.PLACE.translatable)
    with_history = revisions.with_history("place")
    for item in plan.places:
        carried = bool(item.pop(kiosk_json.FROM_EVENTS, False))
        row = rows.get(item["slug"])
        current = (
            fields.PLACE.item_from_columns({name: row[name] for name in fields.PLACE.columns}) if row else {}
        )
        values = fields.PLACE.columns_from_item((current or NEW_PLACE) | item)
        after = fields.PLACE.item_from_columns(values)
        had = saved.get(row["id"], {}) if row else {}
        translations = item.get("translations", had) or {}
        if carried:
            made_from = localized.source_hash(fields.item_source(fields.PLACE, after))
            merged = {locale: had.get(locale, {}) | texts for locale, texts in (had | translations).items()}
            translations = fields.complete_translations(
                fields.PLACE, {locale: texts | {"source_hash": made_from} for locale, texts in merged.items()}
            )
        after["translations"] = translations
        if row is None:
            batch.places.append(writer.RowChange(values, after, visible=True, translations=translations))
            report.created.append(f"place {item['slug']}")
            continue
        current["translations"] = had
        if after == current:
            report.skipped.append(_("place %(slug)s: unchanged", slug=item["slug"]))
            continue
        before = None if row["id"] in with_history else current
        change = writer.RowChange(
            values, after, row["id"], row["version"], before, visible=True, translations=translations
        )
        batch.places.append(change)
        report.updated.append(f"place {item['slug']}" + _changed_fields(current, after))


def _saved_translations(model, owner, names: tuple[str, ...]) -> dict[int, dict[str, dict]]:
    """Every saved translation, as in documents: {owner id: {language: {field: text, "source_hash": …}}}."""
    found: dict[int, dict[str, dict]] = {}
    for row in db.session.scalars(select(model)):
        texts = {name: getattr(row, name) for name in names} | {"source_hash": row.source_hash}
        found.setdefault(getattr(row, owner.key), {})[row.locale] = texts
    return {owner_id: dict(sorted(texts.items())) for owner_id, texts in found.items()}


def _plan_in_language(plan: Plan, locale: str, report: ImportReport, batch: writer.Batch) -> None:
    """The file's texts become the ``locale`` translation of events already on the timeline (matched by
    slug, a TimelineJS unique_id): eras, dates and status stay as they are; unknown events are skipped."""
    if plan.title:
        stored = settings_store.get(translation_key(locale)) or {}
        title = {
            "title_headline": plan.title.get("headline", ""),
            "title_summary": plan.title.get("summary", ""),
        }
        batch.settings[translation_key(locale)] = stored | title
        report.updated.append("title")
    for item in plan.events:
        event = db.session.scalar(select(Event).where(Event.slug == item["slug"], Event.deleted_at.is_(None)))
        if event is None:
            message = _("not on the timeline; import it in the default language first")
            report.skipped.append(f"{event_label(item)}: {message}")
            continue
        texts = {
            spec.translation_key: fields.EVENT.value(item, spec.key) or ""
            for spec in fields.EVENT
            if spec.translatable
        }
        before = fields.item_of(event)
        translations = copy.deepcopy(before["translations"])
        translations[locale] = texts | {"source_hash": localized.source_hash(fields.source(event))}
        if translations == before["translations"]:
            report.skipped.append(f"{event_label(before)}: " + _("unchanged"))
            continue
        values = fields.EVENT.columns_from_item(before) | {"status": event.status, "image_id": event.image_id}
        batch.events.append(
            writer.RowChange(
                values,
                before | {"translations": translations},
                event.id,
                event.version,
                None if event.id in revisions.with_history("event") else before,
                era=event.era.slug,
                place=before["place"],
                visible=event.is_visible,
                translations=translations,
            )
        )
        report.updated.append(f"{event_label(before)} ({locale})")


def _status_rule(publish: bool, keep_status: bool):
    def status(item: dict, current: Status | None) -> Status:
        if publish:
            return Status.PUBLISHED
        if keep_status and "status" in item:
            return Status(item["status"])
        return current or Status.DRAFT

    return status


def _plan_events(plan: Plan, report: ImportReport, batch: writer.Batch, status_of) -> None:
    rows = {row["slug"]: row for row in db.session.execute(select(Event.__table__)).mappings()}
    era_slugs = dict(db.session.execute(select(Era.id, Era.slug)).all())
    media_keys = dict(db.session.execute(select(Media.id, Media.key)).all())
    media_ids = {key: media_id for media_id, key in media_keys.items()}
    place_slugs = dict(db.session.execute(select(Place.id, Place.slug)).all())
    saved = _saved_translations(EventTranslation, EventTranslation.event_id, fields.EVENT.translatable)
    with_history = revisions.with_history("event")
    for item in plan.events:
        row, before = rows.get(item["slug"]), None
        if row is not None:
            refs = {
                "era": era_slugs[row["era_id"]],
                "image.key": media_keys[row["image_id"]] if row["image_id"] else None,
                "place": place_slugs.get(row["place_id"]),
            }
            before = fields.EVENT.item_from_columns(dict(row), refs) | {
                "translations": saved.get(row["id"], {})
            }
        whole = (before or NEW_EVENT) | item
        status = status_of(item, row["status"] if row else None)
        # A key names an image in this kiosk's media store; another kiosk's keys mean no image.
        key = (whole.get("image") or {}).get("key")
        image_id = media_ids.get(key) if key else None
        values = fields.EVENT.columns_from_item(whole) | {"status": status, "image_id": image_id}
        after = fields.EVENT.item_from_columns(
            values, {"era": whole["era"], "image.key": key if image_id else None, "place": whole["place"]}
        )
        after["translations"] = whole.get("translations") or {}
        translations = item.get("translations")
        if row is None:
            batch.events.append(
                writer.RowChange(
                    values,
                    after,
                    era=whole["era"],
                    place=whole["place"],
                    visible=status == Status.PUBLISHED,
                    translations=translations,
                )
            )
            report.created.append(event_label(whole))
            continue
        if after == before:
            report.skipped.append(f"{event_label(whole)}: " + _("unchanged"))
            continue
        was_visible = row["status"] == Status.PUBLISHED
        change = writer.RowChange(
            values,
            after,
            row["id"],
            row["version"],
            before=None if row["id"] in with_history else before,
            era=whole["era"],
            place=whole["place"],
            visible=was_visible or status == Status.PUBLISHED,
            translations=translations,
        )
        batch.events.append(change)
        report.updated.append(event_label(whole) + _changed_fields(before, after))


def run(
    data: bytes,
    *,
    source: str = "",
    publish: bool = False,
    keep_status: bool = False,
    dry_run: bool = False,
    language: str | None = None,
) -> ImportReport:
    """Read, check and match a file and work out its changes, all from reads; then a real import writes
    them in one short transaction (kiosk.editing.writer.write_batch), all or nothing, and a dry run writes
    nothing.
    With ``language`` (not the default one) the file's texts become that translation of existing events.

    Raises ImportRefused for a file with problems, writer.SaveRefused when the database refused the
    writing (DatabaseBusy: try again).
    """
    plan = read(data)
    batch, report = prepare(plan, publish=publish, keep_status=keep_status, source=source, language=language)
    db.session.rollback()  # ends the reads' transaction: nothing was written, and no lock is kept
    if dry_run:
        report.dry_run = True
    else:
        writer.write_batch(batch)
    return report
