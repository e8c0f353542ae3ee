"""The Places view and figures in real Chromium with touch: tap Places, tap a marker, read its events,
go back to the timeline; figures on their events; no accessibility violations; nothing fetched from outside.
"""

import pytest
from playwright.sync_api import expect

from .conftest import assert_accessible
from .kiosk import Fingers, centre, open_event

pytestmark = pytest.mark.browser


def test_a_visitor_opens_places_taps_a_marker_reads_its_events_and_returns(page, live_server):
    finger = Fingers(page)
    page.goto(live_server.url + "/")
    finger.tap(*centre(page, "[data-places]"))
    expect(page.locator(".places-map")).to_be_visible()
    assert page.evaluate("document.querySelector('.places-map image').getBBox().width") > 0
    assert_accessible(page)
    # Measuring use (issue 15) hears of the place tapped, through Kiosk.analytics once it exists.
    page.evaluate(
        "window.Kiosk.analytics = {record: (kind, detail) => (window.heard = [kind, detail.subject])}"
    )
    marker = page.locator('[data-place-marker="chistyakovo-torez"] .marker__hit')
    box = marker.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44  # tappable even though Torez is in the inset
    finger.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page.locator("#place-title")).to_have_text("Chistyakovo (Torez)")
    assert page.evaluate("window.heard") == ["place", "chistyakovo-torez"]
    expect(page.locator(".place-event", has_text="Death in Torez")).to_be_visible()
    assert_accessible(page)
    finger.tap(*centre(page, '[data-place-event="death-in-torez"]'))
    expect(page.locator("#event-title")).to_have_text("Death in Torez")
    expect(page.locator(".locator__name")).to_have_text("Chistyakovo (Torez)")
    page.go_back()
    finger.tap(*centre(page, "[data-places-back]"))
    expect(page.locator("#track")).to_be_visible()
    assert page.outside_requests == [] and page.errors == []


@pytest.mark.parametrize("preference", ["", "contrast-high", "text-large"])
def test_figures_show_on_their_events_in_every_reading_mode(page, live_server, preference):
    page.goto(live_server.url + "/")
    if preference:
        page.locator(f'.dock [data-preference="{preference}"]').click()
    open_event(page, "race-of-records")
    chart = page.locator("#event-layer .chart__bars")
    expect(chart).to_be_visible()
    expect(page.locator("#event-layer .chart__value").last).to_have_text("240\u00a0t")
    assert chart.bounding_box()["height"] > 150
    assert_accessible(page)
    assert page.outside_requests == []
