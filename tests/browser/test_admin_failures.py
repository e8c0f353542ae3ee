"""A fault in the middle of a curator's work: the check while typing says so above the form, and a failed
save shows the admin's own page with everything typed, in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from kiosk.accounts import users
from kiosk.admin import forms
from kiosk.extensions import db
from kiosk.models import Event, Role

from ..helpers import PASSWORD, make_event, make_user
from .conftest import assert_accessible
from .curators import sign_in


class Fault(RuntimeError):
    pass


@pytest.fixture
def faulty_checks(live_server, monkeypatch):
    with live_server.app.app_context():
        make_user("curator", Role.EDITOR)
        db.session.remove()

    def fail(self, *args, **kwargs):
        raise Fault("a fault planted by the test")

    monkeypatch.setattr(forms.EventForm, "validate", fail)


def test_a_fault_while_typing_and_saving_keeps_everything_the_curator_typed(page, live_server, faulty_checks):
    sign_in(page, live_server, "curator")
    page.goto(live_server.url + "/admin/events/new")
    page.get_by_label("Headline").fill("Typed when the fault struck")
    alert = page.locator("#request-failed")
    expect(alert).to_contain_text("a fault in the kiosk's software")
    expect(page.get_by_label("Headline")).to_have_value("Typed when the fault struck")

    page.get_by_role("button", name="Save").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Something went wrong on our side")
    expect(page.locator("textarea[readonly]").first).to_have_value("Typed when the fault struck")
    expect(page.get_by_text("Still there?")).to_have_count(0)
    assert_accessible(page)


def test_signed_out_while_typing_a_curator_signs_in_again_and_saves_what_they_typed(page, live_server):
    with live_server.app.app_context():
        curator = make_user("curator", Role.EDITOR)
        event_id = make_event(headline="Before the break").id
        db.session.remove()
    sign_in(page, live_server, "curator")
    page.goto(f"{live_server.url}/admin/events/{event_id}/edit")
    page.get_by_label("Headline").fill("Typed before the break")
    with live_server.app.app_context():  # signed out meanwhile (a password changed at another desk)
        users.end_sessions(db.session.merge(curator))
        db.session.commit()
        db.session.remove()

    page.get_by_role("button", name="Publish changes").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.locator("#signin-kept")).to_be_visible()
    expect(page.locator("textarea[readonly]").first).to_have_value("Typed before the break")
    assert_accessible(page)
    page.get_by_label("Username").fill("curator")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "You are signed in again. What you typed is not saved yet."
    )
    assert_accessible(page)
    page.get_by_role("button", name="Save it now").click()
    expect(page.get_by_role("status").first).to_contain_text("Published “Typed before the break”")
    with live_server.app.app_context():
        assert db.session.get(Event, event_id).headline == "Typed before the break"
        db.session.remove()
