"""Signing in and out, and the rules every admin request passes: signed in, not idle too long, not too old."""

from __future__ import annotations

import json
import time
from functools import wraps
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
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy.exc import SQLAlchemyError

from ..accounts import login_limits, users
from ..editing import audit
from ..extensions import db, htmx, login_manager
from ..models import User
from ..web import errors, failures, security
from ..web.errors import chosen_files, may_keep, sent_fields, shown_back
from .blueprint import bp
from .forms import LoginForm

PUBLIC_ENDPOINTS = {"admin.login"}
# A curator signed out while a form was open (a long pause, a password changed elsewhere) keeps what the
# form sent through signing in again: the sign-in form carries it (as JSON in this hidden field) and,
# once signed in, offers to send it where it was going.
KEPT_FIELD = "kept"
KEPT_MAX_CHARS = 2_000_000
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


def _to_sign_in():
    target = url_for("admin.login", next=_here() if not htmx else None)
    if not htmx:
        kept = sent_fields() if request.endpoint != "admin.login" else []
        if shown_back(kept):
            # A form sent after the session ended: the sign-in page keeps it, rather than a redirect
            # that would drop it. (Its CSRF token was checked before this: the form came from this site.)
            return _sign_in_page(
                LoginForm(formdata=None), request.path, kept=kept, files=chosen_files(), status=401
            )
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


def _sign_in_page(
    form: LoginForm,
    next_url: str | None,
    problem: str | None = None,
    kept: list[tuple[str, str]] | None = None,
    files: list[str] | None = None,
    status: int = 200,
):
    page = render_template(
        "admin/login.html",
        form=form,
        next=next_url,
        problem=problem,
        kept=json.dumps(kept) if kept else None,
        typed=shown_back(kept or []),
        files=files or [],
        in_the_clear=security.sent_in_the_clear(),
    )
    return page, status


def _kept(text: str | None) -> list[tuple[str, str]]:
    """The fields a sign-in form carried back (see KEPT_FIELD); anything malformed is dropped."""
    if not text or len(text) > KEPT_MAX_CHARS:
        return []
    try:
        pairs = json.loads(text)
    except ValueError:
        return []
    if not isinstance(pairs, list):
        return []
    return [
        (pair[0], pair[1])
        for pair in pairs
        if isinstance(pair, list) and len(pair) == 2 and all(isinstance(part, str) for part in pair)
        if may_keep(pair[0])
    ]


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


def _blocked_page(form: LoginForm, next_url: str | None, kept: list[tuple[str, str]]):
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
    kept = _kept(request.form.get(KEPT_FIELD))
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
    if kept and next_url:
        # Not sent on by itself: the curator sees what it is and where it goes, and sends it (a save
        # still meets the usual checks: the version it was made from, the fields' rules).
        return render_template("admin/kept.html", action=next_url, kept=kept, typed=shown_back(kept))
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
