"""The admin blueprint object, shared by the modules that add views to it, and its error pages."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, current_app, flash, render_template, request, session
from flask_babel import format_number
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import Conflict, HTTPException, ServiceUnavailable
from werkzeug.routing import IntegerConverter

from ..content import fields, media
from ..editing import audit, writer
from ..extensions import db
from ..web import failures
from ..web.errors import RETRY_AFTER_SECONDS, chosen_files, request_id, typed_fields
from .forms import LARGEST, ROLE_HINTS, add_error

PREFIX = "/admin"
bp = Blueprint("admin", __name__, url_prefix=PREFIX)


class RowId(IntegerConverter):
    """``<id:event_id>``: a row id or revision number in a URL, 1 to 2**31 - 1; anything else is a 404
    before the view runs (and never overflows the database's integers)."""

    def __init__(self, url_map, *args, **kwargs):
        super().__init__(url_map, min=1, max=LARGEST)


def refusal_status(refusal: writer.SaveRefused) -> int:
    """The status of a refused save: 503 for a busy database (counted as an incident), else 409."""
    if isinstance(refusal, writer.DatabaseBusy):
        failures.record_incident(failures.BUSY, str(refusal))
        return 503
    return 409


def show_refusal(form: FlaskForm, refusal: writer.SaveRefused) -> int:
    """Show a refused save on the form it came from, everything typed kept: a taken web address at its
    field, anything else above the form. Returns the status to answer with."""
    if refusal.field:
        add_error(form[refusal.field], str(refusal))
        return 422
    status = refusal_status(refusal)
    message = str(refusal)
    if status == 503:  # a person may need to tell someone what happened: the number finds it in the log
        message = _("%(reason)s Request number: %(id)s", reason=message, id=request_id())
    flash(message, "error")
    return status


@bp.app_template_filter("number")
def number(value: int) -> str:
    """A count as the curator's language writes it (16,000; 16 000)."""
    return format_number(value)


@bp.app_template_filter("who")
def who(username: str, nobody: str = "") -> str:
    """Who made a change: a curator's name, or words for a change no curator made (``nobody``: for an
    entry with no name at all; "unknown" when not given)."""
    if username == audit.NO_CURATOR:
        return _("the server (no curator signed in)")
    return username or nobody or _("unknown")


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


def _audit_refusal(error: HTTPException) -> None:
    """Refused access and failed CSRF checks go to the audit log: they may be someone probing."""
    action = (
        "csrf.refused" if isinstance(error, CSRFError) else "access.refused" if error.code == 403 else None
    )
    if action is None:
        return
    try:
        audit.record(action, f"{request.method} {request.path}", error.description or "")
        db.session.commit()
    except Exception:  # the refusal still stands; the server log keeps what the audit log could not
        db.session.rollback()
        current_app.logger.warning("Could not audit %s of %s %s", action, request.method, request.path)


@bp.errorhandler(HTTPException)
def _admin_error(error: HTTPException):
    """Errors inside the admin get the admin's design and plain words (the kiosk keeps its own pages)."""
    if error.code and error.code >= 500:
        db.session.rollback()
    _audit_refusal(error)
    # A form refused for its token (open too long, its session gone) or refused for now (a restore under
    # way) is given back to copy; never to send again from here, since it may have been made elsewhere.
    refused_form = isinstance(error, CSRFError) or error.code == 503
    return render_template(
        "admin/error.html",
        error=error,
        message=_message(error),
        typed=typed_fields() if refused_form else [],
        files=chosen_files() if refused_form else [],
    ), error.code


@bp.after_app_request
def _never_stored(response):
    """Admin pages hold unpublished text and account details: no browser or proxy may keep a copy (of any
    answer under /admin, an unknown address's too)."""
    if request.blueprint == bp.name or request.path.startswith(PREFIX + "/"):
        response.cache_control.no_store = True
    return response


def _busy_page():
    return _admin_error(
        ServiceUnavailable(_("The database is busy. Nothing was changed: try again in a moment."))
    )


UNDO = "undo"  # the session's offer to undo the last change (see offer_undo)


def offer_undo(message: str, action: str, version: int, back: str) -> None:
    """Say what was just done, with an Undo button on the next page: a form posting ``version`` to
    ``action`` (the view that undoes it), which then goes to ``back``."""
    session[UNDO] = {"message": message, "action": action, "version": str(version), "back": back}


@bp.app_template_global()
def undo_offer() -> dict | None:
    """The offer made by offer_undo, shown once."""
    return session.pop(UNDO, None)


@bp.app_template_global()
def role_hint(role: str) -> str:
    """What an account of this role may do (the accounts' forms)."""
    return str(ROLE_HINTS.get(role, ""))


@bp.app_template_global()
def attention_flag(code: str) -> fields.Attention:
    """Something the curators' lists flag about an event, by its code (the field table's; see ui.flag)."""
    return next(flag for flag in fields.EVENT.attention if flag.code == code)


@bp.after_request
def _try_again_later(response):
    """A busy database (a refused save shown on its form, too) says when to try again, as every 503 does."""
    if response.status_code == 503:
        response.headers.setdefault("Retry-After", str(RETRY_AFTER_SECONDS))
    return response


@bp.errorhandler(writer.SaveRefused)
def _refused(refusal: writer.SaveRefused):
    """A refused change from a view with nothing typed to keep (the trash, moving or deleting an era)."""
    if refusal_status(refusal) == 503:
        return _busy_page()
    return _admin_error(Conflict(str(refusal)))
