"""Error pages in the design of where the person was, and every unexpected error logged once.

Every request gets an id (``X-Request-Id`` on every answer). An unexpected exception is logged with its
traceback and that id to the server log (gunicorn's error log) and kept for admins (kiosk.web.failures);
the person sees a page that says in plain words what happened: curators the admin's own page, which
shows everything they had typed, visitors the kiosk's. Anything that escapes even that (the page cache
in front of Flask, an error page that fails to render) still gets a designed page, never gunicorn's.
"""

from __future__ import annotations

import sys
import traceback
from datetime import UTC, datetime

from flask import Flask, current_app, g, has_request_context, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import HTTPException, InternalServerError

from ..extensions import db, htmx, login_manager
from . import failures
from .rendering import page_or_fragment

REQUEST_ID_KEY = failures.REQUEST_ID_KEY
LOGGED_KEY = "kiosk.error_logged"
REQUEST_ID_HEADER = "X-Request-Id"
RETRY_AFTER_SECONDS = 5
# Form fields never shown back: the token is stale by then and passwords are never echoed.
_NOT_SHOWN_BACK = ("csrf_token", "password", "version")


def request_id(environ: dict | None = None) -> str:
    return failures.request_id(environ if environ is not None else request.environ)


def status_for(kind: str) -> int:
    return 500 if kind == failures.BUG else 503


def explanation(kind: str) -> str:
    """What happened, for a curator, in the words they need to decide what to do next."""
    return {
        failures.BUSY: _(
            "The database is busy with another save and did not answer in time, so nothing was saved. "
            "Wait a few seconds and send it again."
        ),
        failures.DISK_FULL: _(
            "The kiosk's disk is full, so nothing could be saved. Ask whoever looks after the kiosk's "
            "computer to free some space, then send it again."
        ),
        failures.UNAVAILABLE: _(
            "The kiosk's database cannot be opened or read right now (its data folder may be read-only, "
            "missing or damaged), so nothing was saved. Ask whoever looks after the kiosk's computer."
        ),
        failures.BUG: _(
            "Something went wrong on our side (a fault in the kiosk's software), so nothing was saved. "
            "Please tell whoever looks after the kiosk, with the request number below."
        ),
    }[kind]


def log_unexpected(error: BaseException, environ: dict, app: Flask) -> str:
    """Log ``error`` with its traceback and request id (once per request) and keep it for admins: a bug
    among the unexpected errors, a refusal it caused (busy, disk full, unavailable) as an incident."""
    kind = failures.kind_of(error)
    if environ.get(LOGGED_KEY):
        return kind
    environ[LOGGED_KEY] = True
    if kind != failures.BUG:
        detail = f"{type(error).__name__}: {error}"
        failures.record_incident(kind, detail, data_dir=app.config["DATA_DIR"], environ=environ, error=error)
        return kind
    identifier = request_id(environ)
    method, path = environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", "")
    app.logger.error(
        "Unexpected error (%s) in %s %s [request %s]", kind, method, path, identifier, exc_info=error
    )
    record = {
        "request_id": identifier,
        "at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "kind": kind,
        "method": method,
        "path": path,
        "user": _username(),
        "error": f"{type(error).__name__}: {error}"[:500],
        "traceback": "".join(traceback.format_exception(error))[-20_000:],
    }
    if not failures.remember(app.config["DATA_DIR"], record):
        app.logger.warning("The error record of request %s could not be kept in the data folder.", identifier)
    return kind


def _username() -> str:
    if not has_request_context():  # an error in a layer in front of Flask
        return ""
    try:
        return current_user.username if current_user.is_authenticated else ""
    except Exception:  # the user is read from the database, which may be what failed
        g._login_user = login_manager.anonymous_user()
        return ""


def _rollback() -> None:
    try:
        db.session.rollback()
    except Exception:
        current_app.logger.warning("Rolling back after an error failed too.", exc_info=True)


def sent_fields() -> list[tuple[str, str]]:
    """Everything a POST's form sent, empty fields too (so that sending it again means the same), but
    never its CSRF token or a password."""
    if request.method != "POST":
        return []
    try:
        fields = list(request.form.items(multi=True))
    except Exception:  # a body that could not be read at all
        return []
    return [(name, value) for name, value in fields if may_keep(name)]


def may_keep(field_name: str) -> bool:
    """A field that may be given back or carried along: never a CSRF token, never a password."""
    return field_name != "csrf_token" and "password" not in field_name


