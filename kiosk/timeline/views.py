from __future__ import annotations

import functools
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    jsonify,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.routing import RequestRedirect

from .. import health
from ..content import figures, places, published, settings_store
from ..database import sqlite_version
from ..extensions import db
from ..interchange import kiosk_json
from ..languages import choice
from ..languages.localized import Localizer
from ..models import Era
from ..speech import service as speech
from ..speech import store
from ..speech.synthesis import AUDIO_TYPE, SpeechUnavailable
from ..web.assets import static_folder
from ..web.caching import cached_page, compress, current_content_version, readable_content_version
from ..web.rendering import page_or_fragment, wants_fragment
from . import addresses
from .axis import YearAxis

bp = Blueprint("timeline", __name__)
YEAR_IN_SECONDS = 365 * 24 * 3600
ATTRACT_SLIDES = 12
MAX_START = 2**31
# What a visitor page loads, which a kiosk keeps for offline use (see frontend/js/sw.js).
SHELL_STATIC = (
    "build/css/kiosk.css",
    "build/css/places.css",
    "vendor/htmx.min.js",
    "build/js/kiosk.js",
    "build/js/analytics.js",
    "build/js/places.js",
)
# Audio mode's script and styles: kept for offline use once a visitor starts it, not before.
AUDIO_SCRIPT = "build/js/audio.js"
AUDIO_STYLES = "build/css/audio.css"
SERVICE_WORKER = "build/js/sw.js"


def kiosk_version() -> str:
    """What a kiosk compares to know it is out of date: the content version, and the build (templates and
    static files), so that a publish and an upgrade both reach every open kiosk."""
    return f"{current_content_version()}-{current_app.config.get('BUILD_ID', '')}"


def localized_route(rule: str):
    """A visitor page in every language: the default language at ``rule``, the others at /<lang>``rule``."""

    def register(view):
        endpoint = view.__name__
        bp.add_url_rule(rule, endpoint, view, methods=["GET"], defaults={"lang": None})
        bp.add_url_rule(addresses.LANGUAGE_PREFIX + rule, endpoint, view, methods=["GET"])
        choice.LOCALIZED_ENDPOINTS.add(f"{bp.name}.{endpoint}")
        return view

    return register


@bp.url_value_preprocessor
def _take_language(endpoint: str | None, values: dict | None) -> None:
    """/ru/... is Russian; the default language has no prefix (its prefixed address redirects there)."""
    lang = (values or {}).pop("lang", None)
    if lang is None:
        g.visitor_language = choice.default()
        return
    if lang == choice.default():
        unprefixed = request.full_path.removeprefix(f"/{lang}")
        raise RequestRedirect(unprefixed if request.query_string else unprefixed.rstrip("?"))
    g.visitor_language = lang


@bp.url_defaults
def _keep_language(endpoint: str, values: dict) -> None:
    """Links from a page in one language stay in it, unless they name another."""
    if endpoint in choice.LOCALIZED_ENDPOINTS and "lang" not in values:
        values["lang"] = choice.url_value(choice.visitor_language())


def invitations() -> list[tuple[str, str]]:
    """The attract screen's invitation in every language the museum offers."""
    invited = []
    for code in choice.offered():
        with force_locale(code):
            invited.append((code, _("Touch the screen to explore his life")))
    return invited


def timeline_title() -> str:
    """The timeline's title in the visitor's language, which every visitor page's title ends with (after
    a TimelineJS file's title is imported, that one)."""
    return Localizer().site_text()["title_headline"] or _("Aleksey Stakhanov, 1906–1977")


@functools.cache
def _default_titles() -> frozenset[str]:
    """The default content's title in every language it comes in."""
    document = kiosk_json.default_content()
    translated = (texts.get("title") or {} for texts in (document.get("translations") or {}).values())
    return frozenset([document["title"]["headline"], *(title.get("headline", "") for title in translated)])


def about_stakhanov(title: str) -> bool:
    """Whether the timeline (whose title, in the visitor's language, is ``title``) still has the default
    content's title, about Stakhanov: the kicker above it belongs to that story, not to one a museum
    imported in its place."""
    return not title or title in _default_titles()


