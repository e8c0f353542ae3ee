"""A curator signed out while a form was open (a long pause, a password changed elsewhere) loses nothing:
the sign-in page keeps what the form sent, and once signed in they can send it where it was going."""

from __future__ import annotations

import re

from kiosk.admin.auth import KEPT_MAX_CHARS
from kiosk.extensions import db
from kiosk.models import Event

from ..helpers import PASSWORD, make_event
from .conftest import SIGN_IN_ACTION, form_values, sign_in_from, signed_out_by_a_long_pause, token_of


def edit_and_leave(curator, client, **typed):
    """Open an event's form, type, go to lunch, press Save: the answer to that Save."""
    event = make_event(headline="Before the break")
    url = f"/admin/events/{event.id}/edit"
    form = curator.get(url).get_data(as_text=True)
    sent = form_values(form, url) | {"action": "publish", "csrf_token": token_of(form)} | typed
    signed_out_by_a_long_pause(client)
    return event, url, client.post(url, data=sent)


def test_a_save_sent_after_the_session_ended_is_kept_through_signing_in(curator, client):
    event, url, refused = edit_and_leave(curator, client, headline="Typed before lunch", summary="Kept.")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 401
    assert "You were signed out after 30 minutes without activity." in page
    assert "Typed before lunch" in page and 'name="kept"' in page
    assert db.session.get(Event, event.id).headline == "Before the break"  # nothing saved yet

    offered = sign_in_from(client, page)
    offer = offered.get_data(as_text=True)
    assert offered.status_code == 200 and "What you typed is not saved yet." in offer
    assert db.session.get(Event, event.id).headline == "Before the break"  # not sent on by itself

    saved = client.post(url, data=form_values(offer, url) | {"csrf_token": token_of(offer)})
    assert saved.status_code == 302
    db.session.expire_all()
    assert db.session.get(Event, event.id).headline == "Typed before lunch"
    assert db.session.get(Event, event.id).summary == "Kept."


def test_what_was_kept_still_meets_a_change_made_meanwhile(curator, client, colleague):
    event, url, refused = edit_and_leave(curator, client, headline="Mine")
    offer = sign_in_from(client, refused.get_data(as_text=True)).get_data(as_text=True)
    theirs = form_values(colleague.get(url).get_data(as_text=True), url) | {"action": "publish"}
    assert colleague.post(url, theirs | {"headline": "Theirs"}).status_code == 302

    conflict = client.post(url, data=form_values(offer, url) | {"csrf_token": token_of(offer)})
    assert conflict.status_code == 409
    assert "Mine" in conflict.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Event, event.id).headline == "Theirs"


def test_a_wrong_password_keeps_what_was_typed_on_the_page(curator, client):
    _event, _url, refused = edit_and_leave(curator, client, headline="Still here after a typo")
    again = sign_in_from(client, refused.get_data(as_text=True), password="not the password")
    page = again.get_data(as_text=True)
    assert "The username or password is not right." in page
    assert 'name="kept"' in page and "Still here after a typo" in page


def test_without_anything_typed_signing_in_goes_where_it_was_going(curator, client):
    signed_out_by_a_long_pause(client)
    page = client.get("/admin/events", follow_redirects=True).get_data(as_text=True)
    answer = client.post(
        "/admin/login?next=/admin/events",
        data={"username": "curator", "password": PASSWORD, "csrf_token": token_of(page), "kept": "[not json"},
    )
    assert answer.status_code == 302 and answer.headers["Location"] == "/admin/events"


def test_a_form_refused_for_its_token_is_given_back_to_copy_but_not_to_send(curator, client):
    event = make_event(headline="Untouched")
    url = f"/admin/events/{event.id}/edit"
    sent = form_values(curator.get(url).get_data(as_text=True), url) | {"headline": "Typed in a stale tab"}
    refused = client.post(url, data=sent | {"csrf_token": "stale"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Typed in a stale tab" in page and "Nothing you typed is lost: here it is, to copy." in page
    assert f'action="{url}"' not in page  # no button that would send it
    assert db.session.get(Event, event.id).headline == "Untouched"


def test_the_kept_form_says_where_it_goes_and_goes_nowhere_else(curator, client):
    _event, url, refused = edit_and_leave(curator, client, headline="Typed before lunch")
    page = refused.get_data(as_text=True)
    assert "What you typed for the event “Before the break” before you were signed out is kept" in page
    assert "sign in as curator" in page
    # A sign-in page prepared to send it elsewhere (another address to go to next) still sends it here.
    steered = page.replace(f"/admin/login?next={url}", "/admin/login?next=/admin/settings")
    assert SIGN_IN_ACTION.search(steered).group(1) == "/admin/login?next=/admin/settings"
    offer = sign_in_from(client, steered).get_data(as_text=True)
    assert "Save it now to send it to the event “Before the break”" in offer
    assert f'<form method="post" action="{url}">' in offer
    assert 'action="/admin/settings"' not in offer


def test_a_kept_form_changed_on_the_way_is_not_kept(curator, client):
    _event, _url, refused = edit_and_leave(curator, client, headline="Mine")
    page = refused.get_data(as_text=True)
    sealed = re.search(r'name="kept" value="([^"]+)"', page).group(1)
    forged = page.replace(sealed, sealed[:-4] + "AAAA")
    answer = sign_in_from(client, forged)
    assert answer.status_code == 302  # signed in, with nothing offered to send


def test_a_colleague_signing_in_on_the_page_cannot_save_it_under_their_name(curator, client, colleague):
    event, _url, refused = edit_and_leave(curator, client, headline="The curator's words")
    answer = sign_in_from(client, refused.get_data(as_text=True), username="anna")
    assert answer.status_code == 302  # not offered to anna
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "What another curator typed before their session ended was not kept" in page
    assert "The curator&#39;s words" not in page
    assert db.session.get(Event, event.id).headline == "Before the break"


def test_a_form_too_long_to_keep_is_neither_kept_nor_echoed(curator, client):
    _event, _url, refused = edit_and_leave(curator, client, body="x" * (KEPT_MAX_CHARS + 1))
    page = refused.get_data(as_text=True)
    assert refused.status_code == 401 and len(page) < 50_000
    assert "too long to keep through signing in" in page and 'name="kept"' not in page
