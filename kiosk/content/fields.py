"""The field table: every field of an event, an era and a place declared once, with what it is, and the item
shape
that derives from it.

A field says its kind (how its value moves between the model's columns and an item), whether curators
may translate it, whether visitors see it, whether it an item may leave it out, the admin form's fields
that set it (which are also its conflict group: what a curator chooses between when two saves meet), how
each file format carries it (our JSON key; TimelineJS's key and sheet column), its label and its limits.

Everything else reads this table: the item shape below (our JSON documents, revision snapshots, what the
writer applies), the translations' fields, the revision labels and differences, the conflict groups, the
admin form and the import checks. Adding a field: docs/architecture.md, "Adding a field".
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, NamedTuple

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..models import (
    Era,
    EraTranslation,
    Event,
    EventTranslation,
    Media,
    Place,
    PlaceTranslation,
    Status,
    utcnow,
)
from . import dates, figures, media, places
from .dates import PartialDate

# --- Kinds: how a value moves between the model's columns and an item ---------------------------------


class Kind:
    """Plain text in one column; "" when empty."""

    name = "text"
    blank: Any = ""  # a translation's value when the text is not translated

    def from_columns(self, spec: Field, row: Mapping[str, Any], refs: Mapping[str, Any]) -> Any:
        return row[spec.columns[0]]

    def to_columns(self, spec: Field, value: Any) -> dict[str, Any]:
        return {spec.columns[0]: value or ""}

    def well_formed(self, value: Any) -> bool:
        """Whether a document's value has the right type (the other checks assume it does)."""
        return isinstance(value, str)

    def empty(self, value: Any) -> bool:
        return value in (None, "")

    # In other languages (for a translatable field):

    def source(self, value: Any) -> Any:
        """What of the default value a translation translates (its fingerprint is taken of this)."""
        return value

    def translation_form(self, spec: Field, value: Any) -> dict[str, str]:
        """A translation's value as the translation form shows it, by form field."""
        return {spec.translation_key: value or ""}

    def from_translation_form(self, spec: Field, typed: Mapping[str, str], default: Any) -> Any:
        """What the translation form's fields make of the translation (checked against ``default``, the
        default value); raises ValueError with a message for curators."""
        return typed.get(spec.translation_key) or ""

    def clean_translation(self, value: Any, default: Any) -> Any:
        """A document's translated value, checked; raises ValueError with a message."""
        if not isinstance(value, str):
            raise ValueError("must be text")
        return value

    def in_language(self, default: Any, translated: Any) -> Any:
        """The value a reader of that language reads: the translation, else the default."""
        return translated or default

    def searchable(self, value: Any) -> list[str]:
        """The texts a curator may search this value by."""
        return strings(value)


def strings(value: Any) -> list[str]:
    """Every text in a value (a list's, an object's), numbers and flags left out."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for part in value.values() for text in strings(part)]
    if isinstance(value, list):
        return [text for part in value for text in strings(part)]
    return []


class Unsearchable(Kind):
    """A text nobody searches by: a reference, an address, a colour, a status."""

    def searchable(self, value: Any) -> list[str]:
        return []


class Markdown(Kind):
    name = "markdown"


class Slug(Kind):
    """A web address part: lowercase letters, digits and hyphens (checked where it is typed or read)."""

    name = "slug"


class Reference(Unsearchable):
    """An item names the row it refers to (an era by slug, an image by key); the writer and the importers
    look it up, so the column is not set from the item."""

    name = "reference"

    def from_columns(self, spec: Field, row: Mapping[str, Any], refs: Mapping[str, Any]) -> Any:
        return refs.get(spec.key)

    def to_columns(self, spec: Field, value: Any) -> dict[str, Any]:
        return {}

    def well_formed(self, value: Any) -> bool:
        return value is None or isinstance(value, str)


class PlaceReference(Reference):
    """An event's place: the place's slug in an item. What the admin form hands over (the place as typed:
    {"name", "note", "lat", "lon"}) and what older documents and TimelineJS carry (a place inside the event,
    kiosk.content.places.clean) are turned into a place record by the writer and the importers."""

    name = "place"

    def well_formed(self, value: Any) -> bool:
        return value is None or isinstance(value, str | dict)


class Coordinate(Unsearchable):
    """A latitude or longitude in degrees (kiosk.content.places.coordinate checks its range)."""

    name = "coordinate"
    blank = None

    def to_columns(self, spec: Field, value: Any) -> dict[str, Any]:
        return {spec.columns[0]: float(value)}

    def well_formed(self, value: Any) -> bool:
        return isinstance(value, int | float) and not isinstance(value, bool)

    def empty(self, value: Any) -> bool:
        return value is None


class Year(Unsearchable):
    """A year, or none (the years he lived at a place may be unknown)."""

    name = "year"
    blank = None

    def well_formed(self, value: Any) -> bool:
        return value is None or (isinstance(value, int) and not isinstance(value, bool))

    def to_columns(self, spec: Field, value: Any) -> dict[str, Any]:
        return {spec.columns[0]: value}

    def empty(self, value: Any) -> bool:
        return value is None


class Address(Unsearchable):
    """A web address kept as a reference (never fetched): null in an item when there is none."""

    name = "address"

    def from_columns(self, spec: Field, row: Mapping[str, Any], refs: Mapping[str, Any]) -> Any:
        return row[spec.columns[0]] or None

    def well_formed(self, value: Any) -> bool:
        return value is None or isinstance(value, str)


class Lines(Kind):
    """A list of one-line texts (an event's sources)."""

    name = "lines"

    def from_columns(self, spec: Field, row: Mapping[str, Any], refs: Mapping[str, Any]) -> Any:
        return list(row[spec.columns[0]])

    def to_columns(self, spec: Field, value: Any) -> dict[str, Any]:
        return {spec.columns[0]: list(value or [])}

    def well_formed(self, value: Any) -> bool:
        return isinstance(value, list) and all(isinstance(line, str) for line in value)

    def empty(self, value: Any) -> bool:
        return not value


class Flag(Kind):
    name = "flag"

    def to_columns(self, spec: Field, value: Any) -> dict[str, Any]:
        return {spec.columns[0]: bool(value)}

    def well_formed(self, value: Any) -> bool:
        return isinstance(value, bool)

    def empty(self, value: Any) -> bool:
        return not value


class StatusKind(Unsearchable):
    name = "status"

    def from_columns(self, spec: Field, row: Mapping[str, Any], refs: Mapping[str, Any]) -> Any:
        return Status(row[spec.columns[0]]).value

    def to_columns(self, spec: Field, value: Any) -> dict[str, Any]:
        return {spec.columns[0]: Status(value or Status.DRAFT)}

    def well_formed(self, value: Any) -> bool:
        return value in {status.value for status in Status}


class Whole(Kind):
    """A whole number (an era's years, its position)."""

    name = "number"

    def __init__(self, default: int | None = None) -> None:
        self.default = default

    def to_columns(self, spec: Field, value: Any) -> dict[str, Any]:
        return {spec.columns[0]: self.default if value is None else value}

    def well_formed(self, value: Any) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)


