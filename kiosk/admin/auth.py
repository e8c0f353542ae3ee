"""Signing in and out, and the rules every admin request passes: signed in, not idle too long, not too old."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Flask,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_number
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from ..accounts import login_limits, users
from ..editing import audit
from ..extensions import db, htmx, login_manager
from ..languages import choice
from ..models import Era, Event, User
from ..web import errors, failures, security
from ..web.errors import chosen_files, may_keep, sent_fields, shown_back
from .blueprint import bp
from .forms import LoginForm

PUBLIC_ENDPOINTS = {"admin.login"}
# A curator signed out while a form was open (a long pause, a password changed elsewhere) keeps what the
# form sent through signing in again: the sign-in form carries it in this hidden field, signed by the
# server together with the account whose session ended and the address the form was sent to, and, once
# that curator (and only they) has signed in, offers to send it there.
KEPT_FIELD = "kept"
KEPT_SALT = "kiosk.admin.kept-form"
# Characters of a kept form, every field together: far more than any form of ours holds (a long event is
# some 20,000), far less than an attempt to make the sign-in page carry megabytes back and forth.
KEPT_MAX_CHARS = 200_000
DEFAULT_MAX_SESSION_HOURS = 12


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(_load_user)
    login_manager.unauthorized_handler(_to_sign_in)


def _load_user(session_id: str) -> User | None:
    """Sessions carry "id:token"; a changed token (new password, sign-out) makes them worthless."""
    user_id, _sep, token = session_id.partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.session_token == token else None


def safe_next(target: str | None) -> str | None:
    """Only a path on this site may follow sign-in; anything else (another host, a scheme) is dropped."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return None if parts.scheme or parts.netloc else target


def _here() -> str:
    return request.full_path.rstrip("?") if request.method == "GET" else request.path


@dataclass(frozen=True)
class KeptForm:
    """What a form sent after its curator's session ended (see KEPT_FIELD)."""

    user_id: int  # whose session ended
    action: str  # where the form was going
    fields: list[tuple[str, str]]

    @property
    def size(self) -> int:
        return sum(len(name) + len(value) for name, value in self.fields)

    def sealed(self) -> str:
        """The kept form as the sign-in page carries it: signed, so that nobody can change it on the way."""
        return _sealer().dumps([self.user_id, self.action, self.fields])

    @classmethod
    def opened(cls, text: str | None) -> KeptForm | None:
        """A kept form as a sign-in page brought it back; None when it is missing, too long or not one the
        server sealed (malformed, changed on the way)."""
        if not text or len(text) > 2 * KEPT_MAX_CHARS:
            return None
        try:
            user_id, action, pairs = _sealer().loads(text)
            fields = [(str(name), str(value)) for name, value in pairs if may_keep(str(name))]
            kept = cls(int(user_id), str(action), fields)
        except (BadSignature, ValueError, TypeError):
            return None
        return kept if kept.size <= KEPT_MAX_CHARS else None

    @property
    def destination(self) -> str:
        """Where it goes, in words ("the event “Born in Lugovaya”"), or its address."""
        try:
            endpoint, values = current_app.url_map.bind("").match(self.action, method="POST")
        except HTTPException:
            endpoint, values = "", {}
        return _destination(endpoint, values) or _("the page %(address)s", address=self.action)


def _sealer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=KEPT_SALT)


# The forms a kept form may come from, by the address they were sent to (anything else is named by it).
EDITED = {"admin.edit_event", "admin.merge_event", "admin.translate_event"}
EDITED_ERA = {"admin.edit_era", "admin.merge_era", "admin.translate_era"}


