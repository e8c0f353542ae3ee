"""The Places view and figures in real Chromium with touch: tap Places, tap a marker, read its events,
go back to the timeline; switch language on Places; figures on their events; no accessibility violations;
nothing fetched from outside.
"""

import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from kiosk.extensions import db
from kiosk.models import VisitorEvent

from ..fixture_timeline import FIXTURE
from .conftest import assert_accessible
from .kiosk import Fingers, centre, open_event, wait_until

pytestmark = pytest.mark.browser


def wait_for_place_counted(live_server, key: str, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while True:
        with live_server.app.app_context():
            found = db.session.scalar(
                select(func.count(VisitorEvent.id)).where(
                    VisitorEvent.type == "place", VisitorEvent.subject == key
                )
            )
            db.session.remove()
        if found:
            return
        assert time.monotonic() < deadline, f"the server never heard of {key}"
        time.sleep(0.1)


@pytest.mark.parametrize("live_config", [{"ANALYTICS_SEND_SECONDS": 1}], indirect=True)
def test_a_visitor_opens_places_taps_a_marker_reads_its_events_and_returns(page, live_server):
    finger = Fingers(page)
    page.goto(live_server.url + "/?kiosk=gallery-3")  # a kiosk (the first on this machine enrols itself)
    finger.tap(*centre(page, "[data-places]"))
    expect(page.locator(".places-map")).to_be_visible()
    assert page.evaluate("document.querySelector('.places-map image').getBBox().width") > 0
    assert_accessible(page)
    wait_until(page, "window.Kiosk.analytics && !window.Kiosk.analytics.waiting")
    marker = page.locator('[data-place-marker="chistyakovo-torez"] .marker__hit')
    box = marker.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44  # tappable even though Torez is in the inset
    finger.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page.locator("#place-title")).to_have_text("Chistyakovo (Torez)")
    # The place stands out on the map, and only that one.
    expect(page.locator(".marker--chosen")).to_have_attribute("data-place-marker", "chistyakovo-torez")
    wait_for_place_counted(live_server, "chistyakovo-torez")  # measuring use hears of the place tapped
    expect(page.locator(".place-event", has_text="Dies in Torez")).to_be_visible()
    assert_accessible(page)
    finger.tap(*centre(page, f'[data-place-event="{FIXTURE.death_event}"]'))
    expect(page.locator("#event-title")).to_have_text("Dies in Torez")
    expect(page.locator(".locator__name")).to_have_text("Chistyakovo (Torez)")
    page.go_back()
    finger.tap(*centre(page, "[data-places-back]"))
    expect(page.locator("#track")).to_be_visible()
    assert page.outside_requests == [] and page.errors == []


def test_a_visitor_switches_language_on_places_by_touch_and_reads_a_place_in_it(page, live_server):
    finger = Fingers(page)
    page.goto(live_server.url + "/?kiosk=gallery-3")  # a kiosk (the first on this machine enrols itself)
    finger.tap(*centre(page, "[data-places]"))
    page.wait_for_url(live_server.url + "/places")
    baseline = page.evaluate("history.length")

    finger.tap(*centre(page, ".dock--places [data-language=ru]"))  # the switch keeps the visitor on Places
    page.wait_for_url(live_server.url + "/ru/places")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.locator(".masthead__title")).to_have_text("Места")
    expect(page.locator(".dock--places [data-language=ru]")).to_have_attribute("aria-current", "true")
    expect(page.locator(".places-map")).to_be_visible()
    assert_accessible(page)

    finger.tap(*centre(page, '[data-place-marker="chistyakovo-torez"] .marker__hit'))
    expect(page.locator("#place-title")).to_have_text("Чистяково (Торез)")
    expect(page.locator(".place-event", has_text="Умирает в Торезе")).to_be_visible()
    # With a place open (loaded by htmx), the switch keeps the place too.
    finger.tap(*centre(page, ".dock--places [data-language=uk]"))
    page.wait_for_url(live_server.url + "/uk/places/chistyakovo-torez")
    expect(page.locator("html")).to_have_attribute("lang", "uk")
    expect(page.locator("#place-title")).to_have_text("Чистякове (Торез)")
    expect(page.locator(".dock--places [data-language=uk]")).to_have_attribute("aria-current", "true")
    assert_accessible(page)
    assert page.evaluate("history.length") == baseline  # switching added nothing to go back through

    finger.tap(*centre(page, f'[data-place-event="{FIXTURE.death_event}"]'))
    page.wait_for_url(f"{live_server.url}/uk/events/{FIXTURE.death_event}")
    expect(page.locator("#event-title")).to_have_text("Помирає в Торезі")
    expect(page.locator(".event__date")).to_have_text("5 листопада 1977 р.")
    assert page.outside_requests == [] and page.errors == []


@pytest.mark.parametrize("preference", ["", "contrast-high", "text-large"])
def test_figures_show_on_their_events_in_every_reading_mode(page, live_server, preference):
    page.goto(live_server.url + "/")
    if preference:
        page.locator(f'.dock [data-preference="{preference}"]').click()
    open_event(page, FIXTURE.record_event)
    chart = page.locator("#event-layer .chart__bars")
    expect(chart).to_be_visible()
    expect(page.locator("#event-layer .chart__value").last).to_have_text("102\u00a0t")
    assert chart.bounding_box()["height"] > 150
    assert_accessible(page)
    assert page.outside_requests == []
