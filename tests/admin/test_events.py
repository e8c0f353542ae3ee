"""Editing events: the list, checks with messages next to their fields, drafts, publishing, preview,
conflicts and the trash. Bad input never changes the database."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from kiosk.content import published
from kiosk.extensions import db
from kiosk.models import AuditEntry, Event, Media, Revision, Status

from ..fixture_timeline import FIXTURE
from ..helpers import an_era, make_event
from .conftest import event_form, form_values

OUTSIDE_THE_SPAN = "Year must be between 1906 and 1977, or mark the event as a postscript."


def newest_event() -> Event:
    return db.session.scalar(select(Event).order_by(Event.id.desc()))


def field_messages(html: str) -> dict[str, str]:
    """Each field's message, read from the slot next to it (empty slots left out)."""
    return dict(re.findall(r'<p class="field__error" id="([a-z_]+)-error"[^>]*>([^<]+)</p>', html))


def snapshot() -> tuple:
    return (
        published.content_version(),
        db.session.scalar(select(func.count(Event.id))),
        db.session.scalar(select(func.count(Revision.id))),
        db.session.scalar(select(func.count(Media.id))),
    )


# ---- the list ----


def test_the_list_is_sorted_by_date_and_searchable(curator):
    html = curator.get("/admin/").get_data(as_text=True)
    born, record = html.index("Born in Lugovaya"), html.index("102 tonnes in one night")
    assert born < record
    assert f"{len(FIXTURE.event_slugs)} events, by date" in html

    found = curator.get("/admin/events?q=tonnes").get_data(as_text=True)
    assert "102 tonnes in one night" in found and "Born in Lugovaya" not in found


def test_the_list_filters_by_era_and_status_and_flags_what_is_missing(curator):
    era = an_era(slug="test-era", name="Test era")
    make_event(headline="Quiet draft", status=Status.DRAFT, era=era, sources=[])
    make_event(headline="Picture from afar", era=era, remote_media_url="https://example.org/a.jpg")
    html = curator.get(f"/admin/events?era={era.id}").get_data(as_text=True)
    assert f"2 of {len(FIXTURE.event_slugs) + 2} events match" in html and "Born in Lugovaya" not in html
    assert "No sources" in html and "Image not downloaded" in html
    drafts = curator.get(f"/admin/events?era={era.id}&status=draft").get_data(as_text=True)
    assert "Quiet draft" in drafts and "Picture from afar" not in drafts
    assert '<span class="flag flag--draft">Draft</span>' in drafts


def test_the_list_answers_htmx_with_the_results_only(curator):
    response = curator.get("/admin/events?q=tonnes", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith(("{#", '<div id="event-results"'))
    assert "<html" not in html and "102 tonnes" in html
    assert "HX-Request" in response.headers["Vary"]


def test_a_search_with_sql_wildcards_finds_only_literal_matches(curator):
    assert "No events match." in curator.get("/admin/events?q=%25_%25").get_data(as_text=True)


# ---- creating and publishing ----


def test_a_new_draft_is_saved_with_a_revision_and_audit_entry_but_not_shown(curator, client):
    version = published.content_version()
    response = curator.post("/admin/events/new", event_form())
    event = newest_event()
    assert response.headers["Location"] == f"/admin/events/{event.id}/edit"
    assert event.slug == "a-new-shaft-is-opened" and event.status == Status.DRAFT
    assert event.sources == ["A mine history, 1960", "A newspaper, 1931"]
    assert published.content_version() == version  # drafts do not change what visitors see
    assert client.get(f"/events/{event.slug}").status_code == 404
    assert "A new shaft is opened" not in client.get("/").get_data(as_text=True)
    revision = db.session.scalar(
        select(Revision).where(Revision.entity_type == "event", Revision.entity_id == event.id)
    )
    assert revision.username == "curator" and revision.snapshot["headline"] == "A new shaft is opened"
    entry = db.session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()))
    assert (entry.action, entry.target, entry.username) == ("event.create", f"event {event.slug}", "curator")
    assert "as a draft" in curator.get(response.headers["Location"]).get_data(as_text=True)


