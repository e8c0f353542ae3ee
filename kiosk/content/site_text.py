"""The timeline's own text in each language: the title slide (headline, summary) and the further reading.

The default language keeps them in three settings (``title_headline``, ``title_summary``,
``further_reading``); every other language in one, ``translation:<code>`` (kiosk.languages.localized reads
both and
shows the default text where a translation is empty). Curators edit further reading as one list per kind,
one title a line. The fingerprint of what a form was loaded from lets kiosk.editing.writer.save_site_text
refuse
a save over a change made meanwhile (by another curator, or an import).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..interchange.kiosk_json import READING_KINDS
from ..languages import choice
from ..languages.localized import MISSING, OUT_OF_DATE, SITE_FIELDS, source_hash, translation_key
from . import settings_store

PLAIN = ""  # further reading of no kind (as older files have it): listed last, without a heading
READING_GROUPS = (*READING_KINDS, PLAIN)


class SiteTextConflict(Exception):
    """The text changed after the curator's form was loaded; nothing was written."""


@dataclass
class SiteText:
    """One language's title and further reading, as the curators' form shows them."""

    headline: str = ""
    summary: str = ""
    reading: dict[str, list[str]] = field(default_factory=dict)  # {kind: titles} for READING_GROUPS

    def __post_init__(self):
        self.reading = {kind: list(self.reading.get(kind) or []) for kind in READING_GROUPS}

    def reading_text(self, kind: str) -> str:
        return "\n".join(self.reading[kind])

    def settings(self) -> dict[str, Any]:
        """As the settings keep it: ``{"title_headline", "title_summary", "further_reading"}``."""
        items: list[str | dict] = [
            {"kind": kind, "text": title} if kind else title
            for kind in READING_GROUPS
            for title in self.reading[kind]
        ]
        return {"title_headline": self.headline, "title_summary": self.summary, "further_reading": items}

    @property
    def fingerprint(self) -> str:
        return source_hash(self.settings())

    @classmethod
    def from_settings(cls, values: dict[str, Any]) -> SiteText:
        reading: dict[str, list[str]] = {kind: [] for kind in READING_GROUPS}
        for item in values.get("further_reading") or []:
            kind, text = (item.get("kind"), item.get("text")) if isinstance(item, dict) else (PLAIN, item)
            # One title a line: a title holding a line break (an imported file's) is shown on one line.
            reading[kind if kind in reading else PLAIN].append(" ".join(str(text or "").split()))
        return cls(str(values.get("title_headline") or ""), str(values.get("title_summary") or ""), reading)


def keys_of(locale: str) -> tuple[str, ...]:
    """The settings that hold one language's text."""
    return SITE_FIELDS if locale == choice.default() else (translation_key(locale),)


def stored(locale: str) -> dict[str, str | None]:
    """Each of the language's settings as stored (JSON text), None where it was never stored."""
    return settings_store.stored_many(*keys_of(locale))


def text_of(locale: str, values: dict[str, Any]) -> SiteText:
    """The language's text from its decoded settings."""
    if locale == choice.default():
        return SiteText.from_settings(values)
    return SiteText.from_settings(values[translation_key(locale)] or {})


def load(locale: str) -> SiteText:
    return text_of(locale, settings_store.decoded(stored(locale)))


def default_fingerprint() -> str:
    """What a translation is made from: kiosk.languages.localized.source_hash of the default text's
    settings."""
    default = choice.default()
    return source_hash(settings_store.decoded(stored(default)))


def translation_state(locale: str) -> str | None:
    """For a language other than the default: MISSING, OUT_OF_DATE or None (up to date)."""
    saved = settings_store.decoded(stored(locale))[translation_key(locale)] or {}
    if not saved.get("title_headline"):
        return MISSING
    return OUT_OF_DATE if saved.get("source_hash") != default_fingerprint() else None


def to_store(locale: str, text: SiteText, current: dict[str, Any]) -> dict[str, Any]:
    """The settings to store for ``text``: the default language's three, or the language's one (with the
    fingerprint of the default text it was made from, and anything else it held kept)."""
    if locale == choice.default():
        return text.settings()
    key = translation_key(locale)
    return {key: dict(current[key] or {}) | text.settings() | {"source_hash": default_fingerprint()}}
