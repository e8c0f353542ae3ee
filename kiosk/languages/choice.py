"""The languages the kiosk speaks: which ones the museum offers, which one is its default, and each
language's own address (the default at `/`, the others under `/<code>/`), so that every page cache, ETag
and offline copy holds one language per URL."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from babel import Locale, UnknownLocaleError
from flask import Flask, current_app, g, has_request_context, request
from flask_babel import get_locale
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.routing import BaseConverter, ValidationError

from ..extensions import db
from ..models import Setting
from ..web.caching import VersionedCache, request_environ

# Each language named in itself: a visitor looks for their own language, not a flag or our name for it.
OWN_NAMES = {"en": "English", "ru": "Русский", "uk": "Українська"}
# A language's code, as a setting names it and as the first segment of a visitor address.
CODE_PATTERN = r"[a-z]{2,3}"
CODE = re.compile(rf"^{CODE_PATTERN}$")
# The language an address names (the kiosk's scripts get this expression too: timeline/addresses.py).
PREFIXED_PATH = re.compile(rf"^/({CODE_PATTERN})(?:/|$)")

# Visitor pages that exist in every language (the timeline blueprint registers them so).
LOCALIZED_ENDPOINTS: set[str] = set()


@dataclass(frozen=True)
class Choice:
    code: str
    name: str
    href: str
    current: bool


def is_known(code: str) -> bool:
    if not CODE.match(code or ""):
        return False
    try:
        Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return False
    return True


def own_name(code: str) -> str:
    if code in OWN_NAMES:
        return OWN_NAMES[code]
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


def name_for_curators(code: str, *, alone: bool = False) -> str:
    """A language named in the admin's own language, as a sentence there writes it ("Russian" on the
    English admin, "русский" on the Russian one), or with a capital when it stands ``alone`` (a tab, a
    column, the start of a label). The choosers name each language in itself (own_name)."""
    shown_in = str(get_locale() or default())
    name = Locale.parse(code).get_display_name(shown_in) or own_name(code)
    return name[:1].upper() + name[1:] if alone else name


def available() -> list[str]:
    """Languages a museum can switch on: those with an interface translation, and any set in the env."""
    return list(dict.fromkeys([*OWN_NAMES, *parse_list(",".join(current_app.config["LANGUAGES"]))]))


def parse_list(value: str) -> list[str]:
    """ "en, ru,uk" → ["en", "ru", "uk"]: known codes, each once, in the order given."""
    codes: list[str] = []
    for code in (part.strip().lower() for part in (value or "").split(",")):
        if code and is_known(code) and code not in codes:
            codes.append(code)
    return codes


def _configured() -> tuple[list[str], str]:
    """The curators' choice (Settings), else KIOSK_LANGUAGES and KIOSK_DEFAULT_LOCALE.

    Read on a connection of its own, like the content version: choosing the language at the start of a
    request must not open the request's own transaction (a view that writes begins it, as it expects)."""
    config = current_app.config
    with db.engine.connect() as connection:
        rows = connection.execute(
            select(Setting.key, Setting.value).where(Setting.key.in_(("languages", "default_locale")))
        ).all()
    chosen = {key: json.loads(value) for key, value in rows}
    offered = parse_list(",".join(chosen.get("languages") or [])) or parse_list(",".join(config["LANGUAGES"]))
    default = chosen.get("default_locale") or config["BABEL_DEFAULT_LOCALE"]
    offered = offered or [default]
    if default not in offered:
        default = offered[0]
    return offered, default


def _current() -> tuple[list[str], str]:
    """Read once per content version: a settings save moves the version on, so this is never stale.
    With the database unavailable, the configured languages (so the page that says so can be shown)."""
    cache: VersionedCache[tuple[list[str], str]] = current_app.extensions["languages"]
    try:
        return cache.get_or_make("offered", _configured, request_environ())
    except SQLAlchemyError:
        config = current_app.config
        offered = parse_list(",".join(config["LANGUAGES"])) or [config["BABEL_DEFAULT_LOCALE"]]
        default = config["BABEL_DEFAULT_LOCALE"]
        return offered, default if default in offered else offered[0]


def offered() -> list[str]:
    return list(_current()[0])


def default() -> str:
    return _current()[1]


def prefix_of(path: str) -> str | None:
    """The language a visitor address names (``/ru/events/x`` → ``ru``), if it is an offered one."""
    match = PREFIXED_PATH.match(path)
    if match and match.group(1) in offered() and match.group(1) != default():
        return match.group(1)
    return None


def visitor_language() -> str:
    """The language of the visitor page being served (the default where the address names none)."""
    return g.get("visitor_language") or default()


def url_value(code: str) -> str | None:
    """What the `lang` part of a visitor URL is for this language: nothing for the default."""
    return None if code == default() else code


def choices(endpoint: str | None = None, **values) -> list[Choice]:
    """The language switch: the same page in every offered language (the timeline where there is none)."""
    from flask import url_for

    if endpoint is None and has_request_context() and request.endpoint in LOCALIZED_ENDPOINTS:
        endpoint, values = request.endpoint, {**(request.view_args or {})}
    endpoint = endpoint or "timeline.index"
    values.pop("lang", None)
    current = visitor_language()
    return [
        Choice(code, own_name(code), url_for(endpoint, **values, lang=url_value(code)), code == current)
        for code in offered()
    ]


class LanguageConverter(BaseConverter):
    """The `<lang:...>` part of a visitor address: only a language the museum offers matches, so any
    other first segment (``/nowhere``) stays an ordinary 404."""

    regex = CODE_PATTERN

    def to_python(self, value: str) -> str:
        if value not in offered():
            raise ValidationError
        return value


def init_app(app: Flask) -> None:
    """The offered languages are kept per content version, like the pages (after caching.init_app)."""
    app.extensions["languages"] = VersionedCache[tuple[list[str], str]](
        app.extensions["content_version"], max_entries=1
    )
