"""Fingers and a mouse on the same screen: swipes step exactly once, drags never tap, photographs zoom,
and nothing lets a visitor select, save, drag or zoom the interface."""

import re

import pytest
from playwright.sync_api import expect

from ..fixture_timeline import FIXTURE
from .kiosk import (
    Fingers,
    centre,
    count_swaps,
    mouse_drag,
    open_event,
    settled,
    swaps,
    wait_until,
)

pytestmark = pytest.mark.browser

LEFT, RIGHT = (1300, 520), (500, 540)


def test_each_swipe_moves_exactly_one_event_whatever_its_speed_or_fingers(page, live_server):
    page.goto(live_server.url + "/")
    open_event(page, FIXTURE.mine_event)
    count_swaps(page)
    fingers = Fingers(page)
    title = page.locator("#event-title")

    fingers.swipe([LEFT], [RIGHT], steps=2)  # a fast flick
    expect(title).to_have_text("102 tonnes in one night")
    fingers.swipe([LEFT], [RIGHT], steps=30, pause_ms=15)  # a slow, deliberate drag
    expect(title).to_have_text("A “world record” declared")
    fingers.swipe([(1300, 400), (1300, 650)], [(500, 420), (500, 670)], steps=12)  # two fingers at once
    expect(title).to_have_text("At the Kremlin conference")
    fingers.swipe([RIGHT], [LEFT], steps=6)  # to the right: back one
    expect(title).to_have_text("A “world record” declared")

    settled(page)
    assert swaps(page) == 4
    expect(title).to_have_text("A “world record” declared")
    assert page.url.endswith(f"/events/{FIXTURE.image_event}")
    assert page.errors == []


def test_a_vertical_swipe_scrolls_the_text_and_never_steps(page, live_server):
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(live_server.url + "/")
    open_event(page, FIXTURE.record_event)
    count_swaps(page)
    text = page.locator(".event__text")
    assert text.evaluate("t => t.scrollHeight > t.clientHeight")

    Fingers(page).swipe([(300, 600)], [(330, 250)], steps=12)

    wait_until(page, "document.querySelector('.event__text').scrollTop > 0")
    settled(page)
    assert swaps(page) == 0
    expect(page.locator("#event-title")).to_have_text("102 tonnes in one night")


def test_swiping_past_the_last_event_stays_on_it(page, live_server):
    page.goto(f"{live_server.url}/events/{FIXTURE.postscript_event}")
    expect(page.locator("#event-title")).to_have_text("The record doubted in print")
    page.evaluate(
        "() => { window.endShown = false; new MutationObserver(() => { "
        "if (document.querySelector('.event--end')) window.endShown = true; })"
        ".observe(document.body, {subtree: true, attributes: true, attributeFilter: ['class']}); }"
    )
    Fingers(page).swipe([LEFT], [RIGHT], steps=8)
    wait_until(page, "window.endShown")  # the kiosk answered the swipe: a nudge, there is nothing further
    assert page.url.endswith(f"/events/{FIXTURE.postscript_event}")
    expect(page.locator("#event-title")).to_have_text("The record doubted in print")


def test_a_finger_flick_scrolls_the_timeline_without_opening_a_card(page, live_server):
    page.goto(live_server.url + "/")
    x, y = centre(page, f"#event-{FIXTURE.mine_event}")
    Fingers(page).swipe([(x, y)], [(x - 700, y)], steps=10)
    wait_until(page, "document.getElementById('track').scrollLeft > 300")
    expect(page.locator("#event-layer")).to_be_hidden()
    assert page.url == live_server.url + "/"


