"""Walking away and coming back: "Still there?", the reset for the next visitor, the attract screen."""

import json

import pytest
from playwright.sync_api import expect

from ..fixture_timeline import FIXTURE
from .conftest import assert_accessible
from .kiosk import centre, clicks, count_clicks, open_event, settled, wait_until

pytestmark = pytest.mark.browser

QUICK = {"IDLE_SECONDS": 1, "IDLE_WARNING_SECONDS": 3}


@pytest.mark.parametrize("live_config", [QUICK], indirect=True)
def test_an_idle_visitor_is_asked_then_the_kiosk_starts_again_for_the_next(page, live_server):
    count_clicks(page)
    page.goto(live_server.url + "/")
    baseline = page.evaluate("history.length")
    open_event(page, FIXTURE.record_event)
    page.locator("#event-layer [data-preference=text-large]").tap()
    page.locator("#event-layer [data-preference=contrast-high]").tap()

    notice = page.get_by_role("alertdialog", name="Still there?")
    expect(notice).to_be_visible()
    expect(page.locator("[data-idle-countdown]")).to_have_text("3")
    page.get_by_role("button", name="Continue").tap()
    expect(notice).to_be_hidden()
    expect(page.locator("#event-title")).to_have_text("102 tonnes in one night")  # nothing lost

    expect(notice).to_be_visible()  # idle again, and this time nobody answers
    attract = page.get_by_role("dialog", name="Touch the screen to explore his life")
    expect(attract).to_be_visible(timeout=8_000)
    expect(page.locator("#event-layer")).to_be_hidden()
    assert page.url == live_server.url + "/"
    assert page.evaluate("history.length") <= baseline + 1
    assert page.locator("#track").evaluate("t => t.scrollLeft") == 0
    assert page.evaluate("document.documentElement.className") == "kiosk-mode"
    expect(page.locator("[data-preference=text-large]")).to_have_attribute("aria-pressed", "false")
    assert_accessible(page)

    # The first touch only wakes the kiosk, even right on top of an event's card.
    requests = []
    page.on("request", lambda request: requests.append(request.url) if "/events/" in request.url else None)
    before = clicks(page)
    page.touchscreen.tap(*centre(page, f"#event-{FIXTURE.birth_event}"))
    expect(attract).to_be_hidden()
    wait_until(page, f"window.clicksSeen > {before}")  # the tap's click reached the card...
    settled(page)
    expect(page.locator("#event-layer")).to_be_hidden()  # ...and opened nothing
    assert requests == []
    open_event(page, FIXTURE.birth_event)  # and the next touch works as ever
    assert page.errors == []


@pytest.mark.parametrize("live_config", [QUICK], indirect=True)
def test_an_event_page_loaded_on_its_own_also_starts_again(page, live_server):
    page.goto(f"{live_server.url}/events/{FIXTURE.plain_event}")
    expect(page.get_by_role("alertdialog", name="Still there?")).to_be_visible()
    page.wait_for_url(live_server.url + "/", timeout=8_000)
    expect(page.get_by_role("dialog", name="Touch the screen to explore his life")).to_be_visible()


@pytest.mark.parametrize("live_config", [{"IDLE_SECONDS": 60, "ATTRACT_SECONDS": 1}], indirect=True)
@pytest.mark.parametrize("motion", ["no-preference", "reduce"])
def test_the_attract_screen_changes_slowly_unless_motion_is_reduced(page, live_server, motion):
    page.clock.install()  # the page's timers run when the test says so, as well as in real time
    page.emulate_media(reduced_motion=motion)
    page.goto(live_server.url + "/")
    page.evaluate("sessionStorage.setItem('kiosk:attract', 'true')")  # as after a reset that reloaded
    page.reload()
    expect(page.get_by_role("dialog", name="Touch the screen to explore his life")).to_be_visible()
    current = "document.querySelector('.attract__slide.is-current').textContent"
    first = page.evaluate(current)
    if motion == "reduce":
        page.clock.run_for(2_500)  # every timer due in 2.5 s fires: the slides' turn comes twice
        assert page.evaluate(current) == first
    else:
        wait_until(page, f"{current} !== {json.dumps(first)}")
