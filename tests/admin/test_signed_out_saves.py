"""A curator signed out while a form was open (a long pause, a password changed elsewhere) loses nothing:
the sign-in page keeps what the form sent, and once signed in they can send it where it was going."""

from __future__ import annotations

from kiosk.extensions import db
from kiosk.models import Event

from ..helpers import PASSWORD, make_event
from .conftest import form_values, sign_in_from, signed_out_by_a_long_pause, token_of


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
