"""The app factory, create_app: the Flask application with every part of the kiosk set up."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import get_locale, refresh

from . import cli, database, models  # noqa: F401 - models registers tables
from .accounts import users
from .config import PROJECT_ROOT, load_settings
from .content import media
from .content.markdown import render_markdown
from .editing import search
from .extensions import babel, csrf, db, htmx, migrate
from .interchange import scheduled_backups
from .languages import choice, scripts
from .web import assets, caching, errors, security, stack


def _resource_folder(name: str) -> str:
    """Top-level folders in a checkout; their copies inside the package in an installed wheel."""
    in_checkout = PROJECT_ROOT / name
    return str(in_checkout if in_checkout.is_dir() else Path(__file__).parent / f"_{name}")


def _select_locale() -> str:
    """Visitor pages: the language their address names. Curators: their own choice, else the browser's."""
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]  # the command line: no settings read
    if "visitor_language" in g:
        return g.visitor_language
    if not request.path.startswith("/admin"):
        return choice.prefix_of(request.path) or choice.default()
    offered = choice.offered()
    chosen = session.get("lang")
    return chosen if chosen in offered else request.accept_languages.best_match(offered) or choice.default()


def _settle_locale() -> None:
    """Choose the language afresh for each request (an application context shared by several requests,
    as in tests or a warm-up, must not keep the last one's), before a view writes anything."""
    refresh()
    get_locale()


def create_app(test_config: dict | None = None) -> Flask:
    settings = load_settings()
    app = Flask(
        "kiosk",  # the package: its name is the app's logger's, its folder the app's root
        instance_path=settings["DATA_DIR"],
        template_folder=_resource_folder("templates"),
        static_folder=_resource_folder("static"),
    )
    app.config.from_mapping(settings)
    if test_config:
        app.config.from_mapping(test_config)
    app.url_map.converters["lang"] = choice.LanguageConverter

    users.init_app(app)
    database.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=_resource_folder("migrations"),
        render_as_batch=True,
        include_name=search.in_the_models,
    )
    htmx.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    # (a visitor page names its language in its address; anything else must not inherit one)
    app.url_value_preprocessor(lambda _endpoint, _values: g.pop("visitor_language", None))
    app.before_request(_settle_locale)
    security.init_app(app)
    caching.init_app(app)
    choice.init_app(app)
    assets.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    scheduled_backups.init_app(app)
    app.add_template_filter(render_markdown, "markdown")
    # Citations keep their own language: each run in another script is marked with its language.
    app.add_template_filter(lambda text: scripts.marked(text, str(get_locale())), "languages_marked")
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale())
    app.jinja_env.globals["image_on_disk"] = media.is_present
    # Block tags leave no blank lines behind: every byte counts on the kiosk's first load.
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True

    from . import admin
    from .telemetry import intake
    from .timeline import bp as timeline_bp

    app.register_blueprint(timeline_bp)
    intake.init_app(app)
    admin.init_app(app)
    stack.build(app)
    return app
