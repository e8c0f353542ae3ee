"""Error pages in the kiosk's own design; a failed request never shows a bare browser error."""

from flask import Flask
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from .extensions import db
from .rendering import page_or_fragment


def _render_error(error: HTTPException):
    if error.code and error.code >= 500:
        db.session.rollback()
    messages = {
        404: _("We could not find that page."),
        413: _("That file is too large."),
        429: _("Too many attempts. Please wait a few minutes and try again."),
    }
    message = messages.get(error.code or 500) or error.description
    return page_or_fragment(
        "errors/error.html", "errors/_error.html", status=error.code or 500, error=error, message=message
    )


def _unexpected(error: Exception):
    from werkzeug.exceptions import InternalServerError

    db.session.rollback()
    return _render_error(InternalServerError(_("Something went wrong on our side. Please try again.")))


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, _render_error)
    if not app.testing and not app.debug:
        app.register_error_handler(Exception, _unexpected)
