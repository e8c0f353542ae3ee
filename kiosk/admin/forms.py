"""The admin's forms. Field checks live here; cross-field rules (dates, images) in each form's validate()."""

from __future__ import annotations

import datetime
import re
from functools import cached_property
from typing import Any, ClassVar, TypeVar, cast

from flask import current_app, request
from flask_babel import format_number
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields import Field
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # missing from types-WTForms
from wtforms.validators import InputRequired, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from ..content import fields, figures, media, places, published, site_text
from ..content.dates import DateError, PartialDate, check_span
from ..editing import drafts, reads, writer
from ..extensions import db
from ..languages import choice
from ..models import Era, Event, Media, Place, Role, Status
from ..telemetry import fleet

Checked = TypeVar("Checked")
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}\Z")
FOUR_DIGIT_YEARS = (1000, 2999)
LARGEST = 2**31 - 1  # ids, versions and numbers beyond this are nonsense (and overflow SQLite's integers)


def whole_number(value) -> int | None:
    """A positive whole number from a form or a URL, or None for anything else."""
    text = str(value or "").strip()
    # isdecimal, not isdigit: "²" is a digit int() refuses; the length check spares int() thousands of digits.
    if not text.isdecimal() or len(text) > len(str(LARGEST)):
        return None
    return int(text) if 0 < int(text) <= LARGEST else None


def _checked(value: Checked | None) -> Checked:
    """A value that validate() requires, read by changes(), which is only called once validate() passed."""
    if value is None:
        raise ValueError("changes() was called on a form that did not pass validate()")
    return value


def add_error(field: Field, message: str) -> None:
    """Attach a message to a field, as a failed validator would (WTForms keeps them in a list that its
    type hints call a Sequence)."""
    field.errors = [*field.errors, message]


def day_argument(name: str, problems: dict[str, str]) -> datetime.date | None:
    """A date from the URL's query (a filter), or None; a mistyped one is noted in ``problems``."""
    text = request.args.get(name, "").strip()
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        problems[name] = _("Enter a date like 2025-03-14.")
        return None


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _newlines(value):
    """Browsers send line breaks as CRLF; stored text keeps LF, so a save changes only what was typed."""
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


class WholeNumberField(IntegerField):
    """A number typed as text: what the curator typed is shown back as typed, even when it is not a number."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, not_a_number=None, **kwargs):
        render_kw = {"inputmode": "numeric", "autocomplete": "off"} | kwargs.pop("render_kw", {})
        super().__init__(label, validators or [Optional()], render_kw=render_kw, **kwargs)
        # What to say when the text is not a whole number (a year's field by default).
        self.not_a_number = not_a_number or _l("Enter a whole number, like 1935.")

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist or not valuelist[0].strip():
            return
        try:
            self.data = int(valuelist[0].strip())
        except ValueError as error:
            raise ValueError(str(self.not_a_number)) from error
        if abs(self.data) > LARGEST:
            self.data = None
            raise ValueError(str(self.not_a_number))


class AdminForm(FlaskForm):
    def failing(self, names: list[str]) -> list:
        """The fields with a problem, in page order (for the error summary)."""
        return [self[name] for name in names if self[name].errors]


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), filters=[_strip], render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), render_kw={"autocomplete": "current-password"})


class ConfirmForm(FlaskForm):
    version = HiddenField()


ROLES = [
    SelectChoice(Role.EDITOR.value, _l("Editor")),
    SelectChoice(Role.ADMIN.value, _l("Administrator")),
]
ROLE_HINTS = {
    Role.EDITOR.value: _l("Edits, translates, imports and publishes the timeline."),
    Role.ADMIN.value: _l("Also manages the accounts and the kiosk's settings, and reads the audit log."),
}


def _new_password(label) -> StringField:
    """A password an administrator or the curator types for an account: shown as typed (it is handed to
    someone, or written down), never kept by the browser's form filler, checked by the password policy."""
    return StringField(
        label,
        render_kw={"autocomplete": "new-password", "spellcheck": "false", "autocapitalize": "none"},
    )


class AccountForm(AdminForm):
    username = StringField(
        _l("Username"),
        filters=[_strip],
        render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "none", "maxlength": 64},
    )
    role = RadioField(_l("Role"), choices=ROLES, default=Role.EDITOR.value)
    password = _new_password(_l("First password"))
    FIELDS = ("username", "role", "password")


class RoleForm(AdminForm):
    role = RadioField(_l("Role"), choices=ROLES)


class NewPasswordForm(AdminForm):
    password = _new_password(_l("New password"))


