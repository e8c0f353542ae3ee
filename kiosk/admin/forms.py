"""The admin's forms. Field checks live here; cross-field rules (dates, images) in each form's validate()."""

from __future__ import annotations

import datetime
import re
from typing import ClassVar, TypeVar

from flask import current_app, request
from flask_babel import format_number
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
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

from ..content import figures, media, places, published, site_text
from ..content.dates import DateError, PartialDate, check_span
from ..editing import writer
from ..extensions import db
from ..languages import choice
from ..models import Era, Event, Status
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

    def __init__(self, label=None, validators=None, **kwargs):
        render_kw = {"inputmode": "numeric", "autocomplete": "off"} | kwargs.pop("render_kw", {})
        super().__init__(label, validators or [Optional()], render_kw=render_kw, **kwargs)

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist or not valuelist[0].strip():
            return
        try:
            self.data = int(valuelist[0].strip())
        except ValueError as error:
            raise ValueError(_("Enter a whole number, like 1935.")) from error
        if abs(self.data) > LARGEST:
            self.data = None
            raise ValueError(_("Enter a whole number, like 1935."))


class AdminForm(FlaskForm):
    def failing(self, names: list[str]) -> list:
        """The fields with a problem, in page order (for the error summary)."""
        return [self[name] for name in names if self[name].errors]


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), filters=[_strip], render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), render_kw={"autocomplete": "current-password"})


class ConfirmForm(FlaskForm):
    version = HiddenField()


def _length(limit: int, what: str) -> Length:
    return Length(
        max=limit, message=_l("Keep %(what)s to %(max)d characters or fewer.", what=what, max=limit)
    )