def kiosk_behaviour() -> dict:
    """What the kiosk's scripts need to know, handed to them as data attributes."""
    config = current_app.config
    return {
        "kiosk-version": kiosk_version(),
        "idle-seconds": settings_store.idle_seconds(),
        "idle-warning-seconds": config["IDLE_WARNING_SECONDS"],
        "attract-seconds": config["ATTRACT_SECONDS"],
        "poll-seconds": config["VERSION_POLL_SECONDS"],
        "service-worker": url_for("timeline.service_worker", v=kiosk_version()),
        # The timeline in this page's language (Start again), and in the museum's default (idle reset).
        "home": url_for("timeline.index"),
        "default-home": url_for("timeline.index", lang=None),
        # Measuring use, loaded after the first paint (see frontend/js/kiosk/measuring.js).
        "analytics": url_for("static", filename="build/js/analytics.js"),
        # Audio mode, loaded when a visitor starts it (frontend/js/kiosk/speaking.js).
        "audio": url_for("static", filename=AUDIO_SCRIPT),
    }


@bp.app_context_processor
def _kiosk_globals():
    return {
        "content_version": readable_content_version,
        "kiosk_behaviour": kiosk_behaviour,
        "base_map": places.BASE_MAP,
        "map_height": places.MAP.height,
        "locator_point": places.locator,
        "sea_labels": places.sea_labels,
        "figure_chart": figures.chart,
        "timeline_title": timeline_title,
        "about_stakhanov": about_stakhanov,
        "language_choices": choice.choices,
        "fragment_marks": addresses.FRAGMENT,
    }


@localized_route(addresses.TIMELINE)
@cached_page
def index():
    localizer = Localizer()
    chapters = published.chapters(eager_events=current_app.config["TIMELINE_EAGER_EVENTS"])
    featured = published.featured_events(limit=ATTRACT_SLIDES)
    localizer.prefetch([*featured, *(event for chapter in chapters for event in chapter.events)])
    text = localizer.site_text()
    return render_template(
        "timeline/index.html",
        chapters=localizer.chapters(chapters),
        featured=localizer.events(featured),
        invitations=invitations(),
        axis=YearAxis.configured(),
        title_headline=text["title_headline"],
        title_summary=text["title_summary"],
        further_reading=published.reading_groups(text["further_reading"]),
        title_headline_lang=text["title_headline_lang"],
        title_summary_lang=text["title_summary_lang"],
        further_reading_lang=text["further_reading_lang"],
    )


@localized_route(addresses.EVENT)
@cached_page
def event(slug: str):
    found = published.visible_event(slug)
    if found is None:
        abort(404)
    shown, previous, following = Localizer().events([found, *published.neighbours(found)])
    return page_or_fragment(
        "timeline/event.html",
        "timeline/_event.html",
        event=shown,
        previous=previous,
        following=following,
    )


@localized_route(addresses.ERA)
@cached_page
def era(slug: str):
    """A run of an era's events: the fragment the timeline loads lazily, or a page of its own."""
    page_size = current_app.config["TIMELINE_PAGE_EVENTS"]
    # Any whole number is accepted, but no era has more events than SQLite has rows (an offset past that
    # would not fit its integers).
    start = min(max(request.args.get("start", 0, type=int), 0), MAX_START)
    chapter = published.era_chapter(slug, start, page_size)
    if chapter is None or (start and not chapter.events):
        abort(404)
    Localizer().chapters([chapter])
    return page_or_fragment(
        "timeline/era.html", "timeline/_era_events.html", chapter=chapter, page_size=page_size
    )


@localized_route(addresses.PLACES)
@cached_page
def places_view():
    """The map of his life's places: markers to tap, the route in time order, each place's events."""
    return page_or_fragment(
        "timeline/places.html",
        "timeline/_places.html",
        atlas=places.places_map(published.placed_events(True), Localizer().place),
    )


@localized_route(addresses.PLACE)
@cached_page
def place(place_key: str):
    """One place's events: the list the map shows beside it (fragment), or the map with it (page)."""
    localizer = Localizer()
    atlas = places.places_map(published.placed_events(True), localizer.place)
    chosen = atlas.find(place_key)
    if chosen is None:
        abort(404)
    chosen.events = localizer.events(chosen.events)  # headlines and dates in the visitor's language
    return page_or_fragment(
        "timeline/places.html",
        "timeline/_place.html",
        atlas=atlas,
        chosen=chosen,
        languages_out_of_band=wants_fragment(),  # the dock's switch, updated to this place
    )


@localized_route(addresses.SPEECH_SCRIPT)
def speech_script():
    """What audio mode says in this language: phrases, eras, events part by part, places, each with its
    caption and its clips' addresses (kiosk/speech/service.py); and audio mode's own files, which the
    kiosk keeps for offline use with the clips once a visitor starts it."""
    styles = url_for("static", filename=AUDIO_STYLES)
    files = [url_for("static", filename=AUDIO_SCRIPT), styles]
    response = jsonify(speech.manifest(choice.visitor_language()) | {"styles": styles, "files": files})
    response.cache_control.no_cache = True
    return compress(response)


