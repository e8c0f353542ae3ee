"""Changes to an event the kiosk shows wait unpublished: the kiosk keeps the published event while the
curators save, preview and finally publish them (or throw them away), with history and audit as ever;
two curators' unpublished changes still meet on the conflict page."""

from __future__ import annotations

import re

from sqlalchemy import select

from kiosk.content import published
from kiosk.editing import drafts, revisions
from kiosk.extensions import db
from kiosk.models import AuditEntry, Event, Place, Status

from ..fixture_timeline import FIXTURE
from .conftest import event_form, form_values


def seeded(slug: str) -> Event:
    return db.session.scalar(select(Event).where(Event.slug == slug))


def opened(person, event: Event) -> dict:
    url = f"/admin/events/{event.id}/edit"
    return form_values(person.get(url).get_data(as_text=True), url)


def save(person, event: Event, values: dict, action: str = "save", **typed):
    return person.post(f"/admin/events/{event.id}/edit", values | {"action": action} | typed)


def latest_action() -> str:
    return db.session.scalar(select(AuditEntry.action).order_by(AuditEntry.id.desc()))


def test_saving_a_published_event_keeps_the_kiosk_as_it_was_until_it_is_published(curator, client):
    event = seeded(FIXTURE.plain_event)
    headline, version = event.headline, published.content_version()
    response = save(
        curator, event, opened(curator, event), summary="Norms rise by a third.", headline="Norms up"
    )
    assert response.status_code == 302
    db.session.refresh(event)
    assert event.headline == headline and event.draft_number == event.version  # the kiosk's is unchanged
    assert published.content_version() == version  # no kiosk hears of it
    assert headline in client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert latest_action() == "event.draft"
    assert revisions.history(event)[0].snapshot["headline"] == "Norms up"  # history keeps it

    # The list and the form say so; the form holds the unpublished changes.
    listed = curator.get("/admin/events").get_data(as_text=True)
    row = re.search(rf'<tr id="event-row-{event.id}">.*?</tr>', listed, re.DOTALL).group(0)
    assert "Changes not published" in row
    form = curator.get(f"/admin/events/{event.id}/edit").get_data(as_text=True)
    assert (
        'value="Norms up"' in form and "You are editing changes not published yet, saved by curator" in form
    )

    # The preview shows them as the kiosk will, and offers to publish them.
    preview = curator.get(f"/admin/events/{event.id}/preview").get_data(as_text=True)
    assert "Preview — changes not published" in preview and "Norms up" in preview
    assert f'action="/admin/events/{event.id}/publish"' in preview
    assert headline in curator.get(f"/admin/events/{event.id}/preview?published=1").get_data(as_text=True)

    # Publishing makes them what the kiosk shows: one revision, an audit entry, the content version moved.
    publish = form_values(preview, f"/admin/events/{event.id}/publish")
    assert curator.post(f"/admin/events/{event.id}/publish", publish).status_code == 302
    db.session.refresh(event)
    assert (event.headline, event.summary, event.draft_number) == ("Norms up", "Norms rise by a third.", None)
    assert event.status == Status.PUBLISHED and published.content_version() > version
    assert latest_action() == "event.publish"
    assert "Norms up" in client.get(f"/events/{event.slug}").get_data(as_text=True)
    listed = curator.get("/admin/events").get_data(as_text=True)
    assert "Changes not published" not in listed


def test_publish_on_the_form_makes_the_changes_live_at_once(curator, client):
    event = seeded(FIXTURE.plain_event)
    assert save(curator, event, opened(curator, event), "publish", headline="Norms up").status_code == 302
    db.session.refresh(event)
    assert event.headline == "Norms up" and event.draft_number is None
    assert "Norms up" in client.get(f"/events/{event.slug}").get_data(as_text=True)


def test_unpublished_changes_can_be_thrown_away_and_history_keeps_them(curator):
    event = seeded(FIXTURE.plain_event)
    headline = event.headline
    save(curator, event, opened(curator, event), headline="A second thought")
    form = curator.get(f"/admin/events/{event.id}/edit").get_data(as_text=True)
    discard = form_values(form, f"/admin/events/{event.id}/discard")
    assert curator.post(f"/admin/events/{event.id}/discard", discard).status_code == 302
    db.session.refresh(event)
    assert event.draft_number is None and event.headline == headline
    assert f'value="{headline}"' in curator.get(f"/admin/events/{event.id}/edit").get_data(as_text=True)
    assert any(r.snapshot["headline"] == "A second thought" for r in revisions.history(event))
    assert latest_action() == "event.discard-draft"


def test_two_curators_unpublished_changes_meet_on_the_conflict_page(curator, colleague):
    event = seeded(FIXTURE.plain_event)
    mine, theirs = opened(curator, event), opened(colleague, event)
    assert save(colleague, event, theirs, headline="Anna's headline").status_code == 302
    conflict = save(curator, event, mine, summary="My summary.")
    page = conflict.get_data(as_text=True)
    assert conflict.status_code == 409 and "Anna&#39;s headline" in page
    db.session.refresh(event)
    assert drafts.working_item(event)["headline"] == "Anna's headline"  # nothing overwritten


