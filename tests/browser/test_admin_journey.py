"""A curator in a real browser: signs in, trips over a check, fixes it, publishes an event with a photo,
sees it on the kiosk; previews a draft. The admin pages have no accessibility violations."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from kiosk.extensions import db
from kiosk.models import Role

from ..fixture_timeline import FIXTURE
from ..helpers import make_user
from .conftest import assert_accessible
from .curators import photo_file, sign_in

pytestmark = pytest.mark.browser


def test_sign_in_make_a_mistake_fix_it_publish_and_see_it_on_the_kiosk(
    page, live_server, curator_account, tmp_path
):
    page.goto(live_server.url + "/admin/login")
    assert_accessible(page)
    sign_in(page, live_server)
    assert_accessible(page)

    page.get_by_role("link", name="New event").click()
    page.get_by_label("Headline").fill("Stakhanov opens a pithead museum")
    year, month, day = (page.get_by_label(name, exact=True) for name in ("Year", "Month", "Day"))
    year.fill("1990")
    # The check runs as the curator types: the message appears next to the field, nothing is submitted.
    year_message = page.locator("#field-start_year .field__error")
    expect(year_message).to_have_text(
        "Year must be between 1906 and 1977, or mark the event as a postscript."
    )
    expect(year).to_have_attribute("aria-invalid", "true")
    expect(year).to_have_attribute("aria-describedby", re.compile("start_year-error"))
    assert page.url.endswith("/admin/events/new")

    year.fill("1936")
    month.fill("2")
    day.fill("30")
    expect(page.locator("#field-start_day .field__error")).to_have_text("February 1936 has 29 days.")
    expect(year_message).to_be_empty()
    expect(year).to_have_attribute("aria-invalid", "false")
    day.fill("29")
    expect(page.locator("#field-start_day .field__error")).to_be_empty()

    page.get_by_label("Era").select_option(label="In the limelight (1935–1942)")
    page.get_by_label("Summary").fill("A small museum opens at the pithead of Central-Irmino.")
    page.get_by_label("Text", exact=True).fill("It shows his **pick** and lamp.")
    expect(page.locator("#body-preview strong")).to_have_text("pick")  # the live preview
    page.get_by_label("Sources").fill("A local newspaper, 1936")
    page.get_by_label("Image", exact=True).set_input_files(photo_file(tmp_path))
    expect(page.locator("#field-image_alt .field__error")).to_contain_text("Describe the image")
    page.get_by_label("Alt text").fill("A pithead tower against a grey sky")
    page.get_by_label("Caption").fill("The pithead in winter")
    expect(page.locator("#field-image_alt .field__error")).to_be_empty()
    assert_accessible(page)

    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.locator(".flash--success")).to_contain_text("The kiosk shows it now.")
    assert_accessible(page)  # the edit page of a saved event

    page.goto(live_server.url + "/")
    card = page.locator("#event-stakhanov-opens-a-pithead-museum")
    card.scroll_into_view_if_needed()
    card.click()
    expect(page.locator("#event-title")).to_have_text("Stakhanov opens a pithead museum")
    expect(page.locator(".event__image")).to_have_attribute("alt", "A pithead tower against a grey sky")
    assert page.locator(".event__image").evaluate("img => img.complete && img.naturalWidth") == 1440
    assert page.outside_requests == [] and page.errors == []


def test_preview_a_draft_that_the_kiosk_does_not_show(page, live_server, curator_account):
    sign_in(page, live_server)
    page.goto(live_server.url + "/admin/events/new")
    page.get_by_label("Headline").fill("A draft nobody sees yet")
    page.get_by_label("Year", exact=True).fill("1935")
    page.get_by_label("Era").select_option(label="August 1935 (1935–1935)")
    page.get_by_role("button", name="Preview").click()

    expect(page.locator(".preview-banner")).to_contain_text("Preview — not published")
    expect(page.locator("h1#event-title")).to_have_text("A draft nobody sees yet")
    page.get_by_role("link", name="Back to editing").click()
    expect(page.get_by_role("heading", name="Edit event")).to_be_visible()

    page.goto(live_server.url + "/")
    expect(page.locator("#track")).to_be_visible()
    assert page.get_by_text("A draft nobody sees yet").count() == 0
    assert page.outside_requests == [] and page.errors == []


def test_the_event_list_filters_as_the_curator_types(page, live_server, curator_account):
    sign_in(page, live_server)
    rows = page.locator("#event-results tbody tr")
    expect(rows).to_have_count(len(FIXTURE.event_slugs))
    with page.expect_request(re.compile(r"/admin/events\?q=tonnes")) as request:
        page.get_by_label("Search").fill("tonnes")
    assert request.value.headers.get("hx-request") == "true"
    expect(rows.filter(has_text="Born in Lugovaya")).to_have_count(0)
    expect(rows.filter(has_text="102 tonnes in one night")).to_have_count(1)
    page.get_by_label("Status").select_option(label="Drafts only")
    expect(page.get_by_text("No events match.")).to_be_visible()


def test_the_other_admin_pages_are_accessible_too(page, live_server):
    with live_server.app.app_context():
        make_user("curator", Role.ADMIN)
        db.session.remove()
    sign_in(page, live_server)
    for path in ("/admin/eras", "/admin/eras/1/edit", "/admin/eras/3/delete", "/admin/settings"):
        page.goto(live_server.url + path)
        assert_accessible(page)
    page.get_by_label("Idle timeout (seconds)").fill("5")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#idle_seconds-error")).to_have_text(
        "Choose a number of seconds between 30 and 600: for 2 minutes, 120."
    )
    assert_accessible(page)  # a form with an error summary and a message


def test_a_curator_picks_a_known_place_and_draws_a_figure(page, live_server, curator_account):
    sign_in(page, live_server)
    page.get_by_role("link", name="New event").click()
    page.get_by_label("Headline").fill("A visit to Karaganda")
    page.get_by_label("Year", exact=True).fill("1965")
    page.get_by_label("Era").select_option(label="Donbas again (1957–1974)")
    page.get_by_label("Summary").fill("He returns to the mine he once ran.")
    page.get_by_label("Place", exact=True).fill("Karaganda")
    page.get_by_label("Place", exact=True).dispatch_event("change")
    expect(page.get_by_label("Latitude")).to_have_value("49.8047")
    expect(page.get_by_label("Place note")).to_have_value(re.compile("Kazakh SSR"))
    page.get_by_label("Figure title").fill("Coal in one shift")
    page.get_by_label("Figure rows").fill("Norm | 7 | t\nRecord | 102 | t")
    page.get_by_label("Figure source").fill("Great Soviet Encyclopedia")
    assert_accessible(page)
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.locator(".flash--success")).to_contain_text("The kiosk shows it now.")
    page.goto(live_server.url + "/places/karaganda")
    expect(page.locator(".place-event", has_text="A visit to Karaganda")).to_be_visible()