class Colour(Unsearchable):
    name = "colour"
    DEFAULT = "#5a5149"

    def to_columns(self, spec: Field, value: Any) -> dict[str, Any]:
        return {spec.columns[0]: value or self.DEFAULT}


class Date(Kind):
    """A date known to the year, month or day: {"year", "month", "day"} in an item, in three columns (and
    the start in a sort key too); null for none."""

    name = "date"

    def from_columns(self, spec: Field, row: Mapping[str, Any], refs: Mapping[str, Any]) -> Any:
        year, month, day = (row[column] for column in spec.columns[:3])
        return None if year is None else PartialDate(year, month, day).as_dict()

    def to_columns(self, spec: Field, value: Any) -> dict[str, Any]:
        date = PartialDate.from_dict(value)
        if date is None and spec.required:  # documents and forms are checked before
            raise ValueError(f"{spec.key}: the date is missing")
        parts = (date.year, date.month, date.day) if date else (None, None, None)
        columns = dict(zip(spec.columns[:3], parts, strict=True))
        if len(spec.columns) > 3:  # the start's sort key: YYYYMMDD
            columns[spec.columns[3]] = date.sort_key if date else 0
        return columns

    def searchable(self, value: Any) -> list[str]:
        """The date as each language the kiosk writes dates in writes it ("31 August 1935",
        "31 августа 1935 г.")."""
        date = PartialDate.from_dict(value)
        return list(_labels(date)) if date else []

    def well_formed(self, value: Any) -> bool:
        return value is None or (
            isinstance(value, dict)
            and all(
                part is None or (isinstance(part, int) and not isinstance(part, bool))
                for part in (value.get(name) for name in ("year", "month", "day"))
            )
        )


class Checked(Kind):
    """A structured value kept as JSON, checked and tidied (and refused with a message) by its own
    module's ``clean``: whatever makes an item (the form, an import's plan) cleans it first, so an item's
    value is stored as it is, and read back as stored."""

    blank = None

    def __init__(self, name: str, clean: Callable[[Any], Any]) -> None:
        self.name, self.clean = name, clean

    def from_columns(self, spec: Field, row: Mapping[str, Any], refs: Mapping[str, Any]) -> Any:
        return copy.deepcopy(row[spec.columns[0]])

    def to_columns(self, spec: Field, value: Any) -> dict[str, Any]:
        return {spec.columns[0]: copy.deepcopy(value)}

    def well_formed(self, value: Any) -> bool:
        return True  # its clean() names what is wrong


TEXT, MARKDOWN, SLUG, ADDRESS = Kind(), Markdown(), Slug(), Address()
LINES, FLAG, STATUS = Lines(), Flag(), StatusKind()
REFERENCE, DATE, COLOUR = Reference(), Date(), Colour()
PLACE_REFERENCE, COORDINATE, YEAR = PlaceReference(), Coordinate(), Year()


