"""A visitor at the touch screen: tap an event, read it, go back to the same place."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import assert_accessible

pytestmark = pytest.mark.browser


def test_tap_an_event_then_back_returns_to_the_same_place(page, live_server):
    page.goto(live_server.url + "/")
    track = page.locator("#track")
    card = page.locator("#event-record-shift-102-tonnes")
    card.scroll_into_view_if_needed()
    scrolled = track.evaluate("t => t.scrollLeft")
    assert scrolled > 0

    with page.expect_request(re.compile(r"/events/record-shift-102-tonnes$")) as request:
        card.tap()
    assert request.value.headers.get("hx-request") == "true"  # a fragment, not a full page load
    expect(page.locator("#event-layer")).to_be_visible()
    expect(page.locator("#event-title")).to_have_text("102 tonnes in one shift")
    assert page.url == live_server.url + "/events/record-shift-102-tonnes"

    page.go_back()
    expect(page.locator("#event-layer")).to_be_hidden()
    assert page.url == live_server.url + "/"
    assert track.evaluate("t => t.scrollLeft") == scrolled
    assert page.outside_requests == [] and page.errors == []


def test_next_and_previous_replace_the_address_so_back_leads_home(page, live_server):
    page.goto(live_server.url + "/")
    page.locator("#event-record-shift-planned").tap()
    expect(page.locator("#event-title")).to_have_text("A record shift is planned")
    page.locator("#event-layer a[rel=next]").tap()
    expect(page.locator("#event-title")).to_have_text("102 tonnes in one shift")
    assert page.url.endswith("/events/record-shift-102-tonnes")
    page.go_back()
    expect(page.locator("#event-layer")).to_be_hidden()
    assert page.url == live_server.url + "/"


def test_back_to_the_timeline_button_and_escape_close_the_event(page, live_server):
    page.goto(live_server.url + "/")
    page.locator("#event-born-in-lugovaya").tap()
    expect(page.locator("#event-layer")).to_be_visible()
    page.get_by_role("link", name="Back to the timeline").tap()
    expect(page.locator("#event-layer")).to_be_hidden()
    assert page.url == live_server.url + "/"
    page.locator("#event-born-in-lugovaya").tap()
    expect(page.locator("#event-layer")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#event-layer")).to_be_hidden()


def test_event_page_loaded_directly(page, live_server):
    page.goto(live_server.url + "/events/born-in-lugovaya")
    expect(page.locator("h1#event-title")).to_have_text("Born in Lugovaya, Russia")
    page.get_by_text("Sources (3)").tap()
    expect(page.locator(".sources__list")).to_be_visible()


def test_everything_works_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.locator("#event-born-in-lugovaya").click()
    page.wait_for_url("**/events/born-in-lugovaya")
    expect(page.locator("h1#event-title")).to_have_text("Born in Lugovaya, Russia")
    page.locator("a[rel=next]").click()
    page.wait_for_url("**/events/hired-out-as-a-boy")
    context.close()


def test_timeline_and_event_have_no_accessibility_violations(page, live_server):
    page.goto(live_server.url + "/")
    assert_accessible(page)
    page.locator("#event-record-shift-102-tonnes").tap()
    expect(page.locator("#event-layer")).to_be_visible()
    assert_accessible(page)
    page.goto(live_server.url + "/events/becomes-a-coal-cutter")
    assert_accessible(page)


def test_not_found_page_is_in_the_design_and_accessible(page, live_server):
    response = page.goto(live_server.url + "/events/nothing-here")
    assert response.status == 404
    expect(page.get_by_role("heading", name="We could not find that page.")).to_be_visible()
    assert_accessible(page)