def test_publishing_shows_the_event_and_moves_the_content_version(curator, client):
    curator.post("/admin/events/new", event_form())
    event = newest_event()
    before = client.get("/healthz").get_json()["content_version"]
    form = event_form(status="published", slug=event.slug, version=str(event.version))
    response = curator.post(f"/admin/events/{event.id}/edit", form)
    assert response.status_code == 302
    assert client.get("/healthz").get_json()["content_version"] != before
    assert "A new shaft is opened" in client.get("/").get_data(as_text=True)
    assert client.get("/events/a-new-shaft-is-opened").status_code == 200
    assert db.session.scalar(select(AuditEntry.action).order_by(AuditEntry.id.desc())) == "event.publish"


def test_slugs_are_unique_and_editable(curator):
    curator.post("/admin/events/new", event_form(headline="Same words"))
    curator.post("/admin/events/new", event_form(headline="Same words", not_a_duplicate="y"))
    assert newest_event().slug == "same-words-2"
    taken = curator.post("/admin/events/new", event_form(slug="same-words"))
    assert (
        field_messages(taken.get_data(as_text=True))["slug"] == "Another event already uses this web address."
    )
    bad = curator.post("/admin/events/new", event_form(slug="Not A Slug!"))
    assert "lowercase letters, digits and hyphens" in field_messages(bad.get_data(as_text=True))["slug"]


def test_save_and_preview_goes_to_the_preview(curator):
    response = curator.post("/admin/events/new", event_form(action="preview"))
    assert response.headers["Location"] == f"/admin/events/{newest_event().id}/preview"


# ---- checks ----


@pytest.mark.parametrize(
    ("typed", "field", "message"),
    [
        ({"headline": "   "}, "headline", "Give the event a headline."),
        ({"headline": "x" * 121}, "headline", "Keep the headline to 120 characters or fewer."),
        ({"start_year": ""}, "start_year", "Enter the year."),
        ({"start_year": "19x5"}, "start_year", "Enter a whole number, like 1935."),
        (
            {"start_year": "1990"},
            "start_year",
            OUTSIDE_THE_SPAN,
        ),
        (
            {"start_year": "1905"},
            "start_year",
            OUTSIDE_THE_SPAN,
        ),
        ({"start_month": "13"}, "start_month", "Month must be between 1 and 12."),
        ({"start_month": "2", "start_day": "29"}, "start_day", "February 1931 has 28 days."),
        ({"start_month": "4", "start_day": "31"}, "start_day", "April 1931 has 30 days."),
        ({"start_day": "3"}, "start_day", "A day needs a month: enter the month too."),
        ({"end_year": "1930"}, "end_year", "The end date is before the start date."),
        ({"end_month": "5"}, "end_year", "Add the year too."),
        ({"end_year": "1931", "end_month": "0"}, "end_month", "Month must be between 1 and 12."),
        ({"era": ""}, "era", "Choose the era this event belongs to."),
        ({"era": "99999"}, "era", "Choose the era this event belongs to."),
        ({"era": "abc"}, "era", "Choose the era this event belongs to."),
        ({"display_date": "d" * 121}, "display_date", "Keep the display date to 120 characters or fewer."),
        ({"confidence": "c" * 81}, "confidence", "Keep the confidence label to 80 characters or fewer."),
        ({"image_alt": "a" * 301}, "image_alt", "Keep the alt text to 300 characters or fewer."),
        ({"status": "deleted"}, "status", "Not a valid choice."),
    ],
)
def test_bad_input_gets_a_message_next_to_its_field_and_changes_nothing(curator, typed, field, message):
    before = snapshot()
    response = curator.post("/admin/events/new", event_form(**typed))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    messages = field_messages(html)
    assert field in messages and message in messages[field]
    if field != "status":  # a group of radio buttons describes itself through its fieldset
        assert re.search(f'aria-describedby="{field}-error[^"]*" aria-invalid="true"', html)
    assert '<div class="error-summary" id="error-summary"' in html and f'href="#{field}' in html
    assert snapshot() == before
    # Everything typed is shown again as typed.
    for name, value in typed.items():
        if name not in {"era", "status"} and value.strip():
            assert f'value="{value}"' in html or f">{value}</textarea>" in html, name


def test_a_postscript_may_fall_after_the_timeline(curator):
    response = curator.post("/admin/events/new", event_form(start_year="1988", postscript="y"))
    assert response.status_code == 302
    assert newest_event().postscript and newest_event().start_year == 1988