class Figure(Checked):
    """A figure (kiosk.content.figures): its title, confidence label, and rows' labels and units are
    translated; its numbers and source are not."""

    def __init__(self) -> None:
        super().__init__("figure", figures.clean)

    def source(self, value: Any) -> Any:
        return figures.texts(value)

    def translation_form(self, spec: Field, value: Any) -> dict[str, str]:
        value = value or {}
        shown = {f"figure_{name}": value.get(name, "") for name in figures.TRANSLATED}
        return shown | {"figure_rows": figures.translated_rows_text(value)}

    def from_translation_form(self, spec: Field, typed: Mapping[str, str], default: Any) -> Any:
        if not any(typed.get(part.name) for part in spec.translation_form):
            return None
        texts = {name: typed.get(f"figure_{name}") or "" for name in figures.TRANSLATED}
        rows = figures.parse_translated_rows(typed.get("figure_rows") or "")
        return figures.clean_translation(texts | {"rows": rows}, default)

    def clean_translation(self, value: Any, default: Any) -> Any:
        return figures.clean_translation(value, default, exact_rows=False)

    def in_language(self, default: Any, translated: Any) -> Any:
        if not default:
            return default
        shown = figures.in_language(default, translated)
        return figures.clean(shown)  # (without the marks of what fell back)


FIGURE = Figure()


@lru_cache(maxsize=4096)
def _labels(date: PartialDate) -> tuple[str, ...]:
    """A date written out in every language the kiosk writes dates in (many events share a date)."""
    return tuple(date.label(language) for language in dates.PATTERNS)


# --- The admin form's fields ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    """One field of the admin form: a field of the table is set by one or more of them."""

    name: str
    label: Any
    control: str = "text"  # text, textarea, markdown, lines, number, decimal, colour, slug, checkbox,
    # select, status or file
    limit: int | None = None
    what: Any = None  # how the too-long message names it ("the headline")
    invalid: Any = None  # the message for a value of the wrong form (a web address)
    needed: Any = None  # the message when it is left empty, where the form itself requires it
    hint: Any = None
    hint_new: Any = None  # the hint on a new item's form, where it differs
    rows: int | None = None
    carried: bool = True  # a chosen file cannot travel through a conflict page: it is chosen again


@dataclass(frozen=True)
class Attention:
    """Something the curators' list flags about a field (a draft, an image without alt text)."""

    code: str  # what the list's filter and its styles call it
    words: Any
    applies: Callable[[Any], bool]


# --- Fields ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    key: str  # in items ("image.alt" is "alt" inside "image"), documents and revision snapshots
    kind: Kind
    label: Any  # what curators call it (history, conflicts, translations)
    columns: tuple[str, ...] = ()  # the model's columns it is kept in
    limit: int | None = None  # characters
    required: bool = False
    translatable: bool = False
    visible: bool = True  # visitors see it
    optional: bool = False  # an item without it leaves it as it is (formats that do not carry it)
    section: str = ""  # where the admin form shows it; "" for fields the admin does not edit
    parts: tuple[Part, ...] = ()  # the admin form's fields that set it (default: one, named as its column)
    translation_parts: tuple[Part, ...] = ()  # the translation form's, where they differ from ``parts``
    what: Any = None  # how the form's too-long message names it ("the headline")
    hint: Any = None
    timelinejs: str = ""  # TimelineJS's key ("text.headline"), if it carries the field
    csv: str = ""  # the TimelineJS sheet's column, if it has one
    attention: tuple[Attention, ...] = ()  # what the curators' list flags about it

    @property
    def group(self) -> str:
        """The item object it sits in ("image"), or ""."""
        return self.key.partition(".")[0] if "." in self.key else ""

    @property
    def name(self) -> str:
        """Its key inside its item (or group)."""
        return self.key.rpartition(".")[2]

    @property
    def translation_key(self) -> str:
        """Its name in a translation (the translation model's column)."""
        return self.columns[0] if self.columns else self.key

    @property
    def translation_form(self) -> tuple[Part, ...]:
        return self.translation_parts or self.form

    @property
    def form(self) -> tuple[Part, ...]:
        if self.parts or not self.section:
            return self.parts
        controls = {"markdown": "markdown", "lines": "lines", "flag": "checkbox", "colour": "colour"}
        control = controls.get(self.kind.name, "text")
        return (Part(self.translation_key, self.label, control, self.limit, self.what, hint=self.hint),)


