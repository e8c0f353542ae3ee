"""A technician pulls the server's plug and puts it back; a curator publishes while a visitor reads."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from kiosk.models import Event, Status

from ..fixture_timeline import FIXTURE
from .kiosk import content_of, open_event, wait_until

pytestmark = pytest.mark.browser
BIRTH, RECORD = FIXTURE.birth_event, FIXTURE.record_event

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
    expect(page.locator(f"#event-{BIRTH}")).to_be_visible()
    open_event(page, RECORD)
    page.locator("#event-layer a[rel=next]").tap()
    expect(page.locator("#event-title")).to_have_text("A “world record” declared")
    page.reload()  # an event page too
    expect(page.locator("h1#event-title")).to_have_text("A “world record” declared")
    page.get_by_role("link", name="Back to the timeline").tap()
    expect(page.locator(f"#event-{FIXTURE.image_event}")).to_be_in_viewport()
    wait_until(page, "document.documentElement.classList.contains('is-offline')")

    live_server.start()
    set_headline(live_server, BIRTH, "Born in the village of Lugovaya")
    wait_until(page, "!document.documentElement.classList.contains('is-offline')", timeout_ms=15_000)
    open_event(page, FIXTURE.mine_event)
    page.get_by_role("link", name="Back to the timeline").tap()
    expect(page.locator(f"#event-{BIRTH}")).to_contain_text("Born in the village of Lugovaya")


def test_a_failed_request_shows_a_gentle_message_and_never_an_error_page(page, live_server):
    page.goto(live_server.url + "/")
    live_server.stop()
    page.locator(f"#event-{BIRTH}").tap()
    expect(page.get_by_role("status")).to_have_text("That page did not load. Please try again in a moment.")
    expect(page.locator("#event-layer")).to_be_hidden()
    assert page.url == live_server.url + "/"

    live_server.start()
    open_event(page, BIRTH)


@pytest.mark.parametrize("live_config", [QUICK_POLL], indirect=True)
def test_a_publish_reaches_an_open_kiosk_without_interrupting_the_visitor(page, live_server):
    page.goto(live_server.url + "/")
    baseline = page.evaluate("history.length")
    open_event(page, RECORD)
    page.locator("#event-layer [data-preference=text-large]").tap()
    set_headline(live_server, FIXTURE.plain_event, "Output norms are raised again")

    # The kiosk hears of the publish and keeps it for the visitor's next navigation...
    wait_until(page, "document.documentElement.dataset.update === 'pending'", timeout_ms=15_000)
    # ...and the visitor reads on.
    expect(page.locator("#event-title")).to_have_text("102 tonnes in one night")
    assert page.url == f"{live_server.url}/events/{RECORD}"

    page.get_by_role("link", name="Back to the timeline").tap()  # the next navigation brings it in
    expect(page.locator(f"#event-{FIXTURE.plain_event}")).to_contain_text("Output norms are raised again")
    expect(page.locator(f"#event-{RECORD}")).to_be_in_viewport()  # at the same place
    expect(page.locator("[data-preference=text-large]")).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("history.length") <= baseline + 1


@pytest.mark.parametrize("live_config", [QUICK_POLL], indirect=True)
def test_an_event_withdrawn_since_the_timeline_loaded_is_explained_and_dropped(page, live_server):
    page.goto(live_server.url + "/")
    with content_of(live_server) as session:
        session.scalar(select(Event).where(Event.slug == FIXTURE.boyhood_event)).status = Status.DRAFT

    page.locator(f"#event-{FIXTURE.boyhood_event}").tap()
    expect(page.get_by_role("status")).to_contain_text("That event is no longer on display.")
    expect(page.locator(f"#event-{FIXTURE.boyhood_event}")).to_have_count(0)
    expect(page.locator("#event-layer")).to_be_hidden()


def test_with_the_server_down_a_visitor_still_reads_what_happened_at_a_place(kiosk_page, live_server):
    page = kiosk_page
    page.goto(live_server.url + "/")
    wait_until(page, "navigator.serviceWorker.controller !== null")  # installed: everything is kept

    live_server.stop()
    page.locator("[data-places]").tap()
    expect(page.locator(".places-map")).to_be_visible()
    page.locator('[data-place="chistyakovo-torez"]').tap()  # htmx asks for the place's panel
    expect(page.locator("#place-title")).to_have_text("Chistyakovo (Torez)")
    expect(page.locator(".place-event", has_text="Dies in Torez")).to_be_visible()
    live_server.start()