def test_preview_of_a_new_event_saves_it_as_a_draft_never_publishing_it(curator, client):
    response = curator.post("/admin/events/new", event_form(status="published", action="preview"))
    event = db.session.scalar(select(Event).order_by(Event.id.desc()))
    assert response.headers["Location"] == f"/admin/events/{event.id}/preview"
    assert event.status == Status.DRAFT and client.get(f"/events/{event.slug}").status_code == 404
    preview = curator.get(response.headers["Location"]).get_data(as_text=True)
    assert "Preview — not published" in preview
    publish = form_values(preview, f"/admin/events/{event.id}/publish")
    assert curator.post(f"/admin/events/{event.id}/publish", publish).status_code == 302
    assert client.get(f"/events/{event.slug}").status_code == 200


def test_taking_an_event_off_the_kiosk_is_at_once(curator, client):
    event = seeded(FIXTURE.plain_event)
    assert save(curator, event, opened(curator, event), "unpublish").status_code == 302
    db.session.refresh(event)
    assert event.status == Status.DRAFT and client.get(f"/events/{event.slug}").status_code == 404


def test_a_translation_saved_meanwhile_is_kept_when_the_changes_are_published(curator):
    event = seeded(FIXTURE.plain_event)
    save(curator, event, opened(curator, event), headline="Norms up")
    url = f"/admin/events/{event.id}/translations/ru"
    typed = form_values(curator.get(url).get_data(as_text=True), url) | {"headline": "Нормы растут"}
    assert curator.post(url, typed).status_code == 302
    db.session.refresh(event)
    assert event.draft_number is not None  # the translation did not settle the English changes
    preview = curator.get(f"/admin/events/{event.id}/preview").get_data(as_text=True)
    curator.post(
        f"/admin/events/{event.id}/publish", form_values(preview, f"/admin/events/{event.id}/publish")
    )
    db.session.refresh(event)
    assert event.headline == "Norms up"
    assert next(row for row in event.translations if row.locale == "ru").headline == "Нормы растут"


def test_publishing_from_an_old_page_changes_nothing(curator):
    event = seeded(FIXTURE.plain_event)
    save(curator, event, opened(curator, event), headline="Norms up")
    preview = curator.get(f"/admin/events/{event.id}/preview").get_data(as_text=True)
    stale = form_values(preview, f"/admin/events/{event.id}/publish")
    save(curator, event, opened(curator, event), headline="Norms up again")
    response = curator.post(f"/admin/events/{event.id}/publish", stale)
    assert "Someone else changed this event a moment ago" in curator.get(
        response.headers["Location"]
    ).get_data(as_text=True)
    db.session.refresh(event)
    assert event.draft_number is not None and event.headline != "Norms up"


def test_unpublished_changes_may_move_an_event_to_a_new_place_the_kiosk_shows_once_published(curator, client):
    event = seeded(FIXTURE.record_event)
    shown_place = event.place.name
    typed = {"place_name": "Gorlovka", "place_lat": "48.3", "place_lon": "38.05", "place_note": ""}
    assert save(curator, event, opened(curator, event), **typed).status_code == 302
    db.session.refresh(event)
    assert event.place.name == shown_place and event.draft_number is not None  # the kiosk's is unchanged
    assert shown_place in client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert "Gorlovka" not in client.get("/places").get_data(as_text=True)  # no visible event is there yet
    assert 'value="Gorlovka"' in curator.get(f"/admin/events/{event.id}/edit").get_data(as_text=True)
    preview = curator.get(f"/admin/events/{event.id}/preview").get_data(as_text=True)
    assert '<span class="locator__name">Gorlovka</span>' in preview  # as the kiosk will show it
    publish = form_values(preview, f"/admin/events/{event.id}/publish")
    assert curator.post(f"/admin/events/{event.id}/publish", publish).status_code == 302
    db.session.refresh(event)
    assert event.place.name == "Gorlovka" and event.draft_number is None
    assert "Gorlovka" in client.get(f"/events/{event.slug}").get_data(as_text=True)


def test_publishing_changes_whose_new_place_was_deleted_meanwhile_says_so_and_changes_nothing(curator):
    event = seeded(FIXTURE.plain_event)
    typed = {"place_name": "Gorlovka", "place_lat": "48.3", "place_lon": "38.05", "place_note": ""}
    save(curator, event, opened(curator, event), headline="Norms up", **typed)
    made = db.session.scalar(select(Place).where(Place.name == "Gorlovka"))
    delete_url = f"/admin/places/{made.id}/delete"  # no event is there: only the unpublished changes
    confirm = form_values(curator.get(delete_url).get_data(as_text=True), delete_url)
    assert curator.post(delete_url, confirm).status_code == 302
    preview = curator.get(f"/admin/events/{event.id}/preview").get_data(as_text=True)
    response = curator.post(
        f"/admin/events/{event.id}/publish", form_values(preview, f"/admin/events/{event.id}/publish")
    )
    page = curator.get(response.headers["Location"]).get_data(as_text=True)
    assert "The place gorlovka no longer exists: choose another place and save again." in page
    db.session.refresh(event)
    assert event.headline != "Norms up" and event.place is None and event.draft_number is not None