@dataclass
class FieldTable:
    """One kind of item's fields, in the order curators read them (history, conflicts, the form)."""

    kind: str
    fields: list[Field] = field(default_factory=list)

    def __iter__(self) -> Iterator[Field]:
        return iter(self.fields)

    def __getitem__(self, key: str) -> Field:
        return next(spec for spec in self.fields if spec.key == key)

    @property
    def translatable(self) -> tuple[str, ...]:
        """The translation's fields, by their translation keys."""
        return tuple(spec.translation_key for spec in self.fields if spec.translatable)

    def translated(self, key: str) -> Field:
        """The field a translation's key (its column) is the translation of."""
        return next(spec for spec in self.fields if spec.translatable and spec.translation_key == key)

    @property
    def labels(self) -> dict[str, Any]:
        return {spec.key: spec.label for spec in self.fields}

    @property
    def groups(self) -> dict[str, tuple[str, ...]]:
        """Item objects and their keys: {"image": ("key", "url", "alt", "caption", "credit")}."""
        found: dict[str, tuple[str, ...]] = {}
        for spec in self.fields:
            if spec.group:
                found[spec.group] = (*found.get(spec.group, ()), spec.name)
        return found

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column an item decides (references apart)."""
        return tuple(
            column for spec in self.fields if not isinstance(spec.kind, Reference) for column in spec.columns
        )

    @property
    def form_parts(self) -> list[Part]:
        """The admin form's fields, in table order (each once)."""
        found: dict[str, Part] = {}
        for spec in self.fields:
            for part in spec.form:
                found.setdefault(part.name, part)
        return list(found.values())

    def in_section(self, section: str) -> list[Field]:
        return [spec for spec in self.fields if spec.section == section]

    def conflict_groups(self) -> dict[str, tuple[str, ...]]:
        """Each difference kiosk.editing.conflicts finds (a field's key), and the form fields deciding it."""
        return {
            spec.key: tuple(part.name for part in spec.form if part.carried)
            for spec in self.fields
            if any(part.carried for part in spec.form)
        }

    @property
    def attention(self) -> list[Attention]:
        return [flag for spec in self.fields for flag in spec.attention]

    def text_limits(self) -> dict[str, int]:
        return {spec.key: spec.limit for spec in self.fields if spec.limit}

    @property
    def texts(self) -> tuple[str, ...]:
        """The keys of plain and Markdown texts outside any object (a document's must be strings)."""
        return tuple(spec.key for spec in self.fields if not spec.group and spec.kind in (TEXT, MARKDOWN))

    # --- The item shape ---

    def item_from_columns(self, row: Mapping[str, Any], refs: Mapping[str, Any] | None = None) -> dict:
        """A row's column values (and its references, by key) as an item: what documents and revision
        snapshots hold."""
        item: dict[str, Any] = {}
        for spec in self.fields:
            value = spec.kind.from_columns(spec, row, refs or {})
            if spec.group:
                item.setdefault(spec.group, {})[spec.name] = value
            else:
                item[spec.key] = value
        return self.tidy(item)

    def tidy(self, item: dict) -> dict:
        """An item whose objects (an image, a background) with nothing in them are null."""
        for group, names in self.groups.items():
            values = item.get(group)
            if isinstance(values, dict) and all(
                self[f"{group}.{name}"].kind.empty(values.get(name)) for name in names
            ):
                item[group] = None
        return item

    def columns_from_item(self, item: Mapping[str, Any]) -> dict[str, Any]:
        """The columns an item sets (references apart). Fields marked optional that the item leaves out
        are left as they are; any other field missing is empty."""
        values: dict[str, Any] = {}
        for spec in self.fields:
            if spec.group:
                if spec.optional and spec.group not in item:
                    continue
                value = (item.get(spec.group) or {}).get(spec.name)
            else:
                if spec.optional and spec.key not in item:
                    continue
                value = item.get(spec.key)
            values |= spec.kind.to_columns(spec, value)
        return values

    def value(self, item: Mapping[str, Any], key: str) -> Any:
        """A field's value in an item (inside its group's object, if it has one)."""
        spec = self[key]
        return (item.get(spec.group) or {}).get(spec.name) if spec.group else item.get(key)

    def put(self, item: dict, key: str, value: Any) -> None:
        """Set a field's value in an item (its object made if it is null; tidy() makes it null again
        when it stays empty)."""
        spec = self[key]
        if spec.group:
            item[spec.group] = (item.get(spec.group) or {}) | {spec.name: value}
        else:
            item[key] = value

    def searchable(self, item: Mapping[str, Any]) -> list[str]:
        """Every text of an item a curator may search by: the fields the admin form edits, and each
        translation's."""
        found = [
            text
            for spec in self.fields
            if spec.section
            for text in spec.kind.searchable(self.value(item, spec.key))
        ]
        for texts in (item.get("translations") or {}).values():
            for key, value in texts.items():
                if key in self.translatable:
                    found += self.translated(key).kind.searchable(value)
        return found

    def malformed(self, item: Mapping[str, Any]) -> list[str]:
        """The keys of values of the wrong type in a document's item."""
        wrong = []
        for spec in self.fields:
            present = spec.key in item if not spec.group else isinstance(item.get(spec.group), dict)
            if present and spec.group and spec.name not in item[spec.group]:
                continue
            if present and not spec.kind.well_formed(self.value(item, spec.key)):
                wrong.append(spec.key)
        return wrong


# --- The tables -----------------------------------------------------------------------------------------


def _numbers(date: str, labels: tuple) -> tuple[Part, ...]:
    """A date's year, month and day fields on the form (``start_year``…)."""
    return tuple(
        Part(f"{date}_{part}", label, "number")
        for part, label in zip(("year", "month", "day"), labels, strict=True)
    )


