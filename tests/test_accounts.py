"""Curator accounts: argon2id hashes, a password policy with reasons, and what a password change ends."""

import pytest
from argon2 import extract_parameters
from argon2.low_level import Type

from kiosk import create_app
from kiosk.accounts import users
from kiosk.extensions import db
from kiosk.models import AuditEntry, Role

from .helpers import PASSWORD


def test_a_server_hashes_with_argon2id_at_the_documented_parameters(tmp_path, monkeypatch):
    """What the README promises (64 MiB, t=3, p=4), above OWASP's 46 MiB/t=1 floor. The suite itself
    runs with the cheap test profile (tests/conftest.py), so this app is made as a server makes it."""
    monkeypatch.delenv("KIOSK_PASSWORD_HASH_PROFILE", raising=False)
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path))
    production = create_app()
    assert production.config["PASSWORD_HASH_PROFILE"] == "rfc9106-low-memory"
    with production.app_context():
        password_hash = users.hasher().hash(PASSWORD)
    assert PASSWORD not in password_hash
    parameters = extract_parameters(password_hash)
    assert parameters.type is Type.ID
    assert (parameters.memory_cost, parameters.time_cost, parameters.parallelism) == (64 * 1024, 3, 4)
    assert parameters.memory_cost >= 46 * 1024


def test_the_test_profile_is_still_argon2id_and_its_hashes_verify_anywhere(app):
    user = users.create_user("anna", PASSWORD)
    db.session.commit()
    assert extract_parameters(user.password_hash).type is Type.ID
    app.config["PASSWORD_HASH_PROFILE"] = "rfc9106-low-memory"
    signed_in = users.authenticate("anna", PASSWORD)  # and is upgraded to the configured profile
    assert signed_in is not None and extract_parameters(signed_in.password_hash).memory_cost == 64 * 1024


def test_an_unknown_hash_profile_stops_the_app_with_a_reason(tmp_path, monkeypatch):
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KIOSK_PASSWORD_HASH_PROFILE", "quick")
    with pytest.raises(RuntimeError, match="KIOSK_PASSWORD_HASH_PROFILE is 'quick'; it must be one of"):
        create_app()


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short pass", "too short: use at least 12 characters"),
        ("x" * 129, "too long: use at most 128 characters"),
        ("password1234", "too weak: This is a very common password."),
        ("aaaaaaaaaaaaaaaa", "too weak: Repeats like"),
        ("anna-anna-anna", "too weak"),  # the username, repeated
    ],
)
def test_weak_passwords_are_refused_with_a_reason(app, password, reason):
    with pytest.raises(users.AccountError, match=reason):
        users.create_user("anna", password)


@pytest.mark.parametrize(
    "password",
    [
        "coal-seam lamp 1935 pick",
        "correct horse battery staple",  # long passphrases need no digits or symbols
        "ÿ" + "Шахтёр Донбасса и лампа " * 4,  # 97 characters of Cyrillic: long ones are welcome
        "a7#Kq9!mPz2@",  # exactly 12 characters, random
    ],
)
def test_good_passwords_pass_without_composition_rules(password):
    assert users.password_problem(password, "anna") is None


def test_authenticate_checks_the_password_and_notes_the_sign_in(app):
    users.create_user("anna", PASSWORD)
    db.session.commit()
    assert users.authenticate("anna", "wrong password here") is None
    assert users.authenticate("nobody", PASSWORD) is None
    user = users.authenticate("anna", PASSWORD)
    assert user is not None and user.last_login_at is not None


def test_a_new_password_ends_old_sessions(app):
    user = users.create_user("anna", PASSWORD, Role.ADMIN)
    db.session.commit()
    old_session = user.get_id()
    users.set_password("anna", "another long passphrase 42")
    db.session.commit()
    assert user.get_id() != old_session
    assert users.authenticate("anna", PASSWORD) is None
    assert users.authenticate("anna", "another long passphrase 42") is not None


def test_usernames_are_checked_and_unique(app):
    with pytest.raises(users.AccountError, match="letters, digits"):
        users.create_user("<script>", PASSWORD)
    users.create_user("anna", PASSWORD)
    db.session.commit()
    with pytest.raises(users.AccountError, match="already an account"):
        users.create_user("anna", PASSWORD)


def test_account_changes_are_audited(app):
    users.create_user("anna", PASSWORD)
    users.delete_user("anna")
    db.session.commit()
    actions = [entry.action for entry in db.session.query(AuditEntry).order_by(AuditEntry.id)]
    assert actions[-2:] == ["account.create", "account.delete"]
    assert users.find("anna") is None