class OwnPasswordForm(AdminForm):
    current_password = PasswordField(
        _l("Your current password"), render_kw={"autocomplete": "current-password"}
    )
    password = PasswordField(_l("New password"), render_kw={"autocomplete": "new-password"})
    FIELDS = ("current_password", "password")


def _length(limit: int, what: str) -> Length:
    return Length(
        max=limit, message=_l("Keep %(what)s to %(max)d characters or fewer.", what=what, max=limit)
    )


def unbound_field(part: fields.Part):
    """The WTForms field for one of the table's form parts (its hint is the field's description)."""
    field = _unbound_field(part)
    field.kwargs["description"] = part.hint or ""
    return field


def _unbound_field(part: fields.Part):
    validators: list = []
    if part.needed:
        validators.append(InputRequired(part.needed))
    if part.limit and part.control != "slug":
        validators.append(_length(part.limit, part.what or part.label))
    text_filters = [_strip]
    match part.control:
        case "number":
            return WholeNumberField(part.label)
        case "checkbox":
            return BooleanField(part.label)
        case "select":
            return SelectField(part.label, coerce=whole_number, validate_choice=False)
        case "status":
            choices = [
                SelectChoice(Status.DRAFT.value, _l("Draft")),
                SelectChoice(Status.PUBLISHED.value, _l("Published")),
            ]
            return RadioField(part.label, choices=choices, default=Status.DRAFT.value)
        case "file":
            return FileField(part.label, render_kw={"accept": "image/jpeg,image/png,image/webp"})
        case "slug":
            slug = Regexp(writer.SLUG, message=part.invalid)
            length = Length(max=part.limit or -1)
            return StringField(part.label, filters=text_filters, validators=[Optional(), length, slug])
        case "textarea":
            return TextAreaField(
                part.label,
                filters=[_newlines, _strip],
                validators=validators,
                render_kw={"rows": part.rows or 3},
            )
        case "markdown" | "lines":  # (they keep their spaces: indents and line ends mean something)
            rows = {"rows": 10 if part.control == "markdown" else 4}
            return TextAreaField(part.label, filters=[_newlines], validators=validators, render_kw=rows)
        case "decimal":
            return StringField(part.label, filters=text_filters, render_kw={"inputmode": "decimal"})
        case "colour":
            return StringField(part.label, filters=text_filters, render_kw={"type": "color"})
    return StringField(part.label, filters=text_filters, validators=validators)


def with_fields(form_class, parts: list[fields.Part]):
    """Give a form class a field for each of the table's form parts (WTForms picks up fields set on a
    class after it is made)."""
    for part in parts:
        setattr(form_class, part.name, unbound_field(part))
    return form_class


class TableForm(AdminForm):
    """A form of an item's fields, made from the field table (kiosk.content.fields)."""

    TABLE: ClassVar[fields.FieldTable]
    # The form's parts of the page in the order they appear: the error summary lists problems so.
    SECTIONS: ClassVar[tuple[str, ...]] = ("main",)

    @classmethod
    def field_names(cls) -> list[str]:
        """Every field of the form, in page order (each once)."""
        names = [
            part.name
            for section in cls.SECTIONS
            for spec in cls.TABLE.in_section(section)
            for part in spec.form
        ]
        return list(dict.fromkeys(names))

    @classmethod
    def carried_names(cls) -> list[str]:
        """What a conflict page carries for each side (a chosen file cannot be: it is chosen again)."""
        carried = {part.name for part in cls.TABLE.form_parts if part.carried}
        return [name for name in cls.field_names() if name in carried]

    @classmethod
    def conflict_groups(cls) -> dict[str, tuple[str, ...]]:
        """Each difference kiosk.editing.conflicts finds, and the form fields that decide it."""
        return cls.TABLE.conflict_groups()