def shown_back(fields: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Of the fields a form sent, what the curator typed: the ones with text, bar the bookkeeping."""
    return [
        (name, value)
        for name, value in fields
        if value.strip() and not any(word in name for word in _NOT_SHOWN_BACK)
    ]


def typed_fields() -> list[tuple[str, str]]:
    """What a curator sent with a failed POST, so the error page can give it back."""
    return shown_back(sent_fields())


def chosen_files() -> list[str]:
    try:
        return [upload.filename for upload in request.files.values() if upload.filename]
    except Exception:
        return []


def _render_error(error: HTTPException):
    if error.code and error.code >= 500:
        _rollback()
    messages = {
        404: _("We could not find that page."),
        413: _("That file is too large."),
        429: _("Too many attempts. Please wait a few minutes and try again."),
    }
    message = messages.get(error.code or 500) or error.description
    return page_or_fragment(
        "errors/error.html", "errors/_error.html", status=error.code or 500, error=error, message=message
    )


def _curator_page(kind: str, status: int):
    if htmx:
        # A check while typing, a filter: the page stays as it is (with everything typed) and admin.js
        # shows this sentence above it.
        text = explanation(kind) + " " + _("Request number: %(id)s", id=request_id())
        return current_app.response_class(text, status, mimetype="text/plain")
    return render_template(
        "admin/error.html",
        error=InternalServerError(),
        status=status,
        kind=kind,
        message=explanation(kind),
        request_id=request_id(),
        typed=typed_fields(),
        files=chosen_files(),
    )


def _visitor_page(kind: str, status: int):
    message = (
        _("Something went wrong on our side. Please try again.")
        if kind == failures.BUG
        else _("The kiosk is having a rest. It will be back in a moment.")
    )
    error = InternalServerError(message)
    error.code = status
    return page_or_fragment(
        "errors/error.html", "errors/_error.html", status=status, error=error, message=message
    )


def unavailable_page(status: int = 503) -> str:
    """A page that needs nothing but its template: no database, no session (the last resort)."""
    return render_template("errors/unavailable.html", status=status, retry_seconds=RETRY_AFTER_SECONDS * 3)


def settle_after_failure() -> None:
    """After a failed database call: roll back, and make sure rendering never reads the signed-in user
    from that database again (the page shows no account menu rather than failing too)."""
    _rollback()
    _username()


def _unexpected(error: Exception):
    kind = log_unexpected(error, request.environ, current_app)
    settle_after_failure()
    status = status_for(kind)
    try:
        if request.is_json or request.accept_mimetypes.best == "application/json":
            # A kiosk's background report (analytics, heartbeat): it reads JSON and tries again later.
            response = jsonify(error=kind, message=explanation(kind), request_id=request_id())
        elif request.blueprint == "admin":
            response = current_app.make_response(_curator_page(kind, status))
        else:
            response = _visitor_page(kind, status)
    except Exception:
        current_app.logger.warning(
            "The error page of request %s failed; sent the plain one.", request_id(), exc_info=True
        )
        response = current_app.make_response((unavailable_page(status), status))
    response.status_code = status
    if status == 503:
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.cache_control.no_store = True
    return response


class RequestIds:
    """The outermost WSGI layer: an id for every request (also on answers replayed by the page cache,
    which never enter Flask), and a designed page for anything that escapes the layers below."""

    def __init__(self, wsgi_app, app: Flask):
        self.wsgi_app, self.app = wsgi_app, app

    def __call__(self, environ, start_response):
        identifier = request_id(environ)
        # Static files are answered by WhiteNoise from disk: no id on them, every byte of the kiosk's first
        # load counts (bench/page_weight.py).
        labelled = not environ.get("PATH_INFO", "").startswith("/static/")

        started = []

        def with_id(status, headers, exc_info=None):
            started.append(status)
            headers = [(name, value) for name, value in headers if name.lower() != REQUEST_ID_HEADER.lower()]
            if labelled or not status.startswith(("2", "3")):
                headers.append((REQUEST_ID_HEADER, identifier))
            return start_response(status, headers, exc_info)

        try:
            return self.wsgi_app(environ, with_id)
        except Exception as error:
            if not self.app.config["SHOW_ERROR_PAGES"]:
                raise
            kind = log_unexpected(error, environ, self.app)
            status = status_for(kind)
            with self.app.request_context(environ):
                body = unavailable_page(status).encode()
            headers = [
                ("Content-Type", "text/html; charset=utf-8"),
                ("Cache-Control", "no-store"),
                ("Retry-After", str(RETRY_AFTER_SECONDS)),
            ]
            reason = "Service Unavailable" if status == 503 else "Internal Server Error"
            # exc_info only replaces a response already begun (PEP 3333); a server re-raises it otherwise.
            with_id(f"{status} {reason}", headers, sys.exc_info() if started else None)
            return [body]


def init_app(app: Flask) -> None:
    app.config.setdefault("SHOW_ERROR_PAGES", not app.testing and not app.debug)
    app.register_error_handler(HTTPException, _render_error)
    if app.config["SHOW_ERROR_PAGES"]:
        app.register_error_handler(Exception, _unexpected)
