"""Accounts without the command line: administrators add accounts, give one a new password (which ends
its sessions), change roles and remove accounts, every change audited; the kiosk is never left without an
administrator; every curator changes their own password."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kiosk.accounts import users
from kiosk.extensions import db
from kiosk.models import AuditEntry, Role, User

from ..helpers import PASSWORD, make_user
from .conftest import Curator, form_values

NEW_PASSWORD = "winding gear lamp oil pony"


def account(username: str) -> User:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.username == username))


def audited() -> tuple[str, str, str]:
    entry = db.session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()))
    return entry.action, entry.target, entry.username


def test_an_administrator_adds_an_account_that_can_sign_in(administrator, server):
    page = administrator.get("/admin/accounts/new").get_data(as_text=True)
    assert "Edits, translates, imports and publishes the timeline." in page
    typed = form_values(page, "/admin/accounts/new") | {"username": "oleg", "password": NEW_PASSWORD}
    response = administrator.post("/admin/accounts/new", typed)
    assert response.headers["Location"] == "/admin/accounts"
    assert account("oleg").role == Role.EDITOR
    assert audited() == ("account.create", "user oleg", "boss")
    listed = administrator.get("/admin/accounts").get_data(as_text=True)
    assert ">oleg</a>" in listed and "Never" in listed
    assert Curator(server.test_client()).sign_in("oleg", NEW_PASSWORD).status_code == 302


def test_a_refused_account_says_why_at_its_field_and_adds_nothing(administrator):
    weak = administrator.post(
        "/admin/accounts/new", {"username": "oleg", "role": "editor", "password": "oleg"}
    )
    assert weak.status_code == 422 and "The password is too short" in weak.get_data(as_text=True)
    taken = administrator.post(
        "/admin/accounts/new", {"username": "boss", "role": "editor", "password": NEW_PASSWORD}
    )
    assert taken.status_code == 422 and "There is already an account called boss." in taken.get_data(
        as_text=True
    )
    assert account("oleg") is None


def test_a_new_password_ends_every_session_of_that_account(administrator, colleague):
    anna = account("anna")
    assert colleague.get("/admin/events").status_code == 200  # signed in elsewhere
    url = f"/admin/accounts/{anna.id}/password"
    assert administrator.post(url, {"password": NEW_PASSWORD}).status_code == 302
    assert colleague.get("/admin/events").status_code == 302  # that session has ended
    assert audited() == ("account.password", "user anna", "boss")
    assert colleague.sign_in("anna", NEW_PASSWORD).status_code == 302
    assert administrator.get("/admin/accounts").status_code == 200  # the administrator stays signed in


def test_roles_change_but_never_the_last_administrators(administrator, colleague):
    anna, boss = account("anna"), account("boss")
    assert administrator.post(f"/admin/accounts/{anna.id}/role", {"role": "admin"}).status_code == 302
    assert account("anna").is_admin and audited() == ("account.role", "user anna", "boss")
    assert colleague.get("/admin/accounts").status_code == 200  # her new role counts at once
    assert administrator.post(f"/admin/accounts/{boss.id}/role", {"role": "editor"}).status_code == 302
    assert not account("boss").is_admin
    # Now anna is the only administrator: she cannot stop being one.
    refused = colleague.post(f"/admin/accounts/{anna.id}/role", {"role": "editor"})
    assert refused.status_code == 409
    assert "anna is the only administrator" in refused.get_data(as_text=True)
    assert account("anna").is_admin


def test_an_account_is_removed_after_asking_its_name_kept_in_the_history(administrator, colleague):
    anna = account("anna")
    url = f"/admin/accounts/{anna.id}/remove"
    confirm = administrator.get(url).get_data(as_text=True)
    assert "Remove anna?" in confirm and account("anna") is not None
    assert administrator.post(url, form_values(confirm, url)).status_code == 302
    assert account("anna") is None and audited() == ("account.delete", "user anna", "boss")
    assert colleague.get("/admin/events").status_code == 302  # signed out with it
    own = administrator.post(f"/admin/accounts/{account('boss').id}/remove", {})
    assert own.status_code == 302 and account("boss") is not None  # never one's own


def test_the_last_administrator_cannot_be_removed(app):
    make_user("boss", Role.ADMIN)
    with pytest.raises(users.LastAdministrator, match="boss is the only administrator"):
        users.delete_user("boss")
    db.session.rollback()
    assert account("boss") is not None


def test_editors_cannot_manage_accounts(curator, colleague):
    anna = account("anna")
    for url, data in [
        (f"/admin/accounts/{anna.id}/role", {"role": "admin"}),
        (f"/admin/accounts/{anna.id}/password", {"password": NEW_PASSWORD}),
        (f"/admin/accounts/{anna.id}/remove", {}),
    ]:
        assert curator.post(url, data).status_code == 403
    assert not account("anna").is_admin and account("anna") is not None


def test_a_curator_changes_their_own_password_with_the_current_one(curator, client, server):
    wrong = curator.post("/admin/password", {"current_password": "not it", "password": NEW_PASSWORD})
    assert wrong.status_code == 422 and "That is not your current password." in wrong.get_data(as_text=True)
    other = Curator(server.test_client())
    assert other.sign_in().status_code == 302  # the same curator on another computer
    changed = curator.post("/admin/password", {"current_password": PASSWORD, "password": NEW_PASSWORD})
    assert changed.status_code == 302
    assert curator.get("/admin/events").status_code == 200  # still signed in here
    assert other.get("/admin/events").status_code == 302  # signed out there
    assert audited() == ("account.password", "user curator", "curator")
