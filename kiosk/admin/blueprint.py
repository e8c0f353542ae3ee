"""The admin blueprint object, shared by the modules that add views to it, and its error pages."""

from __future__ import annotations

import logging
from datetime import datetime

from flask import Blueprint, flash, render_template
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import Conflict, HTTPException, ServiceUnavailable
from werkzeug.routing import IntegerConverter

from .. import database, editing, media
from ..extensions import db
from .forms import LARGEST, add_error

logger = logging.getLogger(__name__)
bp = Blueprint("admin", __name__, url_prefix="/admin")


class RowId(IntegerConverter):
    """``<id:event_id>``: a row id or revision number in a URL, 1 to 2**31 - 1; anything else is a 404
    before the view runs (and never overflows the database's integers)."""

    def __init__(self, url_map, *args, **kwargs):
        super().__init__(url_map, min=1, max=LARGEST)


def show_refusal(form: FlaskForm, refusal: editing.SaveRefused) -> int:
    """Show a refused save on the form it came from, everything typed kept: a taken web address at its
    field, anything else above the form. Returns the status to answer with."""
    if refusal.field:
        add_error(form[refusal.field], str(refusal))
        return 422
    flash(str(refusal), "error")
    return 503 if isinstance(refusal, editing.DatabaseBusy) else 409


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


def _busy_page():
    return _admin_error(
        ServiceUnavailable(_("The database is busy. Nothing was changed: try again in a moment."))
    )


@bp.errorhandler(editing.SaveRefused)
def _refused(refusal: editing.SaveRefused):
    """A refused change from a view with nothing typed to keep (the trash, moving or deleting an era)."""
    if isinstance(refusal, editing.DatabaseBusy):
        return _busy_page()
    return _admin_error(Conflict(str(refusal)))


@bp.errorhandler(OperationalError)
def _database_busy(error: OperationalError):
    """A busy database anywhere else in the admin (signing in during a large import, say): try again."""
    if not database.is_busy(error):
        raise error
    logger.warning("The database was busy: %s", error)
    return _busy_page()