FIGURE_TITLE = Part(
    "figure_title", _l("Figure title"), limit=figures.TITLE_LENGTH, what=_l("the figure title")
)
FIGURE_SOURCE = Part(
    "figure_source", _l("Figure source"), limit=figures.SOURCE_LENGTH, what=_l("the figure source")
)
FIGURE_CONFIDENCE = Part(
    "figure_confidence",
    _l("Figure confidence label"),
    limit=figures.CONFIDENCE_LENGTH,
    what=_l("the figure's confidence label"),
    hint=_l("For uncertain numbers, for example “As officially reported”."),
)
DISPLAY_DATE_HINT = _l(
    "How visitors read the date, for example “Night of 30–31 August 1935”. Leave it empty to show the "
    "dates above."
)
BODY_HINT = _l(
    "The full story. Leave an empty line between paragraphs; *stars* for italics, **two** for bold. Links "
    "may only point inside the kiosk."
)
SLUG_HINT = _l("The end of the event's address on the kiosk, /events/…")
LATITUDE_HINT = _l("Degrees north, for example 48.5667 (−90 to 90).")
LONGITUDE_HINT = _l("Degrees east, for example 38.65 (−180 to 180).")

EVENT = FieldTable(
    "event",
    [
        Field(
            "headline", TEXT, _l("Headline"), ("headline",), limit=120, required=True, translatable=True,
            section="main", what=_l("the headline"),
            hint=_l("What happened, in a few words (at most 120 characters)."),
            timelinejs="text.headline", csv="Headline",
        ),
        Field(
            "start", DATE, _l("Start date"), ("start_year", "start_month", "start_day", "sort_key"),
            required=True, section="when",
            hint=_l("Leave the month and day empty when only the year is known."),
            parts=_numbers("start", (_l("Year"), _l("Month"), _l("Day"))),
            timelinejs="start_date", csv="Year",
        ),
        Field(
            "end", DATE, _l("End date"), ("end_year", "end_month", "end_day"), section="when",
            hint=_l("For something that lasted, add when it ended:"),
            parts=_numbers("end", (_l("End year"), _l("End month"), _l("End day"))),
            timelinejs="end_date", csv="End Year",
        ),
        Field(
            "display_date", TEXT, _l("Display date"), ("display_date",), limit=120, translatable=True,
            section="when", what=_l("the display date"), hint=DISPLAY_DATE_HINT,
            timelinejs="display_date", csv="Display Date",
        ),
        Field(
            "era", REFERENCE, _l("Era"), ("era_id",), section="story",
            parts=(
                Part(
                    "era", _l("Era"), "select", hint=_l("The chapter of the timeline this event appears in.")
                ),
            ),
            timelinejs="group", csv="Group",
        ),
        Field(
            "summary", TEXT, _l("Summary"), ("summary",), translatable=True, section="story",
            parts=(
                Part("summary", _l("Summary"), "textarea", rows=3,
                     hint=_l("One or two sentences, shown on the event's card.")),
            ),
            timelinejs="text.text", csv="Text",
        ),
        Field(
            "body", MARKDOWN, _l("Text"), ("body",), translatable=True, section="story", hint=BODY_HINT,
            timelinejs="text.text", csv="Text",
        ),
        Field(
            "sources", LINES, _l("Sources"), ("sources",), section="story",
            attention=(Attention("no-sources", _l("No sources"), lambda event: not event.sources),),
            hint=_l("One source per line. Visitors can open them under the event."),
            timelinejs="text.text", csv="Text",
        ),
        Field(
            "slug", SLUG, _l("Web address"), ("slug",), limit=120, visible=False, section="story",
            parts=(
                Part(
                    "slug", _l("Web address"), "slug", limit=120, hint=SLUG_HINT,
                    invalid=_l("Use lowercase letters, digits and hyphens only, like born-in-lugovaya."),
                    hint_new=_l(
                        "The end of the event's address on the kiosk, /events/… Made from the headline when "
                        "left empty."
                    ),
                ),
            ),
            timelinejs="unique_id",
        ),
        Field(
            "featured", FLAG, _l("Featured"), ("featured",), section="timeline",
            hint=_l("Shown as a large card."),
        ),
        Field(
            "postscript", FLAG, _l("Postscript"), ("postscript",), section="timeline",
            hint=_l("Happened after his death in 1977; shown after the timeline."),
        ),
        Field(
            "confidence", TEXT, _l("Confidence label"), ("confidence",), limit=80, translatable=True,
            section="timeline", what=_l("the confidence label"),
            hint=_l("For facts that are uncertain, for example “Disputed”. Leave empty when they are not."),
        ),
        Field(
            "status", STATUS, _l("Status"), ("status",), section="status",
            attention=(Attention("draft", _l("Draft"), lambda event: event.status != Status.PUBLISHED),),
            parts=(Part("status", _l("Status"), "status"),),
        ),
        Field(
            "image.key", REFERENCE, _l("Image"), ("image_id",), section="picture",
            attention=(
                Attention(
                    "image-file-missing",
                    _l("Image file missing"),
                    lambda event: bool(event.image_id) and not media.is_present(event.image),
                ),
            ),
            parts=(
                Part(
                    "remove_image", _l("Remove image"), "checkbox",
                    hint=_l("The event is shown without a picture."),
                ),
                Part("image", _l("Image"), "file", carried=False),
            ),
            timelinejs="media.url", csv="Media",
        ),
        Field(
            "image.url", ADDRESS, _l("Image address (not fetched)"), ("remote_media_url",), limit=500,
            attention=(
                Attention(
                    "remote-image",
                    _l("Image not downloaded"),
                    lambda event: bool(event.remote_media_url) and not event.image_id,
                ),
            ),
            visible=False, section="picture", parts=(Part("remove_image", _l("Remove image"), "checkbox"),),
            timelinejs="media.url", csv="Media",
        ),
        Field(
            "image.alt", TEXT, _l("Alt text"), ("image_alt",), limit=300, translatable=True,
            attention=(
                Attention(
                    "no-alt-text",
                    _l("Image has no alt text"),
                    lambda event: bool(event.image_id) and not event.image_alt,
                ),
            ),
            section="picture", what=_l("the alt text"),
            hint=_l("Describe the picture in a sentence for people who cannot see it."),
            timelinejs="media.alt", csv="Alt Text",
        ),
        Field(
            "image.caption", TEXT, _l("Caption"), ("image_caption",), limit=300, translatable=True,
            section="picture", what=_l("the caption"), timelinejs="media.caption", csv="Media Caption",
        ),
        Field(
            "image.credit", TEXT, _l("Credit"), ("image_credit",), limit=200, section="picture",
            translatable=True,
            what=_l("the credit"),
            hint=_l("Who made the picture or owns it."), timelinejs="media.credit", csv="Media Credit",
        ),
        Field(
            "start_time", TEXT, _l("Start time"), ("start_time",), visible=False, optional=True,
            timelinejs="start_date", csv="Time",
        ),
        Field(
            "end_time", TEXT, _l("End time"), ("end_time",), visible=False, optional=True,
            timelinejs="end_date", csv="End Time",
        ),
        Field(
            "embed", TEXT, _l("Embedded media (not shown on the kiosk)"), ("media_embed",), limit=20_000,
            visible=False, optional=True, timelinejs="media.url", csv="Media",
        ),
        Field(
            "background.colour", TEXT, _l("Background colour (not shown on the kiosk)"),
            ("background_colour",), visible=False, optional=True, timelinejs="background.color",
            csv="Background",
        ),
        Field(
            "background.url", TEXT, _l("Background image (not fetched)"), ("background_url",), visible=False,
            optional=True, timelinejs="background.url", csv="Background",
        ),
        Field(
            "place", PLACE_REFERENCE, _l("Place"), ("place_id",), optional=True, section="place",
            parts=(
                Part(
                    "place_name", _l("Place"), limit=places.NAME_LENGTH, what=_l("the place's name"),
                    hint=_l(
                        "Where it happened. Pick a place already used to take its coordinates, or type a new "
                        "one with its coordinates. Leave all place fields empty for no place."
                    ),
                ),
                Part("place_lat", _l("Latitude"), "decimal", hint=LATITUDE_HINT),
                Part("place_lon", _l("Longitude"), "decimal", hint=LONGITUDE_HINT),
                Part(
                    "place_note", _l("Place note"), limit=places.NOTE_LENGTH, what=_l("the place note"),
                    hint=_l(
                        "For a new place: what it is today, for example “then the Kazakh SSR, today "
                        "Kazakhstan” (the map draws no borders). A place already used keeps its own note, "
                        "years and translations: change them on the place's page (Places)."
                    ),
                ),
            ),
            timelinejs="location",
        ),
        Field(
            "figure", FIGURE, _l("Figure"), ("figure",), optional=True, section="figure",
            translatable=True,
            parts=(
                replace(
                    FIGURE_TITLE,
                    hint=_l(
                        "A small bar chart of the numbers in the story. Leave all figure fields empty for "
                        "none."
                    ),
                ),
                Part(
                    "figure_rows", _l("Figure rows"), "textarea", rows=4,
                    hint=_l("One bar a line: label | number | unit, for example “Norm for a shift | 7 | t”."),
                ),
                FIGURE_SOURCE,
                FIGURE_CONFIDENCE,
            ),
            translation_parts=(
                FIGURE_TITLE,
                Part(
                    "figure_rows", _l("Figure rows"), "textarea", rows=4,
                    hint=_l(
                        "One line for each bar, in the figure's order: label | unit (the numbers stay as "
                        "they are)."
                    ),
                ),
                FIGURE_SOURCE,
                FIGURE_CONFIDENCE,
            ),
        ),
    ],
)  # fmt: skip

