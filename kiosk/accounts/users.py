"""Curator accounts: argon2id password hashes, a password policy with reasons, and sign-in checks.

Callers commit: every function here only stages its change in the current transaction.
"""

from __future__ import annotations

import re
import secrets
from functools import cache

from argon2 import Parameters, PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, current_app
from flask_babel import gettext as _
from sqlalchemy import select
from zxcvbn import zxcvbn

from ..config import SettingInvalid
from ..editing import audit
from ..extensions import db
from ..models import Role, User, utcnow

HASH_PROFILES: dict[str, Parameters] = {
    # RFC 9106's second recommended profile: argon2id, 64 MiB, t=3, p=4 — above OWASP's 46 MiB/t=1 floor.
    "rfc9106-low-memory": profiles.RFC_9106_LOW_MEMORY,
    # argon2id at its cheapest (8 KiB, t=1, p=1): for the test suite only, which hashes thousands of times.
    "fast": profiles.CHEAPEST,
}
DEFAULT_HASH_PROFILE = "rfc9106-low-memory"
MIN_LENGTH = 12
MAX_LENGTH = 128
# zxcvbn scores 0–4; 3 means "safely unguessable" against an offline attack on a slow hash.
MIN_STRENGTH = 3
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}\Z")


class AccountError(ValueError):
    """A refused account change; the message is written for the person making it (at the command line or
    in the admin). ``field`` names the admin form's field it is about, if any."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class LastAdministrator(AccountError):
    """A change that would leave no administrator: nobody could then manage the accounts or settings."""


def init_app(app: Flask) -> None:
    """Refuse to start with an unknown hash profile; warn loudly about the test-only one."""
    profile = app.config.get("PASSWORD_HASH_PROFILE", DEFAULT_HASH_PROFILE)
    if profile not in HASH_PROFILES:
        raise SettingInvalid(
            f"KIOSK_PASSWORD_HASH_PROFILE is {profile!r}; it must be one of {', '.join(HASH_PROFILES)}."
        )
    if profile != DEFAULT_HASH_PROFILE and not app.testing:
        app.logger.warning("Passwords are hashed with the %r profile, meant for tests only.", profile)


def hasher() -> PasswordHasher:
    """The password hasher of the profile this app is configured with (KIOSK_PASSWORD_HASH_PROFILE)."""
    return _hasher_of(current_app.config.get("PASSWORD_HASH_PROFILE", DEFAULT_HASH_PROFILE))


@cache
def _hasher_of(profile: str) -> PasswordHasher:
    return PasswordHasher.from_parameters(HASH_PROFILES[profile])


def password_problem(password: str, username: str = "") -> str | None:
    """Why this password is refused, or None when it is good enough. No composition rules."""
    if len(password) < MIN_LENGTH:
        return _("The password is too short: use at least %(min)d characters.", min=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("The password is too long: use at most %(max)d characters.", max=MAX_LENGTH)
    verdict = zxcvbn(
        password, user_inputs=[username, "stakhanov", "kiosk", "museum", "curator"], max_length=MAX_LENGTH
    )
    if verdict["score"] >= MIN_STRENGTH:
        return None
    hint = verdict["feedback"]["warning"] or _("It would be easy to guess.")
    return _("That password is too weak: %(hint)s Try a few unrelated words.", hint=hint)


def _check_username(username: str) -> str:
    username = username.strip()
    if not USERNAME.match(username):
        raise AccountError(
            _(
                "A username is 1–64 letters, digits, dots, hyphens or underscores, "
                "starting with a letter or digit."
            ),
            field="username",
        )
    return username


def find(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == username.strip()))


def _require(username: str) -> User:
    user = find(username)
    if user is None:
        raise AccountError(_("There is no account called %(name)s.", name=username))
    return user


def _set_password(user: User, password: str) -> None:
    problem = password_problem(password, user.username)
    if problem:
        raise AccountError(problem, field="password")
    user.password_hash = hasher().hash(password)
    user.session_token = secrets.token_hex(16)  # every existing session of this account ends


def create_user(username: str, password: str, role: Role = Role.EDITOR) -> User:
    username = _check_username(username)
    if find(username) is not None:
        raise AccountError(_("There is already an account called %(name)s.", name=username), field="username")
    user = User(username=username, role=Role(role))
    _set_password(user, password)
    db.session.add(user)
    audit.record("account.create", f"user {username}", f"role {user.role.value}")
    return user


def set_password(username: str, password: str) -> User:
    user = _require(username)
    _set_password(user, password)
    audit.record("account.password", f"user {user.username}")
    return user


def delete_user(username: str) -> None:
    """Remove an account (its revisions and audit entries keep its name); never the last administrator."""
    user = _require(username)
    if user.is_admin:
        _keep_an_administrator(user)
    db.session.delete(user)
    audit.record("account.delete", f"user {user.username}")


def change_role(user: User, role: Role) -> bool:
    """Make the account an editor or an administrator (False when it is one already); never the last
    administrator an editor."""
    role = Role(role)
    if user.role == role:
        return False
    if user.is_admin:
        _keep_an_administrator(user)
    audit.record("account.role", f"user {user.username}", f"{user.role.value} → {role.value}")
    user.role = role
    return True


def _keep_an_administrator(leaving: User) -> None:
    """Refuse a change that takes ``leaving`` away from the administrators when nobody else is one.

    The administrators' rows are locked first (PostgreSQL; SQLite lets one change write at a time), so
    two administrators removing each other at the same moment cannot both succeed.
    """
    others = db.session.scalars(
        select(User.id).where(User.role == Role.ADMIN, User.id != leaving.id).with_for_update()
    ).all()
    if not others:
        raise LastAdministrator(
            _(
                "%(name)s is the only administrator: make another account an administrator first, so "
                "that someone can still manage the accounts and settings.",
                name=leaving.username,
            )
        )


def list_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.username)))


def end_sessions(user: User) -> None:
    """Sign the account out everywhere (sessions carry the token, so a new token invalidates them)."""
    user.session_token = secrets.token_hex(16)


@cache
def _dummy_hash(password_hasher: PasswordHasher) -> str:
    """Checked when a username is unknown, so a wrong name takes as long as a wrong password."""
    return password_hasher.hash(secrets.token_hex(16))


def authenticate(username: str, password: str) -> User | None:
    """The account these credentials open, or None. Upgrades old hashes to the current parameters."""
    if len(password) > MAX_LENGTH:
        return None  # no account has such a password; do not spend a hash on it
    user = find(username) if username else None
    password_hasher = hasher()
    try:
        password_hasher.verify(user.password_hash if user else _dummy_hash(password_hasher), password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None:
        return None
    if password_hasher.check_needs_rehash(user.password_hash):
        user.password_hash = password_hasher.hash(password)
    user.last_login_at = utcnow()
    return user
