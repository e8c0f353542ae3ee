"""Content in the visitor's language: each event, era, place and the timeline's title read through its
translation, field by field, falling back to the default language where a field is not translated yet
(and saying so with a ``lang`` attribute, so a screen reader reads it in the right voice)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from typing import Any

from markupsafe import Markup
from sqlalchemy import select

from ..content import fields, figures, places, settings_store
from ..content.dates import PartialDate
from ..extensions import db
from ..models import Era, EraTranslation, Event, EventTranslation, Place, PlaceTranslation
from . import choice

SITE_FIELDS = ("title_headline", "title_summary", "further_reading")


def source_hash(values: dict[str, Any]) -> str:
    """A fingerprint of the default-language text a translation is made from."""
    return hashlib.sha256(json.dumps(values, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class _Localized:
    """Wraps a model: translated fields are read from the translation where it has them."""

    table: fields.FieldTable  # its translatable fields are read through the translation

    def __init__(self, item, translation, locale: str, default: str):
        self._item = item
        self._translation = translation
        self._locale = locale
        self._default = default

    def __getattr__(self, name: str):
        if name in type(self).table.translatable:
            return self._text(name)[0]
        return getattr(self._item, name)

    def _text(self, name: str) -> tuple[Any, str | None]:
        """The value, and the language it is in when that is not the page's own."""
        original = getattr(self._item, name)
        translated = getattr(self._translation, name, "") if self._translation is not None else ""
        if translated or self._locale == self._default or not original:
            return (translated or original), None
        return original, self._default

    def lang_of(self, name: str) -> Markup:
        """` lang="en"` on an element whose text fell back to the default language, else nothing."""
        fallback = self._text_lang(name)
        return Markup(' lang="{}"').format(fallback) if fallback else Markup("")

    def _text_lang(self, name: str) -> str | None:
        return self._text(name)[1]


class LocalizedEra(_Localized):
    table = fields.ERA


class LocalizedPlace(_Localized):
    table = fields.PLACE

    @property
    def years(self) -> str:
        """The years he lived there as visitors read them: the wording (in this language, else the default
        language's, marked by ``lang_of("years")``), else the years themselves; "" when there are none."""
        return self._years()[0]

    def _years(self) -> tuple[str, str | None]:
        wording, fell_back = self._text("display_years")
        return (wording, fell_back) if wording else (places.span_label(self.years_from, self.years_to), None)

    def _text_lang(self, name: str) -> str | None:
        if name == "years":
            return self._years()[1]
        return super()._text_lang(name)


class LocalizedEvent(_Localized):
    table = fields.EVENT

    def __init__(self, event, translation, locale, default, era: LocalizedEra, localize_place):
        super().__init__(event, translation, locale, default)
        self.era = era
        self._localize_place = localize_place

    @property
    def place(self) -> LocalizedPlace | None:
        """Its place in this language, read when a page shows it (the timeline's cards do not)."""
        return self._localize_place(self._item.place)

    @property
    def date_label(self) -> str:
        return self._date()[0]

    @property
    def default_language(self) -> str:
        return self._default

    @property
    def figure(self) -> dict | None:
        """The figure in this language (kiosk.content.figures.in_language: each text that fell back to the
        default language says so)."""
        figure = self._item.figure
        if not figure:
            return None
        if self._locale == self._default:
            return figures.in_language(figure, figures.texts(figure))
        return figures.in_language(figure, getattr(self._translation, "figure", None))

    def _date(self) -> tuple[str, str | None]:
        """The curator's wording in this language; else the dates written out in this language when the
        default wording says no more than that; else the default wording, marked as such."""
        event = self._item
        generated = PartialDate.span_label(event.start, event.end)
        translated = getattr(self._translation, "display_date", "") if self._translation else ""
        if translated:
            return translated, None
        if not event.display_date or self._locale == self._default:
            return event.display_date or generated, None
        if event.display_date == PartialDate.span_label(event.start, event.end, locale=self._default):
            return generated, None
        return event.display_date, self._default

    def _text_lang(self, name: str) -> str | None:
        if name in ("date_label", "display_date"):
            return self._date()[1]
        return super()._text_lang(name)