ERA = FieldTable(
    "era",
    [
        Field(
            "name", TEXT, _l("Name"), ("name",), limit=80, required=True, optional=True, translatable=True,
            section="main",
            parts=(
                Part(
                    "name", _l("Name"), limit=80, what=_l("the name"), needed=_l("Give the era a name."),
                    hint=_l("A short chapter title, for example “The Record”."),
                ),
            ),
        ),
        Field(
            "start_year", Whole(), _l("Start year"), ("start_year",), required=True, optional=True,
            section="years", parts=(Part("start_year", _l("Start year"), "number"),),
        ),
        Field(
            "end_year", Whole(), _l("End year"), ("end_year",), required=True, optional=True,
            section="years", parts=(Part("end_year", _l("End year"), "number"),),
        ),
        Field(
            "colour", COLOUR, _l("Colour"), ("colour",), section="details",
            hint=_l("The chapter's colour on the kiosk. White text must stay easy to read on it."),
        ),
        Field(
            "description", TEXT, _l("Description"), ("description",), translatable=True, section="details",
            parts=(
                Part(
                    "description", _l("Description"), "textarea", rows=3,
                    hint=_l("One sentence about this part of his life."),
                ),
            ),
        ),
        Field(
            "slug", SLUG, _l("Web address"), ("slug",), limit=80, required=True, optional=True,
            visible=False, section="details",
            parts=(
                Part(
                    "slug", _l("Web address"), "slug", limit=80,
                    invalid=_l("Use lowercase letters, digits and hyphens only, like the-record."),
                    hint=_l("Used inside the kiosk's pages."),
                    hint_new=_l("Used inside the kiosk's pages. Made from the name when left empty."),
                ),
            ),
        ),
        Field("position", Whole(default=0), _l("Position"), ("position",), visible=False),
    ],
)  # fmt: skip

