"""A technician pulls the server's plug and puts it back; a curator publishes while a visitor reads."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from kiosk.models import Event, Status

from .kiosk import content_of, open_event, wait_until

pytestmark = pytest.mark.browser

QUICK_POLL = {"VERSION_POLL_SECONDS": 1}


def set_headline(live_server, slug: str, headline: str) -> None:
    with content_of(live_server) as session:
        session.scalar(select(Event).where(Event.slug == slug)).headline = headline


@pytest.mark.parametrize("live_config", [QUICK_POLL], indirect=True)
def test_with_the_server_down_a_reload_still_shows_the_timeline_and_the_kiosk_reconnects(
    kiosk_page, live_server
):
    page = kiosk_page
    page.goto(live_server.url + "/")
    wait_until(page, "navigator.serviceWorker.controller !== null")  # installed: everything is kept

    live_server.stop()
    page.reload()
    expect(page.locator("#event-born-in-lugovaya")).to_be_visible()
    open_event(page, "record-shift-102-tonnes")
    page.locator("#event-layer a[rel=next]").tap()
    expect(page.locator("#event-title")).to_have_text("Declared a “world record”")
    page.reload()  # an event page too
    expect(page.locator("h1#event-title")).to_have_text("Declared a “world record”")
    page.get_by_role("link", name="Back to the timeline").tap()
    expect(page.locator("#event-declared-a-world-record")).to_be_in_viewport()
    wait_until(page, "document.documentElement.classList.contains('is-offline')")

    live_server.start()
    set_headline(live_server, "born-in-lugovaya", "Born in the village of Lugovaya")
    wait_until(page, "!document.documentElement.classList.contains('is-offline')", timeout_ms=15_000)
    open_event(page, "record-shift-planned")
    page.get_by_role("link", name="Back to the timeline").tap()
    expect(page.locator("#event-born-in-lugovaya")).to_contain_text("Born in the village of Lugovaya")


def test_a_failed_request_shows_a_gentle_message_and_never_an_error_page(page, live_server):
    page.goto(live_server.url + "/")
    live_server.stop()
    page.locator("#event-born-in-lugovaya").tap()
    expect(page.get_by_role("status")).to_have_text("That page did not load. Please try again in a moment.")
    expect(page.locator("#event-layer")).to_be_hidden()
    assert page.url == live_server.url + "/"

    live_server.start()
    open_event(page, "born-in-lugovaya")


@pytest.mark.parametrize("live_config", [QUICK_POLL], indirect=True)
def test_a_publish_reaches_an_open_kiosk_without_interrupting_the_visitor(page, live_server):
    page.goto(live_server.url + "/")
    baseline = page.evaluate("history.length")
    open_event(page, "record-shift-102-tonnes")
    page.locator("#event-layer [data-preference=text-large]").tap()
    with content_of(live_server) as session:
        session.scalar(select(Event).where(Event.slug == "norms-raised")).headline = "Output norms go up"

    # The kiosk hears of the publish and keeps it for the visitor's next navigation...
    wait_until(page, "document.documentElement.dataset.update === 'pending'", timeout_ms=15_000)
    # ...and the visitor reads on.
    expect(page.locator("#event-title")).to_have_text("102 tonnes in one shift")
    assert page.url == live_server.url + "/events/record-shift-102-tonnes"

    page.get_by_role("link", name="Back to the timeline").tap()  # the next navigation brings it in
    expect(page.locator("#event-norms-raised")).to_contain_text("Output norms go up")
    expect(page.locator("#event-record-shift-102-tonnes")).to_be_in_viewport()  # at the same place
    expect(page.locator("[data-preference=text-large]")).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("history.length") <= baseline + 1


@pytest.mark.parametrize("live_config", [QUICK_POLL], indirect=True)
def test_an_event_withdrawn_since_the_timeline_loaded_is_explained_and_dropped(page, live_server):
    page.goto(live_server.url + "/")
    with content_of(live_server) as session:
        session.scalar(select(Event).where(Event.slug == "hired-out-as-a-boy")).status = Status.DRAFT

    page.locator("#event-hired-out-as-a-boy").tap()
    expect(page.get_by_role("status")).to_contain_text("That event is no longer on display.")
    expect(page.locator("#event-hired-out-as-a-boy")).to_have_count(0)
    expect(page.locator("#event-layer")).to_be_hidden()


def test_with_the_server_down_a_visitor_still_reads_what_happened_at_a_place(kiosk_page, live_server):
    page = kiosk_page
    page.goto(live_server.url + "/")
    wait_until(page, "navigator.serviceWorker.controller !== null")  # installed: everything is kept

    live_server.stop()
    page.locator("[data-places]").tap()
    expect(page.locator(".places-map")).to_be_visible()
    page.locator('[data-place="chystiakove-torez"]').tap()  # htmx asks for the place's panel
    expect(page.locator("#place-title")).to_have_text("Chystiakove (Torez)")
    expect(page.locator(".place-event", has_text="Death in Torez")).to_be_visible()
    live_server.start()