def _destination(endpoint: str, values: Mapping[str, Any]) -> str | None:
    """What a kept form's address is, in the words of the page that offers to send it there."""
    fixed = {
        "admin.new_event": _("a new event"),
        "admin.new_era": _("a new era"),
        "admin.site_text_page": _("the title and further reading"),
        "admin.settings": _("the kiosk's settings"),
    }
    if endpoint in fixed:
        return fixed[endpoint]
    language = choice.name_for_curators(values["lang"]) if "lang" in values else None
    event = db.session.get(Event, values["event_id"]) if endpoint in EDITED else None
    if event is not None and language:
        return _(
            "the %(language)s text of the event “%(headline)s”", language=language, headline=event.headline
        )
    if event is not None:
        return _("the event “%(headline)s”", headline=event.headline)
    era = db.session.get(Era, values["era_id"]) if endpoint in EDITED_ERA else None
    if era is not None and language:
        return _("the %(language)s text of the era “%(name)s”", language=language, name=era.name)
    return None if era is None else _("the era “%(name)s”", name=era.name)


def _signed_out_user() -> int | None:
    """Whose session just ended: the curator signed out for a long pause, or the account a session named
    before its password changed elsewhere."""
    if "signed_out_user" in g:
        return g.signed_out_user
    user_id = str(session.get("_user_id", "")).partition(":")[0]
    return int(user_id) if user_id.isdigit() else None


def _to_sign_in():
    target = url_for("admin.login", next=_here() if not htmx else None)
    if not htmx:
        fields = sent_fields() if request.endpoint != "admin.login" else []
        if shown_back(fields):
            # A form sent after the session ended: the sign-in page keeps it, rather than a redirect
            # that would drop it. (Its CSRF token was checked before this: the form came from this site.)
            return _kept_on_sign_in(fields)
        return redirect(target)
    response = make_response(
        _(
            "You have been signed out, so this page can no longer be saved. "
            "Copy anything you typed somewhere safe, then sign in again."
        ),
        401,
    )
    if request.method == "GET":  # a list filter: nothing typed is lost by going to the sign-in page
        response.headers["HX-Redirect"] = target
    # A check while typing must not navigate away from the form: the page says what happened instead.
    return response


def _kept_on_sign_in(fields: list[tuple[str, str]]):
    """The sign-in page keeping a form its curator sent after their session ended, to send once they are
    back; one too long to keep, or whose curator is unknown, is not kept (nor shown back, when too long)."""
    user_id = _signed_out_user()
    kept = KeptForm(user_id, request.path, fields) if user_id is not None else None
    problem = None
    if kept is not None and kept.size > KEPT_MAX_CHARS:
        kept, fields = None, []
        problem = _(
            "What you typed is longer than %(max)s characters, too long to keep through signing in: it "
            "was not saved.",
            max=format_number(KEPT_MAX_CHARS),
        )
    page = render_template(
        "admin/login.html",
        form=LoginForm(formdata=None),
        next=request.path,
        problem=problem,
        kept=kept,
        owner=db.session.get(User, kept.user_id) if kept else None,
        typed=shown_back(fields),
        files=chosen_files(),
        in_the_clear=security.sent_in_the_clear(),
    )
    return page, 401


def _sign_in_page(
    form: LoginForm,
    next_url: str | None,
    problem: str | None = None,
    kept: KeptForm | None = None,
    status: int = 200,
):
    page = render_template(
        "admin/login.html",
        form=form,
        next=next_url,
        problem=problem,
        kept=kept,
        owner=db.session.get(User, kept.user_id) if kept else None,
        typed=shown_back(kept.fields) if kept else [],
        files=[],
        in_the_clear=security.sent_in_the_clear(),
    )
    return page, status


def _session_limits() -> tuple[int, int]:
    idle = int(current_app.config.get("SESSION_MINUTES", 30)) * 60
    absolute = int(current_app.config.get("SESSION_MAX_HOURS", DEFAULT_MAX_SESSION_HOURS)) * 3600
    return idle, absolute