def test_a_mouse_drags_the_timeline_with_inertia_and_the_drag_is_no_click(page, live_server):
    page.goto(live_server.url + "/")
    opened = []
    page.on("request", lambda request: opened.append(request.url) if "/events/" in request.url else None)
    x, y = centre(page, f"#event-{FIXTURE.mine_event}")
    mouse_drag(page, (x, y), (x - 600, y))
    # 600 px dragged, then it glides on.
    wait_until(page, "document.getElementById('track').scrollLeft > 1000")
    expect(page.locator("#event-layer")).to_be_hidden()
    assert opened == [] and page.url == live_server.url + "/"

    page.locator(f"#event-{FIXTURE.record_event}").click()  # a plain click still opens an event
    expect(page.locator("#event-title")).to_have_text("102 tonnes in one night")


def test_tapping_the_photograph_opens_it_full_screen_to_pinch_and_pan(page, live_server):
    page.goto(live_server.url + "/")
    open_event(page, FIXTURE.image_event)
    page.get_by_role("button", name=re.compile("Tap to enlarge")).tap()
    viewer = page.get_by_role("dialog", name="The record in the mine’s newspaper")
    expect(viewer).to_be_visible()
    image = page.locator("[data-viewer-image]")
    expect(image).to_have_attribute("alt", "A newspaper page announcing the record")
    scale = "() => new DOMMatrix(getComputedStyle(document.querySelector('[data-viewer-image]')).transform).a"
    shift = "() => new DOMMatrix(getComputedStyle(document.querySelector('[data-viewer-image]')).transform).e"

    fingers = Fingers(page)
    fingers.swipe([(900, 450), (1020, 450)], [(600, 450), (1320, 450)], steps=12)  # spread two fingers
    assert page.evaluate(scale) > 2
    before = page.evaluate(shift)
    fingers.swipe([(960, 450)], [(1160, 470)], steps=8)  # one finger looks around
    assert page.evaluate(shift) > before
    expect(page.locator("#event-title")).to_have_text("A “world record” declared")  # no swipe to the next

    page.keyboard.press("Escape")
    expect(viewer).to_be_hidden()
    expect(page.locator("#event-layer")).to_be_visible()
    page.get_by_role("button", name=re.compile("Tap to enlarge")).tap()
    assert page.evaluate(scale) == pytest.approx(1)  # a fresh start each time
    page.get_by_role("button", name="Close the photograph").tap()
    expect(viewer).to_be_hidden()
    expect(page.locator("#event-title")).to_have_text("A “world record” declared")


def test_nothing_can_be_selected_saved_dragged_or_zoomed(page, live_server):
    page.goto(live_server.url + "/")
    prevented = page.evaluate(
        """() => {
            const card = document.querySelector('.card');
            const cancelled = (event) => !card.dispatchEvent(event);
            const zoom = {bubbles: true, cancelable: true, ctrlKey: true, deltaY: -100};
            return {
                contextmenu: cancelled(new MouseEvent('contextmenu', {bubbles: true, cancelable: true})),
                dragstart: cancelled(new DragEvent('dragstart', {bubbles: true, cancelable: true})),
                selectstart: cancelled(new Event('selectstart', {bubbles: true, cancelable: true})),
                zoomWheel: cancelled(new WheelEvent('wheel', zoom)),
                newTab: cancelled(new MouseEvent('auxclick', {bubbles: true, cancelable: true, button: 1})),
            };
        }"""
    )
    assert prevented == dict.fromkeys(prevented, True)
    styles = page.evaluate(
        """() => ({
            page: getComputedStyle(document.documentElement).touchAction,
            select: getComputedStyle(document.querySelector('.card')).userSelect,
            card: getComputedStyle(document.querySelector('.card')).touchAction,
            button: getComputedStyle(document.querySelector('[data-start-again]')).touchAction,
            viewer: getComputedStyle(document.querySelector('[data-viewer-stage]')).touchAction,
        })"""
    )
    # Panning only, never pinch or double-tap zoom, except on the photograph, where our own code zooms.
    assert styles == {
        "page": "pan-x pan-y",
        "select": "none",
        "card": "manipulation",
        "button": "manipulation",
        "viewer": "none",
    }
