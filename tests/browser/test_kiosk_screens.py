"""Every screen a visitor can meet, at 1920×1080, 1080×1920 portrait and 1366×768: no accessibility
violations, every target at least 44×44 CSS px and apart from the others, controls within reach."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from kiosk.models import Event

from ..fixture_timeline import FIXTURE
from ..helpers import attach_image
from .conftest import assert_accessible
from .kiosk import content_of, open_event

pytestmark = pytest.mark.browser

SCREENS = [(1920, 1080), (1080, 1920), (1366, 768)]

# Everything a finger can activate that is on screen and not behind whatever is on top, with its size
# and the part of it not clipped away by a scrolling ancestor (the part a finger can reach).
TARGETS = """() => {
  const selector = 'a[href], button, summary, [role=slider], [tabindex]:not([tabindex="-1"])';
  const all = Array.from(document.querySelectorAll(selector));
  const visiblePart = (el) => {
    let box = el.getBoundingClientRect();
    let part = {left: box.left, top: box.top, right: box.right, bottom: box.bottom};
    for (let up = el.parentElement; up; up = up.parentElement) {
      if (getComputedStyle(up).overflow === 'visible') continue;
      const clip = up.getBoundingClientRect();
      part = {left: Math.max(part.left, clip.left), top: Math.max(part.top, clip.top),
              right: Math.min(part.right, clip.right), bottom: Math.min(part.bottom, clip.bottom)};
    }
    return {left: Math.max(part.left, 0), top: Math.max(part.top, 0),
            right: Math.min(part.right, innerWidth), bottom: Math.min(part.bottom, innerHeight)};
  };
  return all
    .filter((el) => !el.closest('[inert], [hidden], .skip-link'))
    .filter((el) => el.checkVisibility({visibilityProperty: true}))
    .map((el) => ({el, box: el.getBoundingClientRect(), part: visiblePart(el)}))
    .filter(({part}) => part.right > part.left && part.bottom > part.top)
    .map(({el, box, part}) => ({
      name: (el.getAttribute('aria-label') || el.textContent).trim().replace(/\\s+/g, ' ').slice(0, 40),
      width: box.width, height: box.height, part,
      inside: all.some((other) => other !== el && other.contains(el)),
    }));
}"""


def targets_are_large_and_apart(page) -> list[dict]:
    targets = page.evaluate(TARGETS)
    assert targets, "no targets found"
    small = [t["name"] for t in targets if t["width"] < 44 or t["height"] < 44]
    assert small == [], f"smaller than 44×44: {small}"
    alone = [t["part"] | {"name": t["name"]} for t in targets if not t["inside"]]
    for index, one in enumerate(alone):
        for other in alone[index + 1 :]:
            apart = min(one["right"], other["right"]) <= max(one["left"], other["left"]) or min(
                one["bottom"], other["bottom"]
            ) <= max(one["top"], other["top"])
            assert apart, f"{one['name']!r} touches {other['name']!r}"
    return targets


def controls_in_the_lower_half(page, selector: str) -> None:
    height = page.viewport_size["height"]
    box = page.locator(selector).bounding_box()
    assert box["y"] >= height / 2, f"{selector} starts at {box['y']} of {height}"


def check_screen(page, *, axe: bool) -> None:
    targets_are_large_and_apart(page)
    if axe:
        assert_accessible(page)


@pytest.fixture
def photographed(live_server):
    with content_of(live_server) as session:
        shown = session.scalar(select(Event).where(Event.slug == FIXTURE.record_event))
        attach_image(shown)


@pytest.mark.parametrize("width, height", SCREENS)
def test_timeline_event_and_photograph(page, live_server, photographed, width, height):
    page.set_viewport_size({"width": width, "height": height})
    page.goto(live_server.url + "/")
    first_size = (width, height) == SCREENS[0]
    check_screen(page, axe=True)
    controls_in_the_lower_half(page, ".dock")

    open_event(page, FIXTURE.record_event)
    check_screen(page, axe=True)
    controls_in_the_lower_half(page, ".event__nav")
    if first_size:
        for selector in (".prose p", ".event__summary"):
            size = page.locator(selector).first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
            assert size >= 20

    page.get_by_role("button", name="Tap to enlarge").tap()
    expect(page.locator("#image-viewer")).to_be_visible()
    check_screen(page, axe=first_size)
    controls_in_the_lower_half(page, ".viewer__controls")
    page.get_by_role("button", name="Close the photograph").tap()

    # The visitor's own settings, on the event and on the timeline.
    page.locator("#event-layer [data-preference=text-large]").tap()
    page.locator("#event-layer [data-preference=contrast-high]").tap()
    check_screen(page, axe=first_size)
    page.keyboard.press("Escape")
    expect(page.locator("#event-layer")).to_be_hidden()
    check_screen(page, axe=first_size)


@pytest.mark.parametrize("live_config", [{"IDLE_SECONDS": 1, "IDLE_WARNING_SECONDS": 120}], indirect=True)
def test_still_there_notice_and_attract_screen(page, live_server):
    page.goto(live_server.url + "/")
    expect(page.get_by_role("alertdialog", name="Still there?")).to_be_visible()
    for width, height in SCREENS:
        page.set_viewport_size({"width": width, "height": height})
        check_screen(page, axe=(width, height) == SCREENS[0])
        controls_in_the_lower_half(page, "[data-idle-continue]")

    page.evaluate("sessionStorage.setItem('kiosk:attract', 'true')")
    page.reload()
    expect(page.get_by_role("dialog", name="Touch the screen to explore his life")).to_be_visible()
    for width, height in SCREENS:
        page.set_viewport_size({"width": width, "height": height})
        check_screen(page, axe=(width, height) == SCREENS[0])


@pytest.mark.parametrize("width, height", SCREENS)
def test_places_view_and_a_place(page, live_server, width, height):
    page.set_viewport_size({"width": width, "height": height})
    page.goto(live_server.url + "/places")
    check_screen(page, axe=True)
    controls_in_the_lower_half(page, ".dock")
    page.locator(f'[data-place-marker="{FIXTURE.donbas_places[0]}"] .marker__hit').tap()
    expect(page.locator("#place-title")).to_be_visible()
    check_screen(page, axe=(width, height) == SCREENS[0])