@bp.before_request
def _require_sign_in():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        return _to_sign_in()
    now = int(time.time())
    idle, absolute = _session_limits()
    if now - session.get("seen_at", 0) > idle:
        message = _("You were signed out after %(minutes)d minutes without activity.", minutes=idle // 60)
    elif now - session.get("signed_in_at", 0) > absolute:
        message = _(
            "You were signed out because you signed in more than %(hours)d hours ago.", hours=absolute // 3600
        )
    else:
        session["seen_at"] = now
        return None
    g.signed_out_user = current_user.id  # what they were sending stays theirs (see KeptForm)
    logout_user()
    session.clear()
    flash(message + " " + _("Please sign in again."), "info")
    return _to_sign_in()


def admin_required(view):
    """Accounts and settings are for the admin role; editors get a clear refusal."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def _blocked_page(form: LoginForm, next_url: str | None, kept: KeptForm | None):
    message = _(
        "Too many failed sign-ins. To keep the accounts safe, signing in is paused: "
        "please wait %(minutes)d minutes and try again.",
        minutes=login_limits.window_minutes(),
    )
    return _sign_in_page(form, next_url, message, kept, status=429)


@bp.route("/login", methods=["GET", "POST"])
def login():
    try:
        return _login()
    except SQLAlchemyError as error:
        return _passwords_unchecked(error)


def _passwords_unchecked(error: SQLAlchemyError):
    """The database cannot be read: the sign-in page says so, the username kept, and nothing else. (A busy
    or full database gets the usual page, which offers to send the sign-in again; a bug its own.)"""
    if failures.kind_of(error) != failures.UNAVAILABLE:
        raise error
    kind = errors.log_unexpected(error, request.environ, current_app)
    errors.settle_after_failure()
    message = (
        _("The kiosk cannot check passwords right now, so nobody can sign in.")
        + " "
        + errors.explanation(kind)
        + " "
        + _("Request number: %(id)s", id=errors.request_id())
    )
    form = LoginForm(formdata=request.form if request.method == "POST" else None)
    page, status = _sign_in_page(form, safe_next(request.values.get("next")), message, status=503)
    response = make_response(page, status)
    response.headers["Retry-After"] = str(errors.RETRY_AFTER_SECONDS)
    return response


def _login():
    next_url = safe_next(request.values.get("next"))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(next_url or url_for("admin.event_list"))
    form = LoginForm()
    kept = KeptForm.opened(request.form.get(KEPT_FIELD))
    if not form.validate_on_submit():
        return _sign_in_page(form, next_url, kept=kept)
    username, address = form.username.data or "", request.remote_addr or ""
    # The attempt is counted before the password is checked: concurrent guesses cannot outrun the limit.
    claimed = login_limits.claim(username, address)
    if claimed is None:
        audit.record("sign-in.blocked", f"user {username[:64]}")
        db.session.commit()
        failures.record_incident(failures.RATE_LIMITED, f"sign-in paused for user {username[:64]}")
        return _blocked_page(form, next_url, kept)
    user = users.authenticate(username, form.password.data or "")
    if user is None:
        audit.record("sign-in.failed", f"user {username[:64]}")
        db.session.commit()
        problem = _("The username or password is not right. Check them and try again.")
        return _sign_in_page(form, next_url, problem, kept)
    login_limits.signed_in(username, claimed)
    audit.record("sign-in", f"user {user.username}", username=user.username)
    db.session.commit()
    # A brand-new session: nothing from before sign-in (a planted or stolen cookie) carries over.
    session.clear()
    # Flask-WTF keeps this request's token in g: the page below must carry the new session's.
    g.pop(current_app.config["WTF_CSRF_FIELD_NAME"], None)
    login_user(user)
    session["signed_in_at"] = session["seen_at"] = int(time.time())
    if kept and kept.user_id == user.id:
        # Not sent on by itself: the curator sees what it is and where it goes, and sends it (a save
        # still meets the usual checks: the version it was made from, the fields' rules).
        return render_template("admin/kept.html", kept=kept, typed=shown_back(kept.fields))
    if kept:  # another curator's words: never saved under this one's name, nor shown to them
        flash(
            _("What another curator typed before their session ended was not kept: only they can save it."),
            "info",
        )
    return redirect(next_url or url_for("admin.event_list"))


@bp.post("/logout")
def logout():
    # Sessions live in signed cookies; a new token makes any copy of this one worthless too
    # (it also signs this account out on its other devices).
    users.end_sessions(current_user)
    audit.record("sign-out", f"user {current_user.username}")
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    return redirect(url_for("admin.login"))
