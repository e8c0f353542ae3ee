"""The admin blueprint object, shared by the modules that add views to it, and its error pages."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .. import media
from ..extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.app_template_filter("when")
def when(moment: datetime | None) -> str:
    """A stored time (UTC) as the admin shows it."""
    return moment.strftime("%Y-%m-%d %H:%M") + " UTC" if moment else ""


def _message(error: HTTPException) -> str:
    if isinstance(error, CSRFError):
        return _(
            "This form was open too long or was sent from somewhere else, so nothing was saved. "
            "Go back, reload the page and try again."
        )
    messages = {
        403: _("Only administrators can open this page."),
        404: _("We could not find that. It may have been moved to the trash."),
        405: _("That cannot be done from here."),
        413: media.too_large_message() + " " + _("Nothing was saved."),
    }
    return messages.get(error.code or 500) or error.description or ""


@bp.errorhandler(HTTPException)
def _admin_error(error: HTTPException):
    """Errors inside the admin get the admin's design and plain words (the kiosk keeps its own pages)."""
    if error.code and error.code >= 500:
        db.session.rollback()
    return render_template("admin/error.html", error=error, message=_message(error)), error.code