class Localizer:
    """Reads translations for one language in bulk (one query per kind), then wraps models."""

    def __init__(self, locale: str | None = None):
        self.locale = locale or choice.visitor_language()
        self.default = choice.default()
        self._eras: dict[int, LocalizedEra] = {}
        self._era_translations: dict[int, EraTranslation] | None = None
        self._event_translations: dict[int, EventTranslation | None] = {}
        self._place_translations: dict[int, PlaceTranslation] | None = None

    @property
    def translating(self) -> bool:
        return self.locale != self.default

    def era(self, era: Era) -> LocalizedEra:
        if era.id not in self._eras:
            if self._era_translations is None:
                self._era_translations = (
                    {
                        row.era_id: row
                        for row in db.session.scalars(
                            select(EraTranslation).where(EraTranslation.locale == self.locale)
                        )
                    }
                    if self.translating
                    else {}
                )
            self._eras[era.id] = LocalizedEra(
                era, self._era_translations.get(era.id), self.locale, self.default
            )
        return self._eras[era.id]

    def place(self, place: Place | None) -> LocalizedPlace | None:
        """A place in this language (every place's translation read in one query, the first time)."""
        if place is None:
            return None
        if self._place_translations is None:
            self._place_translations = (
                {
                    row.place_id: row
                    for row in db.session.scalars(
                        select(PlaceTranslation).where(PlaceTranslation.locale == self.locale)
                    )
                }
                if self.translating
                else {}
            )
        return LocalizedPlace(place, self._place_translations.get(place.id), self.locale, self.default)

    def prefetch(self, events: Iterable[Event | None]) -> None:
        """Read the translations of these events in one query (a page's every event at once)."""
        ids = {event.id for event in events if event is not None} - self._event_translations.keys()
        if not ids:
            return
        self._event_translations.update(dict.fromkeys(ids))
        if self.translating:
            query = select(EventTranslation).where(
                EventTranslation.locale == self.locale, EventTranslation.event_id.in_(ids)
            )
            self._event_translations.update({row.event_id: row for row in db.session.scalars(query)})

    def events(self, events: Sequence[Event | None]) -> list[LocalizedEvent | None]:
        self.prefetch(events)
        return [
            None
            if event is None
            else LocalizedEvent(
                event,
                self._event_translations[event.id],
                self.locale,
                self.default,
                self.era(event.era),
                self.place,
            )
            for event in events
        ]

    def event(self, event: Event | None) -> LocalizedEvent | None:
        return self.events([event])[0]

    def chapters(self, chapters: list) -> list:
        everything = self.events([event for chapter in chapters for event in chapter.events])
        for chapter in chapters:
            chapter.era = self.era(chapter.era)
            chapter.events, everything = everything[: len(chapter.events)], everything[len(chapter.events) :]
        return chapters

    def site_text(self) -> dict[str, Any]:
        """The timeline's title, introduction and further reading, with `<field>_lang` for fallbacks."""
        key = translation_key(self.locale)
        original = settings_store.get_many(*SITE_FIELDS, *([key] if self.translating else []))
        translated = original.get(key) or {}
        text: dict[str, Any] = {}
        for name in SITE_FIELDS:
            value = translated.get(name)
            fell_back = not value and bool(original[name]) and self.translating
            text[name] = value or original[name]
            text[f"{name}_lang"] = Markup(' lang="{}"').format(self.default) if fell_back else Markup("")
        return text


MISSING, OUT_OF_DATE = "missing", "out-of-date"


def translation_states(events: list[Event], locales: list[str]) -> dict[int, dict[str, str]]:
    """For each event, the languages whose translation is missing or out of date (the default text
    changed after the translation was saved): ``{event id: {locale: MISSING | OUT_OF_DATE}}``."""
    if not events or not locales:
        return {event.id: {} for event in events}
    ids = [event.id for event in events]
    rows = db.session.scalars(
        select(EventTranslation).where(
            EventTranslation.event_id.in_(ids), EventTranslation.locale.in_(locales)
        )
    )
    saved = {(row.event_id, row.locale): row for row in rows}
    states: dict[int, dict[str, str]] = {}
    for event in events:
        current = source_hash(fields.source(event))
        states[event.id] = {}
        for locale in locales:
            row = saved.get((event.id, locale))
            if row is None or not row.headline:
                states[event.id][locale] = MISSING
            elif row.source_hash != current:
                states[event.id][locale] = OUT_OF_DATE
    return states


def states_of(entity: fields.Entity) -> dict[str, str | None]:
    """Each language other than the default: MISSING, OUT_OF_DATE or None (up to date) for this item."""
    main = "headline" if isinstance(entity, Event) else "name"
    current = source_hash(fields.source(entity))
    saved = {row.locale: row for row in entity.translations}
    states: dict[str, str | None] = {}
    for locale in choice.offered():
        if locale == choice.default():
            continue
        row = saved.get(locale)
        if row is None or not getattr(row, main):
            states[locale] = MISSING
        else:
            states[locale] = OUT_OF_DATE if row.source_hash != current else None
    return states


def translation_key(locale: str) -> str:
    """The setting that holds the title and further reading in one language."""
    return f"{settings_store.TRANSLATION_PREFIX}{locale}"
