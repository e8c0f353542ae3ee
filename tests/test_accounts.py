"""Curator accounts: argon2id hashes, a password policy with reasons, and what a password change ends."""

import pytest
from argon2 import extract_parameters
from argon2.low_level import Type

from kiosk import accounts
from kiosk.extensions import db
from kiosk.models import AuditEntry, Role

from .helpers import PASSWORD


def test_passwords_are_hashed_with_argon2id_at_least_as_strong_as_owasp_asks(app):
    user = accounts.create_user("anna", PASSWORD)
    db.session.commit()
    assert PASSWORD not in user.password_hash
    parameters = extract_parameters(user.password_hash)
    assert parameters.type is Type.ID
    assert parameters.memory_cost >= 46 * 1024 and parameters.time_cost >= 1


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
    with pytest.raises(accounts.AccountError, match=reason):
        accounts.create_user("anna", password)


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
    assert accounts.password_problem(password, "anna") is None


def test_authenticate_checks_the_password_and_notes_the_sign_in(app):
    accounts.create_user("anna", PASSWORD)
    db.session.commit()
    assert accounts.authenticate("anna", "wrong password here") is None
    assert accounts.authenticate("nobody", PASSWORD) is None
    user = accounts.authenticate("anna", PASSWORD)
    assert user is not None and user.last_login_at is not None


def test_a_new_password_ends_old_sessions(app):
    user = accounts.create_user("anna", PASSWORD, Role.ADMIN)
    db.session.commit()
    old_session = user.get_id()
    accounts.set_password("anna", "another long passphrase 42")
    db.session.commit()
    assert user.get_id() != old_session
    assert accounts.authenticate("anna", PASSWORD) is None
    assert accounts.authenticate("anna", "another long passphrase 42") is not None


def test_usernames_are_checked_and_unique(app):
    with pytest.raises(accounts.AccountError, match="letters, digits"):
        accounts.create_user("<script>", PASSWORD)
    accounts.create_user("anna", PASSWORD)
    db.session.commit()
    with pytest.raises(accounts.AccountError, match="already an account"):
        accounts.create_user("anna", PASSWORD)


def test_account_changes_are_audited(app):
    accounts.create_user("anna", PASSWORD)
    accounts.delete_user("anna")
    db.session.commit()
    actions = [entry.action for entry in db.session.query(AuditEntry).order_by(AuditEntry.id)]
    assert actions[-2:] == ["account.create", "account.delete"]
    assert accounts.find("anna") is None
