"""Every screen a visitor can meet, in every language, at 1920×1080, 1080×1920 portrait and 1366×768, with
and without Larger text and High contrast: no accessibility violations (axe-core), no text clipped or cut
mid-line, nothing cut off by its container or the screen, no visitor text under the size for reading from a
step back, no target under 44×44 px or touching another, controls within reach, and the visitor's settings
kept on every screen until the kiosk starts again for the next visitor.

One browser page per screen size walks every state by touch, as a visitor would, and checks each in one
script inside the page (screen_checks.js). Each state's screenshot goes to test-artifacts/screens/, named
<size>-<language>-<step>-<state>.png, to flip through."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from kiosk.models import Event

from ..fixture_timeline import FIXTURE
from ..helpers import attach_image
from .conftest import AXE
from .kiosk import content_of, open_event, settled

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-artifacts" / "screens"
CHECKS = (Path(__file__).parent / "screen_checks.js").read_text(encoding="utf-8")
SCREENS = [(1920, 1080), (1080, 1920), (1366, 768)]
LANGUAGES = ["en", "ru", "uk"]
# The smallest visitor text, in CSS px: 18 at 1920×1080 and in portrait on the same screen; a 1366×768
# screen shows the same layout on a base size of 18 px instead of 21, and the floor scales with it.
MIN_TEXT = {(1920, 1080): 18.0, (1080, 1920): 18.0, (1366, 768): round(18 * 18 / 21, 1)}
MIN_TARGET = 44
IDLE_SECONDS = 600
WARNING_SECONDS = 20
PREFERENCES = ("text-large", "contrast-high")


@pytest.fixture
def photographed(live_server):
    """The record's event with a photograph beside its figure and its place: a curator who adds both sees
    both."""
    with content_of(live_server) as session:
        attach_image(session.scalar(select(Event).where(Event.slug == FIXTURE.record_event)))


class Walk:
    """A visitor going through every screen at one size, each screen checked and photographed."""

    def __init__(self, page: Page, url: str, size: tuple[int, int]):
        self.page, self.url, self.size = page, url, size
        self.steps: dict[str, int] = {}
        self.problems: list[str] = []
        self.language = "en"
        self.preferences = False

    def prefix(self) -> str:
        return "" if self.language == "en" else f"/{self.language}"

    def check(self, state: str) -> None:
        """Check the screen as it is now; its problems are gathered, so one run reports them all."""
        page = self.page
        page.evaluate("document.fonts.ready")
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.evaluate(AXE.read_text(encoding="utf-8"))
        found = page.evaluate(CHECKS, {"minText": MIN_TEXT[self.size], "minTarget": MIN_TARGET, "axe": True})
        kept = page.evaluate(
            "(names) => names.filter((name) => document.documentElement.classList.contains(name))",
            list(PREFERENCES),
        )
        if kept != (list(PREFERENCES) if self.preferences else []):
            found.append(f"reading settings are {kept}, expected {'both' if self.preferences else 'none'}")
        step = self.steps[self.language] = self.steps.get(self.language, 0) + 1
        width, height = self.size
        label = f"{state}{'-larger-contrast' if self.preferences else ''}"
        page.screenshot(path=SHOTS / f"{width}x{height}-{self.language}-{step:02d}-{label}.png")
        self.problems += [f"{width}×{height} {self.language} {label}: {problem}" for problem in found]

    def choose_preferences(self) -> None:
        """Larger text and High contrast on or off (they last from one language's walk to the next), by
        tapping the dock's buttons as a visitor would."""
        for name in PREFERENCES:
            button = self.page.locator(f".dock [data-preference={name}]")
            if (button.get_attribute("aria-pressed") == "true") != self.preferences:
                button.tap()

    def tap(self, selector: str) -> None:
        self.page.locator(selector).tap()


# Whether an element is wholly inside the row that scrolls it.
IN_ITS_ROW = """(element) => {
  const row = element.closest('.dock__eras').getBoundingClientRect();
  const box = element.getBoundingClientRect();
  return box.left >= row.left - 1 && box.right <= row.right + 1;
}"""


def the_scrubber_lands_on_the_year_tapped(page: Page, year: int) -> None:
    """A tap on the year scrubber shows that year on its thumb, wherever the timeline comes to rest."""
    rail = page.locator("[data-scrubber-rail]")
    first, last = int(rail.get_attribute("aria-valuemin")), int(rail.get_attribute("aria-valuemax"))
    box = rail.bounding_box()
    share = (year - first + 0.5) / (last - first + 1)
    page.touchscreen.tap(box["x"] + box["width"] * share, box["y"] + box["height"] / 2)
    page.wait_for_timeout(500)  # the timeline's scroll and the thumb's move
    expect(page.locator("[data-scrubber-year]")).to_have_text(str(year))
    expect(rail).to_have_attribute("aria-valuenow", str(year))


def in_lower_half(page: Page, selector: str) -> bool:
    box = page.locator(selector).first.bounding_box()
    return box is not None and box["y"] >= page.viewport_size["height"] / 2


def walk_every_screen(walk: Walk) -> None:
    """From the attract screen through the timeline, an event, a photograph, Places and a place, an event
    opened from there, "Still there?" and a page that does not exist, in walk.language."""
    page = walk.page
    home = walk.url + walk.prefix() + "/"
    page.goto(home)
    walk.choose_preferences()
    if not walk.preferences:
        page.evaluate("sessionStorage.setItem('kiosk:attract', 'true')")  # as after a reset that reloaded
        page.goto(home)
        expect(page.locator("#attract")).to_be_visible()
        walk.check("attract")
        walk.tap("[data-attract-start]")
        expect(page.locator("#attract")).to_be_hidden()
    walk.check("timeline")
    assert in_lower_half(page, ".dock"), "the dock is out of reach"
    if not walk.preferences:
        the_scrubber_lands_on_the_year_tapped(page, 1941)

    page.locator("#track").evaluate("track => track.scrollTo({left: track.scrollWidth, behavior: 'instant'})")
    settled(page)
    walk.check("timeline-end")
    current = page.locator(".dock [data-era][aria-current]")
    last_eras = f"era-({FIXTURE.return_era}|{FIXTURE.last_era})"  # (whichever has the first card in view)
    expect(current).to_have_attribute("data-era", re.compile(last_eras))
    assert page.evaluate(IN_ITS_ROW, current.element_handle()), "the current era's chip is out of view"

    page.locator("#track").evaluate("track => track.scrollTo({left: 0, behavior: 'instant'})")
    open_event(page, FIXTURE.plain_event)
    headline = page.locator("#event-title").inner_text()
    expect(page.get_by_role("dialog", name=headline)).to_be_visible()
    walk.check("event")
    assert in_lower_half(page, ".event__nav"), "the event's buttons are out of reach"

    walk.tap("#event-layer [data-close]")
    expect(page.locator("#event-layer")).to_be_hidden()
    open_event(page, FIXTURE.record_event)
    expect(page.locator("#event-layer .chart")).to_be_visible()
    expect(page.locator("#event-layer .event__image")).to_be_visible()
    walk.check("event-figure-image")

    walk.tap("#event-layer [data-viewer-open]")
    expect(page.locator("#image-viewer")).to_be_visible()
    walk.check("photograph")
    assert in_lower_half(page, ".viewer__controls"), "the photograph's buttons are out of reach"
    walk.tap("[data-viewer-close]")
    expect(page.locator("#image-viewer")).to_be_hidden()
    walk.tap("#event-layer [data-close]")
    walk.tap(".dock [data-start-again]")
    expect(page).to_have_url(home)  # in the visitor's language

    walk.tap(".dock [data-places]")
    expect(page.locator(".places-map")).to_be_visible()
    walk.check("places")
    walk.tap(f'[data-place-marker="{FIXTURE.donbas_places[1]}"] .marker__hit')
    expect(page.locator("#place-title")).to_be_visible()
    walk.check("place")
    walk.tap(f'[data-place-event="{FIXTURE.death_event}"]')
    expect(page.locator("#event-view")).to_have_attribute("data-event", FIXTURE.death_event)
    walk.check("event-from-places")
    page.go_back()
    expect(page.locator(".places-map")).to_be_visible()
    page.keyboard.press("Escape")  # from Places, back to the timeline
    expect(page).to_have_url(home)

    page.clock.fast_forward(IDLE_SECONDS * 1000 + 1000)
    expect(page.locator("#idle-notice")).to_be_visible()
    walk.check("still-there")
    assert in_lower_half(page, "[data-idle-continue]"), "Continue is out of reach"
    walk.tap("[data-idle-continue]")

    page.goto(walk.url + walk.prefix() + "/events/no-such-event")
    expect(page.locator(".notice")).to_be_visible()
    walk.check("not-found")


@pytest.mark.parametrize(
    "live_config", [{"IDLE_SECONDS": IDLE_SECONDS, "IDLE_WARNING_SECONDS": WARNING_SECONDS}], indirect=True
)
@pytest.mark.parametrize("size", SCREENS, ids=[f"{w}x{h}" for w, h in SCREENS])
def test_every_screen_in_every_language(page, live_server, photographed, size):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for old in SHOTS.glob(f"{size[0]}x{size[1]}-*.png"):
        old.unlink()
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.clock.install()  # "Still there?" comes when the test says, not while it is checking
    walk = Walk(page, live_server.url, size)
    for language in LANGUAGES:
        walk.language = language
        for preferences in (False, True):
            walk.preferences = preferences
            walk_every_screen(walk)

    # The kiosk starts again for the next visitor: the default language, the settings gone.
    page.goto(live_server.url + "/ru/")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # past "Skip to content", the way to the controls from the keyboard
    expect(page.locator(".skip-link[href='#dock']")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#dock")).to_be_focused()
    walk.language, walk.preferences = "ru", True
    walk.choose_preferences()
    walk.tap(".dock [data-places]")
    expect(page.locator(".places-map")).to_be_visible()
    walk.check("places-before-reset")
    page.clock.fast_forward(IDLE_SECONDS * 1000 + 1000)
    expect(page.locator("#idle-notice")).to_be_visible()
    page.clock.fast_forward(WARNING_SECONDS * 1000 + 1000)
    expect(page.locator("#attract")).to_be_visible()
    assert page.url == live_server.url + "/"
    assert page.evaluate("document.documentElement.className") == "kiosk-mode"
    walk.language, walk.preferences = "en", False
    walk.check("attract-after-reset")

    assert not page.outside_requests and not page.errors
    assert walk.problems == [], f"{len(walk.problems)} problems:\n" + "\n".join(walk.problems)