PLACE = FieldTable(
    "place",
    [
        Field(
            "name", TEXT, _l("Name"), ("name",), limit=places.NAME_LENGTH, required=True, optional=True,
            translatable=True, section="main",
            parts=(
                Part(
                    "name", _l("Name"), limit=places.NAME_LENGTH, what=_l("the name"),
                    needed=_l("Give the place a name."),
                    hint=_l("As visitors read it, for example “Kadiivka and Irmino”."),
                ),
            ),
        ),
        Field(
            "note", TEXT, _l("Note"), ("note",), limit=places.NOTE_LENGTH, optional=True, translatable=True,
            section="main",
            parts=(
                Part(
                    "note", _l("Note"), "textarea", limit=places.NOTE_LENGTH, what=_l("the note"), rows=3,
                    hint=_l(
                        "What the place is today, for example “then the Kazakh SSR, today Kazakhstan”. The "
                        "map draws no borders."
                    ),
                ),
            ),
        ),
        Field(
            "lat", COORDINATE, _l("Latitude"), ("lat",), required=True, optional=True, section="where",
            parts=(Part("lat", _l("Latitude"), "decimal", hint=LATITUDE_HINT),),
        ),
        Field(
            "lon", COORDINATE, _l("Longitude"), ("lon",), required=True, optional=True, section="where",
            parts=(Part("lon", _l("Longitude"), "decimal", hint=LONGITUDE_HINT),),
        ),
        Field(
            "years.from", YEAR, _l("Lived there from"), ("years_from",), optional=True, section="years",
            parts=(Part("years_from", _l("Lived there from (year)"), "number"),),
        ),
        Field(
            "years.to", YEAR, _l("Lived there until"), ("years_to",), optional=True, section="years",
            parts=(Part("years_to", _l("Until (year)"), "number"),),
        ),
        Field(
            "display_years", TEXT, _l("Years as visitors read them"), ("display_years",),
            limit=places.YEARS_LENGTH, optional=True, translatable=True, section="years",
            what=_l("the wording of the years"),
            hint=_l(
                "Only when the years alone do not say it, for example “1936–1957, except 1941–1942”. "
                "Leave it empty to show the years above."
            ),
        ),
        Field(
            "slug", SLUG, _l("Web address"), ("slug",), limit=places.SLUG_LENGTH, required=True,
            optional=True, visible=False, section="details",
            parts=(
                Part(
                    "slug", _l("Web address"), "slug", limit=places.SLUG_LENGTH,
                    invalid=_l("Use lowercase letters, digits and hyphens only, like kadiivka-and-irmino."),
                    hint=_l("The end of the place's address on the kiosk, /places/…"),
                ),
            ),
        ),
    ],
)  # fmt: skip

# By what revisions, audit entries and the admin's addresses call each kind: its model's table name.
TABLES = {"event": EVENT, "era": ERA, "place": PLACE}
# Each kind of item, and the model that keeps its translations.
Entity = Event | Era | Place
TRANSLATION_MODELS: dict[type, type[EventTranslation] | type[EraTranslation] | type[PlaceTranslation]] = {
    Event: EventTranslation,
    Era: EraTranslation,
    Place: PlaceTranslation,
}


def table_of(entity: Entity) -> FieldTable:
    return EVENT if isinstance(entity, Event) else ERA if isinstance(entity, Era) else PLACE


def columns_of(entity: Entity) -> dict[str, Any]:
    return {name: getattr(entity, name) for name in table_of(entity).columns}


