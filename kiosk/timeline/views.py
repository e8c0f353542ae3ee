from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, render_template, request, send_from_directory
from sqlalchemy import select

from .. import content, settings_store
from ..caching import cached_page, current_content_version
from ..database import sqlite_version
from ..extensions import db
from ..models import Era
from ..rendering import page_or_fragment

bp = Blueprint("timeline", __name__)
YEAR_IN_SECONDS = 365 * 24 * 3600


@bp.app_context_processor
def _content_version():
    return {"content_version": current_content_version}


@bp.get("/")
@cached_page
def index():
    return render_template(
        "timeline/index.html",
        chapters=content.chapters(eager_events=current_app.config["TIMELINE_EAGER_EVENTS"]),
        **settings_store.get_many("title_headline", "title_summary", "further_reading"),
    )


@bp.get("/events/<slug>")
@cached_page
def event(slug: str):
    shown = content.visible_event(slug)
    if shown is None:
        abort(404)
    previous, following = content.neighbours(shown)
    return page_or_fragment(
        "timeline/event.html", "timeline/_event.html", event=shown, previous=previous, following=following
    )


@bp.get("/eras/<slug>")
@cached_page
def era(slug: str):
    """A run of an era's events: the fragment the timeline loads lazily, or a page of its own."""
    page_size = current_app.config["TIMELINE_PAGE_EVENTS"]
    start = max(request.args.get("start", 0, type=int), 0)
    chapter = content.era_chapter(slug, start, page_size)
    if chapter is None or (start and not chapter.events):
        abort(404)
    return page_or_fragment(
        "timeline/era.html", "timeline/_era_events.html", chapter=chapter, page_size=page_size
    )


@bp.get("/theme.css")
def era_colours():
    """Era colours are content, so their stylesheet is generated (inline styles would break the CSP)."""
    eras = db.session.scalars(select(Era).order_by(Era.position)).all()
    response = current_app.response_class(
        render_template("timeline/theme.css", eras=eras), mimetype="text/css"
    )
    response.cache_control.public = True
    response.cache_control.max_age = YEAR_IN_SECONDS
    return response


@bp.get("/media/<key>-<size>.webp")
def media(key: str, size: str):
    if size not in {"large", "thumb"} or not key.isalnum():
        abort(404)
    return send_from_directory(current_app.config["MEDIA_DIR"], f"{key}-{size}.webp", max_age=YEAR_IN_SECONDS)


@bp.get("/healthz")
def healthz():
    return jsonify(
        status="ok",
        database=db.engine.dialect.name,
        sqlite_version=sqlite_version(),
        content_version=str(content.content_version()),
    )