class EventForm(TableForm):
    """An event's fields, made from the field table (kiosk.content.fields.EVENT); the checks across fields
    (dates, the image, the place, the figure) are here."""

    TABLE = fields.EVENT
    SECTIONS = ("main", "when", "story", "status", "timeline", "picture", "place", "figure")
    version = HiddenField()
    # Ticked when the curator confirms that an event with the same headline and date is another one.
    not_a_duplicate = BooleanField(_l("It is a different event: save it anyway"))

    def __init__(self, *args, event: Event | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        era = cast(SelectField, self["era"])
        era.choices = [SelectChoice("", _("Choose an era…"))] + [
            SelectChoice(era.id, f"{era.name} ({era.start_year}–{era.end_year})")
            for era in reads.ordered_eras()
        ]
        self.prepared_image: media.PreparedImage | None = None
        self.chosen_era: Era | None = None
        # Values checked across several of the form's fields (dates, the place, the figure), by the key.
        self.checked: dict[str, Any] = {}
        # The inline check cannot see a chosen file; the page tells it when there is one.
        self.image_chosen_elsewhere = False
        self.duplicate: Event | None = None  # an event this one seems to repeat (see _check_duplicate)

    # ---- what the form holds ----

    @cached_property
    def working(self) -> dict:
        """The event as the curators edit it (its unpublished changes, if it has any), as an item."""
        return drafts.working_item(self.event) if self.event is not None else {}

    @cached_property
    def image_shown(self) -> Media | None:
        """The image the form shows as the event's (its unpublished changes' when it has them)."""
        key = (self.working.get("image") or {}).get("key")
        return db.session.scalar(select(Media).where(Media.key == key)) if key else None

    @property
    def has_existing_image(self) -> bool:
        return self.image_shown is not None and not self["remove_image"].data

    @property
    def new_upload(self):
        upload = self["image"].data
        return upload if upload and getattr(upload, "filename", "") else None

    @property
    def source_list(self) -> list[str]:
        return [line.strip() for line in (self["sources"].data or "").splitlines() if line.strip()]

    # ---- checks ----

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        headline = self["headline"]
        if not headline.errors and not headline.data:
            add_error(headline, _("Give the event a headline."))
        self._check_slug()
        self._check_era()
        self._check_dates()
        self._check_image()
        self._check_place()
        self._check_figure()
        self._check_duplicate()
        return not self.errors

    def _check_duplicate(self) -> None:
        """An event with the same headline and start date is probably this one saved twice: say so, and
        save only once the curator confirms it is another (a save that keeps both as they were is not
        asked again)."""
        headline, start = self["headline"].data or "", self.checked.get("start")
        if self["headline"].errors or start is None or self["not_a_duplicate"].data:
            return
        kept = self.working
        if kept and kept.get("headline") == headline and PartialDate.from_dict(kept.get("start")) == start:
            return
        same = reads.same_headline_and_date(headline, start, self.event.id if self.event else None)
        if same is not None:
            self.duplicate = same
            add_error(
                self["headline"],
                _(
                    "“%(headline)s” (%(date)s) is on the list already. If this is another event, tick "
                    "“It is a different event” below the headline and save again.",
                    headline=same.headline,
                    date=same.date_label,
                ),
            )

    def _check_slug(self) -> None:
        """New events may leave it empty (it is made from the headline); saved ones keep one."""
        slug = self["slug"]
        if slug.errors:
            return
        if not slug.data:
            if self.event is not None:
                add_error(slug, _("An event needs a web address."))
            return
        if writer.slug_in_use(Event, slug.data, exclude_id=self.event.id if self.event else None):
            add_error(slug, _("Another event already uses this web address."))

    def _check_era(self) -> None:
        chosen = self["era"].data
        era = db.session.get(Era, chosen) if chosen else None
        if era is None:
            self["era"].errors = [_("Choose the era this event belongs to.")]
        self.chosen_era = era

    def _check_dates(self) -> None:
        span = None if self["postscript"].data else _timeline_span()
        start = _partial_date(self._parts("start"), span, required=True)
        end = _partial_date(self._parts("end"), None, required=False)
        if start and end:
            try:
                check_span(start, end)
            except DateError as error:
                add_error(self["end_year"], str(error))
        self.checked |= {"start": start, "end": end}

    def _parts(self, key: str) -> list:
        return [self[part.name] for part in self.TABLE[key].form]

    def _check_image(self) -> None:
        upload = self.new_upload
        if upload is not None:
            try:
                self.prepared_image = media.prepare(upload.stream)
            except media.ImageRejected as error:
                add_error(self["image"], str(error))
        shows_an_image = upload is not None or self.image_chosen_elsewhere or self.has_existing_image
        if shows_an_image and not self["image_alt"].data:
            add_error(
                self["image_alt"],
                _("Describe the image in a sentence for people who cannot see it (alt text)."),
            )

    def _check_place(self) -> None:
        """No place when every place field is empty; a place already used, by its name in any language,
        brings its coordinates and note. A new place needs a name and coordinates; a place already used
        keeps its note (it is changed on the place's own page)."""
        name, lat, lon, note = self._parts("place")
        self.checked["place"] = None
        if not any(field.data for field in (name, lat, lon, note)) or any(
            field.errors for field in (name, lat, lon, note)
        ):
            return
        known = reads.place_called(name.data or "")
        if known and not lat.data and not lon.data:
            name.data, lat.data, lon.data = known.name, str(known.lat), str(known.lon)
            note.data = note.data or known.note
        if not name.data:
            add_error(name, _("Name the place, for example Kadiivka."))
        for field, axis in ((lat, "lat"), (lon, "lon")):
            try:
                field.data = str(places.coordinate(field.data or "", axis))
            except places.PlaceError as error:
                add_error(field, str(error))
        if any(field.errors for field in (name, lat, lon, note)):
            return
        typed = {"name": name.data, "note": note.data or "", "lat": float(lat.data), "lon": float(lon.data)}
        used = reads.place_matching(typed["name"], typed["lat"], typed["lon"])
        if used is not None and typed["note"] not in ("", used.note):
            add_error(
                note,
                _(
                    "“%(place)s” is a place already used: its note is changed on its own page (Places), "
                    "for every event there. Leave this note as it is.",
                    place=used.name,
                ),
            )
            note.data = used.note  # what "as it is" means: the place's note now
            return
        self.checked["place"] = typed

    def _check_figure(self) -> None:
        """No figure when every figure field is empty; otherwise a title, rows and a source."""
        title, rows_field, source, confidence = self._parts("figure")
        self.checked["figure"] = None
        parts = (title, rows_field, source, confidence)
        if not any(field.data for field in parts) or any(field.errors for field in parts):
            return
        if not title.data:
            add_error(title, _("Give the figure a title, for example “Coal in one shift”."))
        if not source.data:
            add_error(source, _("Say where the numbers come from."))
        try:
            rows = figures.parse_rows(rows_field.data or "")
            if not rows:
                raise figures.FigureError(_("Write at least one row: “label | number | unit”."))
            figure = figures.clean(
                {
                    "title": title.data or "-",
                    "rows": rows,
                    "source": source.data or "-",
                    "confidence": confidence.data,
                }
            )
        except figures.FigureError as error:
            add_error(rows_field, str(error))
            return
        if not (title.errors or source.errors):
            self.checked["figure"] = figure

    # ---- to and from the item shape ----

    def changes(self) -> writer.EventChanges:
        """The checked values, ready for writer.save_event (call after validate() succeeded)."""
        item: dict[str, Any] = {}
        for spec in self.TABLE:
            if spec.section and spec.kind not in (fields.REFERENCE, fields.ADDRESS):
                self.TABLE.put(item, spec.key, self._value(spec))
        return writer.EventChanges(
            item=self.TABLE.tidy(item),
            era=_checked(self.chosen_era),
            new_image=self.prepared_image,
            remove_image=bool(self["remove_image"].data) and self.prepared_image is None,
        )

    def _value(self, spec: fields.Field) -> Any:
        if spec.key in self.checked:
            value = self.checked[spec.key]
            return value.as_dict() if isinstance(value, PartialDate) else value
        data = self[spec.form[0].name].data
        match spec.kind.name:
            case "lines":
                return self.source_list
            case "flag":
                return bool(data)
            case "markdown":
                return (data or "").strip()
        return data or ""

    def fill_from(self, event: Event) -> None:
        """Show a saved event as the curators edit it: its unpublished changes, if it has any."""
        self.event = event
        item = drafts.working_item(event)
        for spec in self.TABLE:
            if spec.section:
                self._show(spec, self.TABLE.value(item, spec.key))
        self["era"].data = db.session.scalar(select(Era.id).where(Era.slug == item["era"])) or event.era_id
        self["status"].data = event.status.value  # the event's: its buttons change it, not its changes
        self.version.data = str(event.version)

    def _show(self, spec: fields.Field, value: Any) -> None:
        form = [self[part.name] for part in spec.form]
        match spec.kind.name:
            case "date":
                for field, part in zip(form, ("year", "month", "day"), strict=True):
                    field.data = (value or {}).get(part)
            case "lines":
                form[0].data = "\n".join(value or [])
            case "place":
                place = fields.find_place(value)
                name, lat, lon, note = form
                name.data, note.data = (place.name, place.note) if place else ("", "")
                lat.data, lon.data = (str(place.lat), str(place.lon)) if place else ("", "")
            case "figure":
                figure = value or {}
                title, rows, source, confidence = form
                title.data, source.data = figure.get("title", ""), figure.get("source", "")
                confidence.data, rows.data = figure.get("confidence", ""), figures.rows_text(value)
            case "reference" | "address":
                pass
            case _:
                form[0].data = value


with_fields(EventForm, fields.EVENT.form_parts)


def _timeline_span() -> tuple[int, int]:
    return current_app.config["TIMELINE_START_YEAR"], current_app.config["TIMELINE_END_YEAR"]


def _partial_date(parts: list, span, *, required: bool) -> PartialDate | None:
    """The date in three fields, or None. Each field gets its own message, so every problem shows at once."""
    year_field, month_field, day_field = parts
    year, month, day = (field.data for field in parts)
    if year is None and not year_field.errors:
        if month is not None or day is not None:
            add_error(year_field, _("Add the year too."))
        elif required:
            add_error(year_field, _("Enter the year."))
    elif year is not None and span and not span[0] <= year <= span[1]:
        add_error(
            year_field,
            _(
                "Year must be between %(start)s and %(end)s, or mark the event as a postscript.",
                start=span[0],
                end=span[1],
            ),
        )
    elif year is not None and not FOUR_DIGIT_YEARS[0] <= year <= FOUR_DIGIT_YEARS[1]:
        add_error(year_field, _("Enter the year with four digits, like 1935."))
    if month is not None and not 1 <= month <= 12:
        add_error(month_field, _("Month must be between 1 and 12."))
    if day is not None and month is None and not month_field.errors:
        add_error(day_field, _("A day needs a month: enter the month too."))
    if year is None or any(field.errors for field in parts):
        return None
    try:
        return PartialDate(year, month, day)
    except DateError as error:
        add_error(day_field, str(error))
        return None


class EraForm(TableForm):
    """An era's fields, made from the field table (kiosk.content.fields.ERA)."""

    TABLE = fields.ERA
    SECTIONS = ("main", "years", "details")
    version = HiddenField()

    def __init__(self, *args, era: Era | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.era = era

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        start_year, end_year = self["start_year"], self["end_year"]
        for field in (start_year, end_year):
            if field.errors:
                continue
            if field.data is None:
                add_error(field, _("Enter the year."))
            elif not FOUR_DIGIT_YEARS[0] <= field.data <= FOUR_DIGIT_YEARS[1]:
                add_error(field, _("Enter the year with four digits, like 1935."))
        start, end = start_year.data, end_year.data
        if (
            not start_year.errors
            and not end_year.errors
            and start is not None
            and end is not None
            and end < start
        ):
            add_error(end_year, _("The end year is before the start year."))
        self._check_colour()
        self._check_slug()
        return not self.errors

    def _check_slug(self) -> None:
        slug = self["slug"]
        if slug.errors:
            return
        if not slug.data:
            if self.era is not None:
                add_error(slug, _("An era needs a web address."))
            return
        if writer.slug_in_use(Era, slug.data, exclude_id=self.era.id if self.era else None):
            add_error(slug, _("Another era already uses this web address."))

    def _check_colour(self) -> None:
        colour = self["colour"].data or ""
        if not COLOUR.match(colour):
            add_error(self["colour"], _("Choose a colour (written like #4e5863)."))
            return
        ratio = contrast_with_white(colour)
        if ratio < 4.5:
            add_error(
                self["colour"],
                _(
                    "White text on this colour is hard to read (contrast %(ratio)s:1, "
                    "it needs at least 4.5:1). Choose a darker colour.",
                    ratio=f"{ratio:.1f}",
                ),
            )

    def changes(self) -> writer.EraChanges:
        """The checked values, ready for writer.save_era (call after validate() succeeded)."""
        item = {spec.key: self[spec.form[0].name].data for spec in self.TABLE if spec.section}
        item |= {
            "slug": item["slug"] or "",
            "colour": item["colour"].lower(),
            "description": item["description"] or "",
        }
        return writer.EraChanges(item)

    def fill_from(self, era: Era) -> None:
        for spec in self.TABLE:
            if spec.section:
                self[spec.form[0].name].data = getattr(era, spec.columns[0])
        self["colour"].data = era.colour.lower()
        self.version.data = str(era.version)


with_fields(EraForm, fields.ERA.form_parts)


class PlaceForm(TableForm):
    """A place's own page, made from the field table (kiosk.content.fields.PLACE): its name and note, where
    it is, the years he lived there, its web address."""

    TABLE = fields.PLACE
    SECTIONS = ("main", "where", "years", "details")
    version = HiddenField()

    def __init__(self, *args, place: Place, **kwargs):
        super().__init__(*args, **kwargs)
        self.place = place
        self.checked: dict[str, Any] = {}

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        for axis in ("lat", "lon"):
            field = self[axis]
            try:
                self.checked[axis] = places.coordinate(field.data or "", axis)
            except places.PlaceError as error:
                add_error(field, str(error))
        first, last = self["years_from"], self["years_to"]
        if not first.errors and not last.errors:
            try:
                self.checked["years"] = places.check_years(first.data, last.data)
            except places.PlaceError as error:
                add_error(last if first.data is not None else first, str(error))
        slug = self["slug"]
        if not slug.errors and not slug.data:
            add_error(slug, _("A place needs a web address."))
        elif not slug.errors and writer.slug_in_use(Place, slug.data, exclude_id=self.place.id):
            add_error(slug, _("Another place already uses this web address."))
        return not self.errors

    def changes(self) -> writer.PlaceChanges:
        """The checked values, ready for writer.save_place (call after validate() succeeded)."""
        item = {name: self[name].data or "" for name in ("name", "note", "display_years", "slug")}
        return writer.PlaceChanges(item | {key: self.checked[key] for key in ("lat", "lon", "years")})

    def fill_from(self, place: Place) -> None:
        item = fields.item_of(place)
        for name in ("name", "note", "display_years", "slug"):
            self[name].data = item[name]
        self["lat"].data, self["lon"].data = str(place.lat), str(place.lon)
        self["years_from"].data, self["years_to"].data = place.years_from, place.years_to
        self.version.data = str(place.version)


with_fields(PlaceForm, fields.PLACE.form_parts)


def contrast_with_white(colour: str) -> float:
    """WCAG 2 contrast ratio of white text on ``colour`` (#rrggbb)."""

    def channel(hex_pair: str) -> float:
        value = int(hex_pair, 16) / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(colour[index : index + 2]) for index in (1, 3, 5))
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return 1.05 / (luminance + 0.05)


class TranslationForm(AdminForm):
    """An event's or era's text in another language: the fields, checks and limits of the default text
    (the field table's translatable fields, kiosk.content.fields)."""

    TABLE: ClassVar[fields.FieldTable]
    FIELDS: ClassVar[tuple[str, ...]] = ()  # the form's fields, in page order
    version = HiddenField()

    def __init__(self, *args, entity: fields.Entity, **kwargs):
        super().__init__(*args, **kwargs)
        self.entity = entity
        self.translated: dict[str, Any] = {}

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        typed = {name: self[name].data or "" for name in self.FIELDS}
        for spec in self.TABLE:
            if not spec.translatable:
                continue
            default = getattr(self.entity, spec.columns[0])
            try:
                self.translated[spec.translation_key] = spec.kind.from_translation_form(spec, typed, default)
            except ValueError as error:  # (a figure's rows: the last of its fields says what is wrong)
                add_error(self[spec.translation_form[-1].name], str(error))
        return not self.errors

    def texts(self) -> dict[str, Any]:
        """The checked translation, by the translation's fields (call after validate() succeeded)."""
        return self.translated

    def show(self, translation: dict[str, Any]) -> None:
        for name, text in self.shown(self.TABLE, translation).items():
            self[name].data = text

    @staticmethod
    def shown(table: fields.FieldTable, translation: dict[str, Any]) -> dict[str, str]:
        """A translation (or the default texts, by translation key) as the form's fields show it."""
        found: dict[str, str] = {}
        for spec in table:
            if spec.translatable:
                found |= spec.kind.translation_form(spec, translation.get(spec.translation_key))
        return found


def _translation_form(form_class, table: fields.FieldTable):
    """A translation form with the table's translatable fields, as the default text's form has them."""
    translated = [part for spec in table if spec.translatable for part in spec.translation_form]
    form_class.TABLE, form_class.FIELDS = table, tuple(part.name for part in translated)
    return with_fields(form_class, translated)


class EventTranslationForm(TranslationForm):
    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        headline = self["headline"]
        if not headline.errors and not headline.data:
            add_error(headline, _("Give the event a headline."))
        return not self.errors


class EraTranslationForm(TranslationForm):
    pass


class PlaceTranslationForm(TranslationForm):
    pass


_translation_form(EventTranslationForm, fields.EVENT)
_translation_form(EraTranslationForm, fields.ERA)
_translation_form(PlaceTranslationForm, fields.PLACE)


class SiteTextForm(AdminForm):
    """The timeline's title and further reading in one language; the lists one title a line."""

    TITLE_LENGTH, SUMMARY_LENGTH = 120, 600
    READING_LINE, READING_TOTAL = 300, 8000  # characters: one title; all the lists together

    headline = StringField(_l("Title"), filters=[_strip], validators=[_length(TITLE_LENGTH, _l("the title"))])
    summary = TextAreaField(
        _l("Introduction"),
        filters=[_newlines, _strip],
        validators=[_length(SUMMARY_LENGTH, _l("the introduction"))],
        render_kw={"rows": 4},
    )
    reading_scholarly = TextAreaField(published.READING_HEADINGS["scholarly"], filters=[_newlines])
    reading_period = TextAreaField(published.READING_HEADINGS["period"], filters=[_newlines])
    reading_other = TextAreaField(_l("Other titles (listed without a heading)"), filters=[_newlines])
    loaded = HiddenField()  # the fingerprint of the text the form was loaded from

    FIELDS = ("headline", "summary", "reading_scholarly", "reading_period", "reading_other")
    # Each list's field, by its kind of further reading.
    READING_FIELDS: ClassVar[dict[str, str]] = {
        "scholarly": "reading_scholarly",
        "period": "reading_period",
        site_text.PLAIN: "reading_other",
    }

    @property
    def total_limit(self) -> str:
        """READING_TOTAL as the curator's language writes numbers (8,000; 8 000)."""
        return format_number(self.READING_TOTAL)

    def titles(self, kind: str) -> list[str]:
        """A list's titles: one a line, spaces trimmed, empty lines left out."""
        text = self[self.READING_FIELDS[kind]].data or ""
        return [line.strip() for line in text.splitlines() if line.strip()]

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        if not self.headline.errors and not self.headline.data:
            add_error(self.headline, _("Give the timeline a title."))
        total, last_list = 0, None
        for kind, name in self.READING_FIELDS.items():
            for number, line in enumerate((self[name].data or "").splitlines(), start=1):
                if len(line.strip()) > self.READING_LINE:
                    add_error(
                        self[name],
                        _(
                            "Line %(line)d is %(length)d characters long: keep each title to %(max)d "
                            "characters or fewer.",
                            line=number,
                            length=len(line.strip()),
                            max=self.READING_LINE,
                        ),
                    )
                    break
            titles = self.titles(kind)
            total += sum(len(title) for title in titles)
            last_list = name if titles else last_list
        if last_list and total > self.READING_TOTAL:
            add_error(
                self[last_list],
                _(
                    "The further reading is %(length)s characters long in all: keep it to %(max)s or fewer "
                    "by shortening or removing titles.",
                    length=format_number(total),
                    max=self.total_limit,
                ),
            )
        return not self.errors

    def text(self) -> site_text.SiteText:
        """The checked text, ready for writer.save_site_text (call after validate() succeeded)."""
        reading = {kind: self.titles(kind) for kind in self.READING_FIELDS}
        return site_text.SiteText(self.headline.data or "", self.summary.data or "", reading)

    def fill_from(self, text: site_text.SiteText) -> None:
        self.headline.data, self.summary.data = text.headline, text.summary
        for kind, name in self.READING_FIELDS.items():
            self[name].data = text.reading_text(kind)
        self.loaded.data = text.fingerprint


class SettingsForm(AdminForm):
    idle_seconds = WholeNumberField(
        _l("Idle timeout (seconds)"),
        not_a_number=_l("Enter a number of seconds between 30 and 600, in figures: for 2 minutes, 120."),
    )
    languages = SelectMultipleField(
        _l("Languages on the kiosk"), widget=ListWidget(prefix_label=False), option_widget=CheckboxInput()
    )
    default_locale = SelectField(_l("The museum's default language"), validate_choice=False)
    loaded = HiddenField()  # the fingerprint of the settings the form was loaded from

    @property
    def chooses_languages(self) -> bool:
        """The settings page always sends the default language; a form without it leaves them be."""
        return bool(self.default_locale.raw_data)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        offered = [(code, choice.own_name(code)) for code in choice.available()]
        self.languages.choices = offered
        self.default_locale.choices = offered

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        value = self.idle_seconds.data
        if not self.idle_seconds.errors and (value is None or not 30 <= value <= 600):
            add_error(
                self.idle_seconds,
                _("Choose a number of seconds between 30 and 600: for 2 minutes, 120."),
            )
        if not self.chooses_languages:
            return not self.errors
        if not self.languages.errors and not self.languages.data:
            add_error(self.languages, _("Choose at least one language."))
        elif not self.default_locale.errors and self.default_locale.data not in (self.languages.data or []):
            add_error(self.default_locale, _("The default language must be one of the kiosk's languages."))
        return not self.errors


class ImportForm(AdminForm):
    file = FileField(_l("File to import"), render_kw={"accept": ".json,.csv,application/json,text/csv"})
    language = SelectField(_l("Import into"), validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        default = choice.default()
        self.language.choices = [
            SelectChoice("", _("%(language)s: the events themselves", language=choice.own_name(default)))
        ] + [
            SelectChoice(
                code,
                _("%(language)s: a translation of events already here", language=choice.own_name(code)),
            )
            for code in choice.offered()
            if code != default
        ]

    @property
    def chosen_language(self) -> str | None:
        """A language to import translations into; None for the default (the events themselves)."""
        wanted = self.language.data or ""
        return wanted if wanted in choice.offered() and wanted != choice.default() else None


class ImportConfirmForm(FlaskForm):
    token = HiddenField()
    language = HiddenField()
    publish = BooleanField(_l("Publish the imported events"))


class KioskForm(AdminForm):
    """A kiosk an administrator enrols: the name in its start address, and what curators call it."""

    name = StringField(
        _l("Name in its start address"),
        filters=[_strip],
        validators=[
            InputRequired(_l("Give the kiosk a name, like gallery-3.")),
            Regexp(
                r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}\Z",
                message=_l("Use 1 to 64 letters, digits, dots, dashes or underscores, like gallery-3."),
            ),
        ],
    )
    label = StringField(
        _l("What curators call it (optional)"), filters=[_strip], validators=[_length(80, _l("the name"))]
    )


class KioskLabelForm(AdminForm):
    label = StringField(
        _l("What curators call it"), filters=[_strip], validators=[_length(80, _l("the name"))]
    )


CLOCK_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d\Z")


class OpeningHoursForm(AdminForm):
    """The museum's week, a row a day (Monday first): opening and closing times, or closed; or always open.
    The fields of each day are named ``<day>_opens``, ``<day>_closes`` and ``<day>_closed`` (day: mon…sun,
    kiosk.telemetry.fleet.DAY_NAMES)."""

    always_open = BooleanField(_l("Always open: a kiosk that stops reporting is flagged at any hour"))
    loaded = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for day, name in zip(fleet.DAY_NAMES, fleet.day_names(), strict=True):
            self[f"{day}_opens"].label.text = _("%(day)s: opens", day=name)
            self[f"{day}_closes"].label.text = _("%(day)s: closes", day=name)
            self[f"{day}_closed"].label.text = _("%(day)s: closed", day=name)

    def field_names(self) -> list[str]:
        return [field.name for fields in self.days() for field in fields]

    def days(self) -> list[tuple[Field, Field, Field]]:
        return [
            (self[f"{day}_opens"], self[f"{day}_closes"], self[f"{day}_closed"]) for day in fleet.DAY_NAMES
        ]

    def fill(self, hours: fleet.OpeningHours | None, fingerprint: str) -> None:
        """Show the hours in force."""
        self.loaded.data = fingerprint
        self.always_open.data = hours is None
        for number, (opens, closes, closed) in enumerate(self.days()):
            opening = hours.on(number) if hours else fleet.Opening(9 * 60, 18 * 60)
            closed.data = opening is None
            if opening is not None:
                opens.data, closes.data = opening.clock()
                closes.data = "00:00" if closes.data == "24:00" else closes.data

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        if self.always_open.data:
            return not self.errors
        for opens, closes, closed in self.days():
            if closed.data:
                continue
            for field in (opens, closes):
                if not CLOCK_TIME.match(field.data or ""):
                    add_error(field, _("Enter a time like 09:30, or tick Closed."))
                    field.data = ""  # a time field can show only a time (a browser sends nothing else)
            if not opens.errors and not closes.errors and opens.data == closes.data and opens.data != "00:00":
                add_error(closes, _("It closes when it opens: for the whole day choose 00:00 to 00:00."))
        return not self.errors

    def text(self) -> str:
        """The hours as kiosk.telemetry.fleet reads them (the form passed validate())."""
        if self.always_open.data:
            return "00:00-24:00"
        week: list[tuple[str, str] | None] = [
            None if closed.data else (opens.data, closes.data) for opens, closes, closed in self.days()
        ]
        return fleet.opening_hours_from_week(week)


for _day in fleet.DAY_NAMES:
    setattr(OpeningHoursForm, f"{_day}_opens", StringField(render_kw={"type": "time"}, filters=[_strip]))
    setattr(OpeningHoursForm, f"{_day}_closes", StringField(render_kw={"type": "time"}, filters=[_strip]))
    setattr(OpeningHoursForm, f"{_day}_closed", BooleanField())