class EventForm(AdminForm):
    headline = StringField(_l("Headline"), filters=[_strip], validators=[_length(120, _l("the headline"))])
    slug = StringField(
        _l("Web address"),
        filters=[_strip],
        validators=[
            Optional(),
            Length(max=120),
            Regexp(
                writer.SLUG,
                message=_l("Use lowercase letters, digits and hyphens only, like born-in-lugovaya."),
            ),
        ],
    )
    start_year = WholeNumberField(_l("Year"))
    start_month = WholeNumberField(_l("Month"))
    start_day = WholeNumberField(_l("Day"))
    end_year = WholeNumberField(_l("End year"))
    end_month = WholeNumberField(_l("End month"))
    end_day = WholeNumberField(_l("End day"))
    display_date = StringField(
        _l("Display date"), filters=[_strip], validators=[_length(120, _l("the display date"))]
    )
    era = SelectField(_l("Era"), coerce=whole_number, validate_choice=False)
    summary = TextAreaField(_l("Summary"), filters=[_newlines, _strip], render_kw={"rows": 3})
    body = TextAreaField(_l("Text"), filters=[_newlines], render_kw={"rows": 10})
    sources = TextAreaField(_l("Sources"), filters=[_newlines], render_kw={"rows": 4})
    confidence = StringField(
        _l("Confidence label"), filters=[_strip], validators=[_length(80, _l("the confidence label"))]
    )
    featured = BooleanField(_l("Featured"))
    postscript = BooleanField(_l("Postscript"))
    status = RadioField(
        _l("Status"),
        choices=[
            SelectChoice(Status.DRAFT.value, _l("Draft")),
            SelectChoice(Status.PUBLISHED.value, _l("Published")),
        ],
        default=Status.DRAFT.value,
    )
    image = FileField(_l("Image"), render_kw={"accept": "image/jpeg,image/png,image/webp"})
    image_alt = StringField(_l("Alt text"), filters=[_strip], validators=[_length(300, _l("the alt text"))])
    image_caption = StringField(_l("Caption"), filters=[_strip], validators=[_length(300, _l("the caption"))])
    image_credit = StringField(_l("Credit"), filters=[_strip], validators=[_length(200, _l("the credit"))])
    remove_image = BooleanField(_l("Remove image"))
    place_name = StringField(
        _l("Place"), filters=[_strip], validators=[_length(places.NAME_LENGTH, _l("the place's name"))]
    )
    place_lat = StringField(_l("Latitude"), filters=[_strip], render_kw={"inputmode": "decimal"})
    place_lon = StringField(_l("Longitude"), filters=[_strip], render_kw={"inputmode": "decimal"})
    place_note = StringField(
        _l("Place note"), filters=[_strip], validators=[_length(places.NOTE_LENGTH, _l("the place note"))]
    )
    figure_title = StringField(
        _l("Figure title"),
        filters=[_strip],
        validators=[_length(figures.TITLE_LENGTH, _l("the figure title"))],
    )
    figure_rows = TextAreaField(_l("Figure rows"), filters=[_newlines, _strip], render_kw={"rows": 4})
    figure_source = StringField(
        _l("Figure source"),
        filters=[_strip],
        validators=[_length(figures.SOURCE_LENGTH, _l("the figure source"))],
    )
    figure_confidence = StringField(
        _l("Figure confidence label"),
        filters=[_strip],
        validators=[_length(figures.CONFIDENCE_LENGTH, _l("the figure's confidence label"))],
    )
    version = HiddenField()

    def __init__(self, *args, event: Event | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.era.choices = [SelectChoice("", _("Choose an era…"))] + [
            SelectChoice(era.id, f"{era.name} ({era.start_year}–{era.end_year})")
            for era in writer.ordered_eras()
        ]
        self.prepared_image: media.PreparedImage | None = None
        self.chosen_era: Era | None = None
        self.start_date: PartialDate | None = None
        self.end_date: PartialDate | None = None
        self.place: dict | None = None
        self.figure: dict | None = None
        # The inline check cannot see a chosen file; the page tells it when there is one.
        self.image_chosen_elsewhere = False

    # ---- what the form holds ----

    @property
    def has_existing_image(self) -> bool:
        return bool(self.event and self.event.image) and not self.remove_image.data

    @property
    def new_upload(self):
        upload = self.image.data
        return upload if upload and getattr(upload, "filename", "") else None

    @property
    def source_list(self) -> list[str]:
        return [line.strip() for line in (self.sources.data or "").splitlines() if line.strip()]

    # ---- checks ----

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        if not self.headline.errors and not self.headline.data:
            add_error(self.headline, _("Give the event a headline."))
        self._check_slug()
        self._check_era()
        self._check_dates()
        self._check_image()
        self._check_place()
        self._check_figure()
        return not self.errors

    def _check_slug(self) -> None:
        """New events may leave it empty (it is made from the headline); saved ones keep one."""
        if self.slug.errors:
            return
        if not self.slug.data:
            if self.event is not None:
                add_error(self.slug, _("An event needs a web address."))
            return
        if writer.slug_in_use(Event, self.slug.data, exclude_id=self.event.id if self.event else None):
            add_error(self.slug, _("Another event already uses this web address."))

    def _check_era(self) -> None:
        era = db.session.get(Era, self.era.data) if self.era.data else None
        if era is None:
            self.era.errors = [_("Choose the era this event belongs to.")]
        self.chosen_era = era

    def _check_dates(self) -> None:
        span = None if self.postscript.data else _timeline_span()
        self.start_date = _partial_date(
            self.start_year, self.start_month, self.start_day, span, required=True
        )
        self.end_date = _partial_date(self.end_year, self.end_month, self.end_day, None, required=False)
        if self.start_date and self.end_date:
            try:
                check_span(self.start_date, self.end_date)
            except DateError as error:
                add_error(self.end_year, str(error))

    def _check_image(self) -> None:
        upload = self.new_upload
        if upload is not None:
            try:
                self.prepared_image = media.prepare(upload.stream)
            except media.ImageRejected as error:
                add_error(self.image, str(error))
        shows_an_image = upload is not None or self.image_chosen_elsewhere or self.has_existing_image
        if shows_an_image and not self.image_alt.data:
            add_error(
                self.image_alt, _("Describe the image in a sentence for people who cannot see it (alt text).")
            )

    def _check_place(self) -> None:
        """No place when every place field is empty; a known place's name alone brings its coordinates."""
        fields = (self.place_name, self.place_lat, self.place_lon, self.place_note)
        self.place = None
        if not any(field.data for field in fields) or any(field.errors for field in fields):
            return
        known = places.known_by_name(published.placed_events(), self.place_name.data or "")
        if known and not self.place_lat.data and not self.place_lon.data:
            self.place_lat.data, self.place_lon.data = str(known["lat"]), str(known["lon"])
            self.place_note.data = self.place_note.data or places.localized(known.get("note"), "en")
        if not self.place_name.data:
            add_error(self.place_name, _("Name the place, for example Kadiivka."))
        for field, axis in ((self.place_lat, "lat"), (self.place_lon, "lon")):
            try:
                places.coordinate(field.data or "", axis)
            except places.PlaceError as error:
                add_error(field, str(error))
        if any(field.errors for field in fields):
            return
        kept = dict(self.event.place or {}) if self.event and self.event.place else {}
        name = (kept.get("name") or {}) | {places.DEFAULT_LOCALE: self.place_name.data}
        note = {k: v for k, v in (kept.get("note") or {}).items() if k != places.DEFAULT_LOCALE}
        note |= {places.DEFAULT_LOCALE: self.place_note.data or ""}
        self.place = places.clean(
            {"name": name, "note": note, "lat": self.place_lat.data, "lon": self.place_lon.data}
        )

    def _check_figure(self) -> None:
        """No figure when every figure field is empty; otherwise a title, rows and a source."""
        fields = (self.figure_title, self.figure_rows, self.figure_source, self.figure_confidence)
        self.figure = None
        if not any(field.data for field in fields) or any(field.errors for field in fields):
            return
        if not self.figure_title.data:
            add_error(self.figure_title, _("Give the figure a title, for example “Coal in one shift”."))
        if not self.figure_source.data:
            add_error(self.figure_source, _("Say where the numbers come from."))
        try:
            rows = figures.parse_rows(self.figure_rows.data or "")
            if not rows:
                raise figures.FigureError(_("Write at least one row: “label | number | unit”."))
            figure = figures.clean(
                {
                    "title": self.figure_title.data or "-",
                    "rows": rows,
                    "source": self.figure_source.data or "-",
                    "confidence": self.figure_confidence.data,
                }
            )
        except figures.FigureError as error:
            add_error(self.figure_rows, str(error))
            return
        if not (self.figure_title.errors or self.figure_source.errors):
            self.figure = figure

    def changes(self) -> writer.EventChanges:
        """The checked values, ready for writer.save_event (call after validate() succeeded)."""
        return writer.EventChanges(
            headline=_checked(self.headline.data),
            slug=self.slug.data or "",
            start=_checked(self.start_date),
            end=self.end_date,
            display_date=self.display_date.data or "",
            era=_checked(self.chosen_era),
            summary=self.summary.data or "",
            body=(self.body.data or "").strip(),
            sources=self.source_list,
            confidence=self.confidence.data or "",
            featured=self.featured.data,
            postscript=self.postscript.data,
            status=Status(self.status.data),
            image_alt=self.image_alt.data or "",
            image_caption=self.image_caption.data or "",
            image_credit=self.image_credit.data or "",
            new_image=self.prepared_image,
            remove_image=bool(self.remove_image.data) and self.prepared_image is None,
            place=self.place,
            figure=self.figure,
        )

    def fill_from(self, event: Event) -> None:
        """Show a saved event (for GET requests)."""
        self.headline.data, self.slug.data = event.headline, event.slug
        for prefix, date in (("start", event.start), ("end", event.end)):
            for part in ("year", "month", "day"):
                getattr(self, f"{prefix}_{part}").data = getattr(date, part) if date else None
        self.display_date.data, self.era.data = event.display_date, event.era_id
        self.summary.data, self.body.data = event.summary, event.body
        self.sources.data = "\n".join(event.sources or [])
        self.confidence.data, self.featured.data, self.postscript.data = (
            event.confidence,
            event.featured,
            event.postscript,
        )
        self.status.data = event.status.value
        self.image_alt.data, self.image_caption.data = event.image_alt, event.image_caption
        self.image_credit.data, self.version.data = event.image_credit, str(event.version)
        place = event.place or {}
        self.place_name.data = places.localized(place.get("name"), places.DEFAULT_LOCALE) if place else ""
        self.place_note.data = places.localized(place.get("note"), places.DEFAULT_LOCALE) if place else ""
        self.place_lat.data = str(place["lat"]) if place else ""
        self.place_lon.data = str(place["lon"]) if place else ""
        figure = event.figure or {}
        self.figure_title.data, self.figure_source.data = figure.get("title", ""), figure.get("source", "")
        self.figure_confidence.data = figure.get("confidence", "")
        self.figure_rows.data = figures.rows_text(event.figure)


def _timeline_span() -> tuple[int, int]:
    return current_app.config["TIMELINE_START_YEAR"], current_app.config["TIMELINE_END_YEAR"]


def _partial_date(year_field, month_field, day_field, span, *, required: bool) -> PartialDate | None:
    """The date in three fields, or None. Each field gets its own message, so every problem shows at once."""
    fields = (year_field, month_field, day_field)
    year, month, day = (field.data for field in fields)
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
    if year is None or any(field.errors for field in fields):
        return None
    try:
        return PartialDate(year, month, day)
    except DateError as error:
        add_error(day_field, str(error))
        return None


class EraForm(AdminForm):
    name = StringField(
        _l("Name"),
        filters=[_strip],
        validators=[InputRequired(_l("Give the era a name.")), _length(80, _l("the name"))],
    )
    slug = StringField(
        _l("Web address"),
        filters=[_strip],
        validators=[
            Optional(),
            Length(max=80),
            Regexp(
                writer.SLUG, message=_l("Use lowercase letters, digits and hyphens only, like the-record.")
            ),
        ],
    )
    start_year = WholeNumberField(_l("Start year"))
    end_year = WholeNumberField(_l("End year"))
    colour = StringField(_l("Colour"), filters=[_strip], render_kw={"type": "color"})
    description = TextAreaField(_l("Description"), filters=[_newlines, _strip], render_kw={"rows": 3})
    version = HiddenField()

    def __init__(self, *args, era: Era | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.era = era

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        for field in (self.start_year, self.end_year):
            if field.errors:
                continue
            if field.data is None:
                add_error(field, _("Enter the year."))
            elif not FOUR_DIGIT_YEARS[0] <= field.data <= FOUR_DIGIT_YEARS[1]:
                add_error(field, _("Enter the year with four digits, like 1935."))
        start, end = self.start_year.data, self.end_year.data
        if (
            not self.start_year.errors
            and not self.end_year.errors
            and start is not None
            and end is not None
            and end < start
        ):
            add_error(self.end_year, _("The end year is before the start year."))
        self._check_colour()
        self._check_slug()
        return not self.errors

    def _check_slug(self) -> None:
        if self.slug.errors:
            return
        if not self.slug.data:
            if self.era is not None:
                add_error(self.slug, _("An era needs a web address."))
            return
        if writer.slug_in_use(Era, self.slug.data, exclude_id=self.era.id if self.era else None):
            add_error(self.slug, _("Another era already uses this web address."))

    def _check_colour(self) -> None:
        colour = self.colour.data or ""
        if not COLOUR.match(colour):
            add_error(self.colour, _("Choose a colour (written like #4e5863)."))
            return
        ratio = contrast_with_white(colour)
        if ratio < 4.5:
            add_error(
                self.colour,
                _(
                    "White text on this colour is hard to read (contrast %(ratio)s:1, "
                    "it needs at least 4.5:1). Choose a darker colour.",
                    ratio=f"{ratio:.1f}",
                ),
            )

    def changes(self) -> writer.EraChanges:
        return writer.EraChanges(
            name=_checked(self.name.data),
            slug=self.slug.data or "",
            start_year=_checked(self.start_year.data),
            end_year=_checked(self.end_year.data),
            colour=_checked(self.colour.data),
            description=self.description.data or "",
        )

    def fill_from(self, era: Era) -> None:
        self.name.data, self.slug.data = era.name, era.slug
        self.start_year.data, self.end_year.data = era.start_year, era.end_year
        self.colour.data, self.description.data = era.colour.lower(), era.description
        self.version.data = str(era.version)


def contrast_with_white(colour: str) -> float:
    """WCAG 2 contrast ratio of white text on ``colour`` (#rrggbb)."""

    def channel(hex_pair: str) -> float:
        value = int(hex_pair, 16) / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(colour[index : index + 2]) for index in (1, 3, 5))
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return 1.05 / (luminance + 0.05)


class TranslationForm(AdminForm):
    """An event's or era's text in another language: the fields, checks and limits of the default text."""

    FIELDS: tuple[str, ...] = ()
    version = HiddenField()

    def texts(self) -> dict[str, str]:
        return {name: self[name].data or "" for name in self.FIELDS}


class EventTranslationForm(TranslationForm):
    headline = EventForm.headline
    display_date = EventForm.display_date
    summary = EventForm.summary
    body = EventForm.body
    confidence = EventForm.confidence
    image_alt = EventForm.image_alt
    image_caption = EventForm.image_caption

    FIELDS = ("headline", "display_date", "summary", "body", "confidence", "image_alt", "image_caption")

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        headline = self["headline"]  # (the class attribute is the unbound field EventForm declares)
        if not headline.errors and not headline.data:
            add_error(headline, _("Give the event a headline."))
        return not self.errors


class EraTranslationForm(TranslationForm):
    name = EraForm.name
    description = EraForm.description

    FIELDS = ("name", "description")


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
    idle_seconds = WholeNumberField(_l("Idle timeout (seconds)"))
    languages = SelectMultipleField(
        _l("Languages on the kiosk"), widget=ListWidget(prefix_label=False), option_widget=CheckboxInput()
    )
    default_locale = SelectField(_l("The museum's default language"), validate_choice=False)

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
            add_error(self.idle_seconds, _("Choose a number of seconds between 30 and 600."))
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
