"""A visitor's session reaches the Analytics page, even through a server outage; a kiosk reports in, shows on
the Kiosks page with its last JavaScript error, and is flagged silent when it stops reporting."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from kiosk.extensions import db
from kiosk.models import KioskStation, VisitorEvent

from ..fixture_timeline import FIXTURE
from ..helpers import PASSWORD, make_user
from .conftest import assert_accessible
from .kiosk import Fingers, open_event, wait_until

# Quick clocks: "Still there?" after 3 s without a touch, the reset 2 s later; events sent every second.
QUICK = {"IDLE_SECONDS": 3, "IDLE_WARNING_SECONDS": 2, "ANALYTICS_SEND_SECONDS": 1, "HEARTBEAT_SECONDS": 1}
ANALYTICS_READY = "window.Kiosk && window.Kiosk.analytics && !window.Kiosk.analytics.waiting"
QUEUE_LENGTH = "JSON.parse(localStorage.getItem('kiosk:analytics-queue') || '[]').length"


@pytest.fixture
def curator_page(browser, live_server):
    """A curator signed in, in a browser context of their own (the kiosk's pages carry no cookie)."""
    with live_server.app.app_context():
        make_user("curator")
        db.session.remove()
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(live_server.url + "/admin/login")
    page.get_by_label("Username").fill("curator")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Events", level=1)).to_be_visible()
    yield page
    context.close()


def stored_events(live_server, kind: str | None = None) -> int:
    with live_server.app.app_context():
        query = select(func.count(VisitorEvent.id))
        if kind:
            query = query.where(VisitorEvent.type == kind)
        count = db.session.scalar(query)
        db.session.remove()
        return count


def wait_for(condition, timeout: float = 15) -> None:
    """Wait for something the server can see (a row stored), checking every 100 ms."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the server never saw it")
        time.sleep(0.1)


def wake_from_attract(page, live_server) -> None:
    page.goto(live_server.url + "/?kiosk=gallery-3")
    page.evaluate("sessionStorage.setItem('kiosk:attract', 'true')")  # as after a reset that reloaded
    page.reload()
    attract = page.get_by_role("dialog", name="Touch the screen to explore his life")
    expect(attract).to_be_visible()
    wait_until(page, ANALYTICS_READY)
    page.touchscreen.tap(960, 540)
    expect(attract).to_be_hidden()


def a_visit(page) -> None:
    """Read one event for at least a second (with larger text), swipe to the next, then walk away."""
    open_event(page, FIXTURE.record_event)
    page.locator("#event-layer [data-preference=text-large]").tap()
    expect(page.locator("#event-layer [data-preference=text-large]")).to_have_attribute(
        "aria-pressed", "true"
    )
    page.wait_for_timeout(1_200)  # the visitor reads
    Fingers(page).swipe([(1400, 500)], [(900, 500)])
    expect(page.locator("#event-title")).to_have_text("A “world record” declared")


def figure(page, name: str) -> str:
    return page.locator(f"[data-figure={name}]").inner_text()


def seconds(text: str) -> int:
    match = re.fullmatch(r"(?:(\d+) min )?(\d+) s", text.strip())
    assert match, text
    return int(match.group(1) or 0) * 60 + int(match.group(2))


def assert_the_visit_is_counted(curator_page, live_server) -> None:
    curator_page.goto(live_server.url + "/admin/analytics?kiosk=gallery-3")
    assert figure(curator_page, "sessions") == "1"
    assert figure(curator_page, "interruptions") == "1"
    assert figure(curator_page, "resets") == "1"
    assert 1 <= seconds(figure(curator_page, "median")) <= 8
    first = curator_page.locator(f'#table-events tr[data-event="{FIXTURE.record_event}"]')
    assert first.locator("[data-opens]").inner_text() == "1"
    assert 1 <= seconds(first.locator("[data-reading]").inner_text()) <= 6
    second = curator_page.locator(f'#table-events tr[data-event="{FIXTURE.image_event}"]')
    assert second.locator("[data-opens]").inner_text() == "1"
    last = curator_page.locator(f'#table-last tr[data-event="{FIXTURE.image_event}"] td')
    assert last.inner_text() == "1"
    actions = curator_page.locator("#table-actions")
    expect(actions.locator('tr[data-action="swipe"]')).to_contain_text("next")
    expect(actions.locator('tr[data-action="preference"]')).to_contain_text("text-large:on")
    expect(curator_page.get_by_role("img", name="Sessions per day")).to_be_visible()
    assert_accessible(curator_page)


@pytest.mark.parametrize("live_config", [QUICK], indirect=True)
def test_a_visitors_session_appears_on_the_analytics_page(page, live_server, curator_page):
    wake_from_attract(page, live_server)
    a_visit(page)
    expect(page.get_by_role("dialog", name="Touch the screen to explore his life")).to_be_visible(
        timeout=10_000
    )
    wait_for(lambda: stored_events(live_server, "session-end") == 1)
    assert page.context.cookies() == []
    assert page.errors == []
    assert_the_visit_is_counted(curator_page, live_server)


@pytest.mark.parametrize("live_config", [QUICK], indirect=True)
def test_events_recorded_while_the_server_is_away_arrive_later_once_each(
    kiosk_page, live_server, curator_page
):
    page = kiosk_page
    page.goto(live_server.url + "/?kiosk=gallery-3")
    wait_until(page, "navigator.serviceWorker.controller !== null")  # the kiosk's offline copy is ready
    wake_from_attract(page, live_server)
    wait_for(lambda: stored_events(live_server, "session-start") == 1)  # sent before the outage

    live_server.stop()
    a_visit(page)
    expect(page.get_by_role("dialog", name="Touch the screen to explore his life")).to_be_visible(
        timeout=10_000
    )
    assert page.evaluate(QUEUE_LENGTH) >= 5  # the visit waits in the kiosk
    page.reload()  # even a reload (from the offline copy) loses nothing...
    wait_until(page, ANALYTICS_READY)
    assert page.evaluate(QUEUE_LENGTH) >= 5

    live_server.start()
    wait_until(page, f"{QUEUE_LENGTH} === 0", timeout_ms=20_000)
    assert stored_events(live_server, "session-start") == 1  # ...and counts nothing twice
    assert stored_events(live_server, "open") == 2
    assert_the_visit_is_counted(curator_page, live_server)


@pytest.mark.parametrize(
    "live_config",
    [{"HEARTBEAT_SECONDS": 1, "SILENCE_SECONDS": 2, "OPENING_HOURS": "00:00-24:00"}],
    indirect=True,
)
def test_a_kiosk_reports_in_and_goes_silent_when_it_stops(browser, live_server, curator_page):
    kiosk = browser.new_context(
        viewport={"width": 1920, "height": 1080}, has_touch=True, service_workers="block"
    )
    page = kiosk.new_page()
    page.goto(live_server.url + "/?kiosk=Gallery-3")
    wait_until(page, ANALYTICS_READY)
    page.evaluate("setTimeout(() => { throw new Error('the test broke something') })")

    def reported_error() -> bool:
        with live_server.app.app_context():
            station = db.session.scalar(select(KioskStation).where(KioskStation.name == "gallery-3"))
            db.session.remove()
            return bool(station and "the test broke something" in station.last_error)

    wait_for(reported_error)
    curator_page.goto(live_server.url + "/admin/kiosks")
    row = curator_page.locator('tr[data-kiosk="gallery-3"]')
    expect(row.locator("[data-state]")).to_contain_text("Reports errors")
    expect(row).to_contain_text("The current timeline")
    expect(row).to_contain_text("1920x1080")
    expect(row.locator("[data-state]")).not_to_contain_text("Silent")

    kiosk.close()  # the screen goes dark
    for _ in range(100):
        curator_page.reload()
        if "Silent" in row.locator("[data-state]").inner_text():
            break
        curator_page.wait_for_timeout(200)
    expect(row.locator("[data-state]")).to_contain_text("Silent during opening hours")
    expect(curator_page.get_by_role("alert")).to_contain_text("1 kiosk needs a look: gallery-3")
    assert_accessible(curator_page)
