"""Run-time settings kept in the database (timeline title, further reading, idle timeout)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..models import Setting

DEFAULTS: dict[str, Any] = {
    "title_headline": "Aleksey Stakhanov, 1906–1977",
    "title_summary": "",
    "title_media": None,  # the title slide's media from a TimelineJS file: a reference, never fetched
    "title_background": None,  # the title slide's background: {"colour", "url"}
    "further_reading": [],
    "idle_seconds": None,  # None: use KIOSK_IDLE_SECONDS
    "languages": None,  # None: use KIOSK_LANGUAGES
    "default_locale": None,  # None: use KIOSK_DEFAULT_LOCALE
}


# The settings an administrator sets on the Settings page; every kiosk screen uses them.
KIOSK_SETTINGS = ("idle_seconds", "languages", "default_locale")
# The title and further reading in another language (see kiosk.languages.localized.translation_key).
TRANSLATION_PREFIX = "translation:"


def visitor_visible(key: str) -> bool:
    """Whether visitors see this setting (so only kiosk.editing.writer may change it)."""
    return key in DEFAULTS or key.startswith(TRANSLATION_PREFIX)


def fingerprint(rows: dict[str, str | None]) -> str:
    """What a form was loaded from (``stored_many`` rows): a save compares it with what is stored then."""
    return hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).hexdigest()


def get(key: str) -> Any:
    stored = db.session.scalar(select(Setting.value).where(Setting.key == key))
    return json.loads(stored) if stored is not None else DEFAULTS.get(key)


def get_many(*keys: str) -> dict[str, Any]:
    return decoded(stored_many(*keys))


def stored_many(*keys: str) -> dict[str, str | None]:
    """Each setting as stored (JSON text), None where it was never stored: what a conditional write
    compares against (kiosk.editing.writer.save_site_text)."""
    rows = dict(db.session.execute(select(Setting.key, Setting.value).where(Setting.key.in_(keys))).all())
    return {key: rows.get(key) for key in keys}


def decoded(rows: dict[str, str | None]) -> dict[str, Any]:
    """The values of ``stored_many`` rows, a setting's default where none is stored."""
    return {key: json.loads(text) if text is not None else DEFAULTS.get(key) for key, text in rows.items()}


def put(key: str, value: Any) -> None:
    """Stage a change; the caller commits it with the rest of its work (for visitor-visible settings, only
    kiosk.editing.writer)."""
    encoded = json.dumps(value, ensure_ascii=False)
    setting = db.session.get(Setting, key)
    if setting is None:
        db.session.add(Setting(key=key, value=encoded))
    else:
        setting.value = encoded


def idle_seconds() -> int:
    """How long the kiosk waits without a touch: the curators' setting, else KIOSK_IDLE_SECONDS."""
    chosen = get("idle_seconds")
    return int(chosen) if chosen else current_app.config["IDLE_SECONDS"]