def item_source(table: FieldTable, item: Mapping[str, Any]) -> dict[str, Any]:
    """``source`` of an item (a document's): the same texts, so the same fingerprint."""
    return {
        spec.translation_key: spec.kind.source(
            spec.kind.blank if (value := table.value(item, spec.key)) is None else value
        )
        for spec in table
        if spec.translatable
    }


def source(entity: Entity) -> dict[str, Any]:
    """The default-language texts a translation is made from, by translation key."""
    return {
        spec.translation_key: spec.kind.source(getattr(entity, spec.columns[0]))
        for spec in table_of(entity)
        if spec.translatable
    }


# --- Items: an event or era as documents, snapshots and the writer see it ----------------------------------


def item_of(entity: Entity) -> dict:
    """An event, era or place as it appears in our documents and revision snapshots, with its translations."""
    refs = {}
    if isinstance(entity, Event):
        refs = {
            "era": entity.era.slug,
            "image.key": entity.image.key if entity.image else None,
            "place": entity.place.slug if entity.place else None,
        }
    item = table_of(entity).item_from_columns(columns_of(entity), refs)
    return item | {"translations": translations_of(entity)}


def translations_of(entity: Entity) -> dict:
    """{language: {field: text, …, "source_hash": …}}, languages in order."""
    names = table_of(entity).translatable
    rows: list[EraTranslation | EventTranslation | PlaceTranslation] = list(entity.translations)
    return {
        row.locale: {name: getattr(row, name) for name in names} | {"source_hash": row.source_hash}
        for row in sorted(rows, key=lambda row: row.locale)
    }


def complete_translations(table: FieldTable, translations: dict) -> dict:
    """Translations as they are stored: every translatable field, empty where a document left it out."""
    specs = [spec for spec in table if spec.translatable]
    return {
        locale: {spec.translation_key: texts.get(spec.translation_key) or spec.kind.blank for spec in specs}
        | {"source_hash": texts.get("source_hash") or ""}
        for locale, texts in sorted(translations.items())
    }


class Change(NamedTuple):
    """What change() made: the snapshots before (None for a new one) and after, for the revision, and the
    texts the change leaves for the search to find (kiosk.editing.search)."""

    before: dict | None
    after: dict
    searchable: list[str]


def change(entity: Entity, item: dict, era: Era | None = None) -> Change:
    """Make ``entity`` what ``item`` says, as apply() does. Only kiosk.editing.writer calls this."""
    before = item_of(entity) if entity.id is not None else None
    apply(entity, item, era)
    after = item_of(entity)
    return Change(before, after, table_of(entity).searchable(after))


def apply(entity: Entity, item: dict, era: Era | None = None, status: Status | None = None) -> bool:
    """Make ``entity`` what ``item`` says (an event's era given, its status overridden if ``status``);
    True when anything changed. Only kiosk.editing.writer calls this, with an event's place named by its
    slug (it makes the record of a place typed or carried inside the event first)."""
    values = table_of(entity).columns_from_item(item)
    if isinstance(entity, Event):
        # A key names an image in this kiosk's media store; unknown keys (another kiosk's media) mean none.
        key = (item.get("image") or {}).get("key")
        image = db.session.scalar(select(Media).where(Media.key == key)) if key else None
        values |= {"era": era, "image": image} | ({"status": status} if status else {})
        if "place" in item:
            values["place"] = place_named(item["place"])
    return apply_translations(entity, item) | _set(entity, values)


def place_named(slug: str | None) -> Place | None:
    """The place an item names by its slug (the writer has made sure it exists)."""
    found = find_place(slug)
    if found is None and slug is not None:
        raise LookupError(f"no place {slug!r}")
    return found


def find_place(slug: str | None) -> Place | None:
    """The place with this web address, if there is (still) one (unpublished changes may name a place
    deleted since)."""
    return db.session.scalar(select(Place).where(Place.slug == slug)) if slug else None


def apply_translations(entity: Entity, item: dict) -> bool:
    """Make the entity's translations the item's (an item without "translations" leaves them alone).

    A translation lives in a row of its own; the entity's version moves on with it all the same, so that
    two curators saving the same translation meet as a conflict like any other save.
    """
    if "translations" not in item:
        return False
    model = TRANSLATION_MODELS[type(entity)]
    specs = [spec for spec in table_of(entity) if spec.translatable]
    existing = {row.locale: row for row in entity.translations}
    changed = False
    for locale, values in sorted((item["translations"] or {}).items()):
        row = existing.pop(locale, None)
        if row is None:
            row = model(locale=locale)
            entity.translations.append(row)  # type: ignore[arg-type]  # the model matches the entity
            changed = True
        texts = {spec.translation_key: values.get(spec.translation_key) or spec.kind.blank for spec in specs}
        changed |= _set(row, texts | {"source_hash": values.get("source_hash") or ""})
    for row in existing.values():
        entity.translations.remove(row)  # type: ignore[arg-type]
        changed = True
    if changed and entity.id is not None:
        entity.updated_at = utcnow()
    return changed


def _set(target: object, values: dict[str, Any]) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(target, name) != value:
            setattr(target, name, value)
            changed = True
    return changed
