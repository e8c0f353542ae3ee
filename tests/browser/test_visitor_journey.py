"""A visitor at the touch screen: tap an event, read it, go back to the same place."""

import re

import pytest
from playwright.sync_api import expect

from ..fixture_timeline import FIXTURE
from .conftest import assert_accessible

pytestmark = pytest.mark.browser
RECORD, BIRTH = FIXTURE.record_event, FIXTURE.birth_event


def test_tap_an_event_then_back_returns_to_the_same_place(page, live_server):
    page.goto(live_server.url + "/")
    track = page.locator("#track")
    card = page.locator(f"#event-{RECORD}")
    card.scroll_into_view_if_needed()
    scrolled = track.evaluate("t => t.scrollLeft")
    assert scrolled > 0

    with page.expect_request(re.compile(rf"/events/{RECORD}$")) as request:
        card.tap()
    assert request.value.headers.get("hx-request") == "true"  # a fragment, not a full page load
    expect(page.locator("#event-layer")).to_be_visible()
    expect(page.locator("#event-title")).to_have_text("102 tonnes in one night")
    assert page.url == f"{live_server.url}/events/{RECORD}"

    page.go_back()
    expect(page.locator("#event-layer")).to_be_hidden()
    assert page.url == live_server.url + "/"
    assert track.evaluate("t => t.scrollLeft") == scrolled
    assert page.outside_requests == [] and page.errors == []


def test_next_and_previous_replace_the_address_so_back_leads_home(page, live_server):
    page.goto(live_server.url + "/")
    page.locator(f"#event-{FIXTURE.mine_event}").tap()
    expect(page.locator("#event-title")).to_have_text("Down the mine in Kadiivka")
    page.locator("#event-layer a[rel=next]").tap()
    expect(page.locator("#event-title")).to_have_text("102 tonnes in one night")
    assert page.url.endswith(f"/events/{RECORD}")
    page.go_back()
    expect(page.locator("#event-layer")).to_be_hidden()
    assert page.url == live_server.url + "/"


def test_back_to_the_timeline_button_and_escape_close_the_event(page, live_server):
    page.goto(live_server.url + "/")
    page.locator(f"#event-{BIRTH}").tap()
    expect(page.locator("#event-layer")).to_be_visible()
    page.get_by_role("link", name="Back to the timeline").tap()
    expect(page.locator("#event-layer")).to_be_hidden()
    assert page.url == live_server.url + "/"
    page.locator(f"#event-{BIRTH}").tap()
    expect(page.locator("#event-layer")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#event-layer")).to_be_hidden()


def test_event_page_loaded_directly(page, live_server):
    page.goto(f"{live_server.url}/events/{BIRTH}")
    expect(page.locator("h1#event-title")).to_have_text("Born in Lugovaya")
    page.get_by_text("Sources (2)").tap()
    expect(page.locator(".sources__list")).to_be_visible()


def test_everything_works_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.locator(f"#event-{BIRTH}").click()
    page.wait_for_url(f"**/events/{BIRTH}")
    expect(page.locator("h1#event-title")).to_have_text("Born in Lugovaya")
    page.locator("a[rel=next]").click()
    page.wait_for_url(f"**/events/{FIXTURE.boyhood_event}")
    context.close()


def test_timeline_and_event_have_no_accessibility_violations(page, live_server):
    page.goto(live_server.url + "/")
    assert_accessible(page)
    page.locator(f"#event-{RECORD}").tap()
    expect(page.locator("#event-layer")).to_be_visible()
    assert_accessible(page)
    page.goto(f"{live_server.url}/events/{FIXTURE.image_event}")  # a page with a photograph
    assert_accessible(page)


def test_not_found_page_is_in_the_design_and_accessible(page, live_server):
    response = page.goto(live_server.url + "/events/nothing-here")
    assert response.status == 404
    expect(page.get_by_role("heading", name="We could not find that page.")).to_be_visible()
    assert_accessible(page)