@bp.get(addresses.SPEECH)
def speech_clip(name: str):
    """A spoken clip: kept under a name that changes with its text, so it is cached for a year; one the
    current content says but not made yet is synthesized now (a fraction of a second)."""
    if not store.NAME.fullmatch(name):
        abort(404)
    try:
        path = speech.clip_file(name)
    except SpeechUnavailable as error:
        current_app.logger.error("Speech clip %s could not be made: %s", name, error)
        abort(503)
    if path is None:
        abort(404)
    response = send_from_directory(path.parent, path.name, max_age=YEAR_IN_SECONDS, mimetype=AUDIO_TYPE)
    response.cache_control.immutable = True
    return response


@bp.get(addresses.THEME)
def era_colours():
    """Era colours and places on the year axis are content, so their stylesheet is generated
    (inline styles would break the CSP)."""
    eras = db.session.scalars(select(Era).order_by(Era.position)).all()
    response = current_app.response_class(
        render_template("timeline/theme.css", eras=eras, axis=YearAxis.configured()), mimetype="text/css"
    )
    response.cache_control.public = True
    response.cache_control.max_age = YEAR_IN_SECONDS
    return compress(response)


@bp.get(addresses.MEDIA)
def media(key: str, size: str):
    if size not in {"large", "thumb"} or not key.isalnum():
        abort(404)
    return send_from_directory(current_app.config["MEDIA_DIR"], f"{key}-{size}.webp", max_age=YEAR_IN_SECONDS)


@bp.get("/version")
def version():
    """What every kiosk polls. An unchanged poll is one single-row SELECT and a 304 without a body."""
    current = kiosk_version()
    response = jsonify(version=current)
    response.set_etag(current)
    response.cache_control.no_cache = True
    return response.make_conditional(request)


@bp.get("/sw.js")
def service_worker():
    """The service worker (built from frontend/js/sw.js like the other scripts), served at an address of
    its own at the root, so that it may look after every visitor page; the page names it with the kiosk
    version (`kiosk_behaviour`), which moves with every build, so a new one is installed at once."""
    response = send_from_directory(static_folder(current_app), SERVICE_WORKER, max_age=0)
    response.headers["Service-Worker-Allowed"] = "/"
    response.cache_control.no_cache = True
    return response


@bp.get("/offline.json")
def offline_manifest():
    """Everything a kiosk keeps so that a reload while the server is down still shows the timeline:
    the app shell, every published event, the runs of a long timeline's eras, and the images."""
    kept = published.offline_contents(
        eager_events=current_app.config["TIMELINE_EAGER_EVENTS"],
        page_size=current_app.config["TIMELINE_PAGE_EVENTS"],
    )
    every_language = [choice.url_value(code) for code in choice.offered()]
    response = jsonify(
        version=kiosk_version(),
        shell=[
            *(url_for("timeline.index", lang=lang) for lang in every_language),
            url_for("timeline.era_colours", v=current_content_version()),
            *(url_for("static", filename=name) for name in SHELL_STATIC),
        ],
        pages=[
            url_for("timeline.event", slug=slug, lang=lang)
            for lang in every_language
            for slug in kept.event_slugs
        ]
        + [
            url_for("timeline.place", place_key=key, lang=lang)
            for lang in every_language
            for key in published.place_slugs()
        ]
        + [url_for("timeline.places_view", lang=lang) for lang in every_language],
        fragments=[
            url_for("timeline.era", slug=slug, start=start or None, lang=lang)
            for lang in every_language
            for slug, start in kept.era_runs
        ],
        media=[url_for("timeline.media", key=key, size="large") for key in kept.image_keys]
        + [url_for("static", filename=places.BASE_MAP)],
    )
    response.cache_control.no_cache = True
    return response


@bp.get("/healthz")
def healthz():
    """For a monitor or a load balancer: 200 when the kiosk can serve and save, 503 with the reason."""
    report = {"database": db.engine.dialect.name, "sqlite_version": sqlite_version()}
    problem: str | None
    try:
        report["content_version"] = str(current_content_version())
    except SQLAlchemyError as error:
        problem = health.describe(error)
    else:
        problem = health.data_folder_problem(Path(current_app.config["DATA_DIR"]))
    if problem:
        response = jsonify(status="unavailable", reason=problem[0].upper() + problem[1:], **report)
        response.status_code = 503
    else:
        response = jsonify(status="ok", **report)
    response.cache_control.no_store = True
    return response