def test_a_leap_day_and_a_span_are_fine(curator):
    response = curator.post(
        "/admin/events/new",
        event_form(start_year="1936", start_month="2", start_day="29", end_year="1936", end_month="3"),
    )
    assert response.status_code == 302
    event = newest_event()
    assert (event.start_day, event.end_month, event.sort_key) == (29, 3, 19360229)


def test_bad_input_on_an_existing_event_changes_nothing(curator, app):
    event = make_event(headline="Original headline")
    before = snapshot()
    response = curator.post(
        f"/admin/events/{event.id}/edit",
        event_form(headline="", slug=event.slug, start_month="2", start_day="30", version="1"),
    )
    assert response.status_code == 422
    db.session.refresh(event)
    assert event.headline == "Original headline" and snapshot() == before


# ---- inline checks ----


def test_the_inline_check_answers_for_touched_fields_only(curator):
    before = snapshot()
    response = curator.post(
        "/admin/events/check", event_form(headline="", start_year="1990", touched="start_year,start_day")
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    slots = re.findall(
        r'<p class="field__error" id="([a-z_]+)-error" aria-live="polite" data-hx-swap-oob="innerHTML">', html
    )
    assert slots == ["start_year", "start_day"]  # not the headline, which they have not reached yet
    assert "Year must be between 1906 and 1977, or mark the event as a postscript." in html
    assert "error-summary" not in html
    assert snapshot() == before


def test_the_inline_check_clears_a_fixed_message_and_updates_the_summary(curator):
    response = curator.post(
        "/admin/events/check", event_form(start_year="1950", touched="start_year", error_summary="1")
    )
    html = response.get_data(as_text=True)
    assert re.search(r'id="start_year-error"[^>]*hx-swap-oob="innerHTML"></p>', html)
    summary = re.search(r'<div class="error-summary" id="error-summary"[^>]*>', html).group(0)
    assert " hidden" in summary and 'hx-swap-oob="true"' in summary


def test_the_inline_check_knows_about_a_chosen_image(curator):
    html = curator.post("/admin/events/check", event_form(image_chosen="1", touched="image_alt")).get_data(
        as_text=True
    )
    assert "Describe the image in a sentence" in html


def test_the_text_preview_is_rendered_and_sanitised_as_on_the_kiosk(curator):
    body = '**Bold** <script>alert(1)</script> [out](https://example.org) [in](/events/x) <b hx-get="/x">'
    html = curator.post("/admin/text-preview", {"body": body}).get_data(as_text=True)
    assert "<strong>Bold</strong>" in html and '<a href="/events/x">in</a>' in html
    assert "&lt;script&gt;" in html and "<script" not in html  # shown as text, never run
    assert "example.org" not in html and not re.search(r"<[^>]*hx-get", html)


# ---- preview ----


def test_preview_shows_a_draft_exactly_as_the_kiosk_would(curator, client):
    draft = make_event(headline="Draft for preview", status=Status.DRAFT, body="Some *text*.")
    html = curator.get(f"/admin/events/{draft.id}/preview").get_data(as_text=True)
    assert "Preview — not published" in html
    assert '<h1 class="event__headline" id="event-title" tabindex="-1">Draft for preview</h1>' in html
    assert "<em>text</em>" in html and "/static/dist/build/css/kiosk." in html  # the kiosk's own stylesheet
    assert client.get(f"/events/{draft.slug}").status_code == 404


def test_preview_matches_the_kiosk_page_for_a_published_event(curator, client):
    event = db.session.scalar(select(Event).where(Event.slug == FIXTURE.record_event))
    kiosk = client.get(f"/events/{event.slug}").get_data(as_text=True)
    preview = curator.get(f"/admin/events/{event.id}/preview").get_data(as_text=True)
    article = re.search(r"<article.*?</article>", kiosk, re.DOTALL).group(0)
    assert article in preview and "Preview — published" in preview


# ---- the trash (conflicts: test_conflicts.py) ----


def test_delete_asks_first_then_moves_the_event_to_the_trash(curator, client):
    event = make_event(headline="Soon in the trash")
    confirm = curator.get(f"/admin/events/{event.id}/delete")
    assert "Move to the trash" in confirm.get_data(as_text=True)
    db.session.refresh(event)
    assert event.deleted_at is None  # asking changed nothing
    version = client.get("/healthz").get_json()["content_version"]
    response = curator.post(f"/admin/events/{event.id}/delete", {"version": str(event.version)})
    assert response.headers["Location"] == "/admin/events"
    db.session.refresh(event)
    assert event.deleted_at is not None
    assert client.get(f"/events/{event.slug}").status_code == 404
    assert client.get("/healthz").get_json()["content_version"] != version
    assert "Moved “Soon in the trash” to the trash." in curator.get("/admin/events").get_data(as_text=True)
    assert "Soon in the trash" not in curator.get("/admin/events").get_data(as_text=True)
    assert curator.get(f"/admin/events/{event.id}/edit").status_code == 404
    assert db.session.scalar(select(AuditEntry.action).order_by(AuditEntry.id.desc())) == "event.trash"


def test_unknown_events_are_a_plain_404(curator):
    response = curator.get("/admin/events/99999/edit")
    assert response.status_code == 404
    assert "We could not find that." in response.get_data(as_text=True)


def test_every_date_problem_shows_at_once(curator):
    response = curator.post(
        "/admin/events/new", event_form(start_year="1990", start_day="12", end_year="1931", end_month="14")
    )
    messages = field_messages(response.get_data(as_text=True))
    assert messages["start_year"] == OUTSIDE_THE_SPAN
    assert messages["start_day"] == "A day needs a month: enter the month too."
    assert messages["end_month"] == "Month must be between 1 and 12."


def test_the_same_headline_and_date_saved_twice_is_asked_about_first(curator):
    curator.post("/admin/events/new", event_form(headline="A new shaft is opened"))
    first = newest_event()
    again = curator.post("/admin/events/new", event_form(headline="a new  SHAFT is opened"))
    html = again.get_data(as_text=True)
    assert again.status_code == 422 and newest_event().id == first.id  # nothing saved
    assert "“A new shaft is opened” (1931) is on the list already." in field_messages(html)["headline"]
    assert f'href="/admin/events/{first.id}/edit"' in html and 'name="not_a_duplicate"' in html
    # The inline check says so while the curator types.
    check = curator.post(
        "/admin/events/check", event_form(headline="A new shaft is opened", touched="headline")
    ).get_data(as_text=True)
    assert "is on the list already" in check
    # Another year is another event; confirmed, the same year is saved too.
    assert curator.post("/admin/events/new", event_form(start_year="1932")).status_code == 302
    confirmed = curator.post("/admin/events/new", event_form(not_a_duplicate="y"))
    assert confirmed.status_code == 302 and newest_event().id != first.id
    # Saving the first one again, unchanged, is not asked about.
    url = f"/admin/events/{first.id}/edit"
    assert curator.post(url, event_form(version=str(first.version), slug=first.slug)).status_code == 302


def test_the_text_preview_shows_the_saved_text_before_anything_is_typed(curator):
    event = db.session.scalar(select(Event).where(Event.slug == FIXTURE.record_event))
    html = curator.get(f"/admin/events/{event.id}/edit").get_data(as_text=True)
    preview = re.search(r'<div class="prose" id="body-preview">(.*?)</div>', html, re.DOTALL).group(1)
    assert "Nothing written yet." not in preview and "<em>reported at the time</em>" in preview


def test_moving_an_event_to_the_trash_offers_undo(curator, client):
    event = db.session.scalar(select(Event).where(Event.slug == FIXTURE.plain_event))
    moved = curator.post(f"/admin/events/{event.id}/delete", {"version": str(event.version)})
    listed = curator.get(moved.headers["Location"]).get_data(as_text=True)
    undo = re.search(
        r'<form class="flash flash--success flash--undo" method="post" action="([^"]+)">', listed
    )
    assert undo and "Moved “Output norms go up” to the trash." in listed
    back = curator.post(undo.group(1), form_values(listed, undo.group(1)))
    assert back.headers["Location"] == "/admin/events"
    db.session.refresh(event)
    assert event.deleted_at is None and client.get(f"/events/{event.slug}").status_code == 200
    assert "flash--undo" not in curator.get("/admin/events").get_data(as_text=True)  # offered once
