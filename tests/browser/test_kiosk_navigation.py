"""Finding one's way: era chips and the year scrubber, Start again everywhere, the keyboard, and a
browser history that never grows (so Back can never uncover anything but the timeline)."""

import pytest
from playwright.sync_api import expect

from ..fixture_timeline import FIXTURE
from .kiosk import Fingers, centre, open_event, wait_until

pytestmark = pytest.mark.browser
FAME_CHIP = "In the limelight 1935–1942"


def scroll_left(page) -> float:
    return page.locator("#track").evaluate("t => t.scrollLeft")


def settle_scrolling(page) -> None:
    """Wait for the timeline to start moving, then to come to rest."""
    wait_until(page, "document.getElementById('track').scrollLeft > 0")
    last = None
    while (now := scroll_left(page)) != last:
        last = now
        page.wait_for_timeout(250)


def test_era_chips_and_the_year_scrubber_go_anywhere_and_show_where_you_are(page, live_server):
    page.goto(live_server.url + "/")
    rail = page.get_by_role("slider", name="Year")
    expect(rail).to_have_attribute("aria-valuenow", "1906")

    page.get_by_role("link", name=FAME_CHIP).tap()
    expect(page.locator(f"#era-{FIXTURE.fame_era}")).to_be_in_viewport()
    expect(page.get_by_role("link", name=FAME_CHIP)).to_have_attribute("aria-current", "true")
    expect(rail).to_have_attribute("aria-valuenow", "1935")
    assert page.url == live_server.url + "/"

    box = rail.bounding_box()
    middle = box["y"] + box["height"] / 2
    Fingers(page).swipe([(box["x"] + 10, middle)], [(box["x"] + box["width"] * 0.6, middle)], steps=8)
    # 3/5 along is 1949: the thumb stays on the year chosen, and the timeline shows the next event, 1957's.
    expect(rail).to_have_attribute("aria-valuenow", "1949")
    expect(page.locator("[data-scrubber-year]")).to_have_text("1949")
    expect(page.locator(f"#event-{FIXTURE.return_event}")).to_be_in_viewport()
    return_chip = page.get_by_role("link", name="Donbas again 1957–1974")
    expect(return_chip).to_have_attribute("aria-current", "true")

    rail.focus()
    page.keyboard.press("Home")
    wait_until(page, "document.getElementById('track').scrollLeft === 0")
    page.keyboard.press("PageUp")
    expect(rail).to_have_attribute("aria-valuenow", "1916")  # 1916 has no events: the next one is 1927's
    expect(page.locator(f"#event-{FIXTURE.mine_event}")).to_be_in_viewport()
    # Moving the timeline by hand shows its first event's year again.
    page.locator("#track").dispatch_event("wheel")
    page.locator("#track").evaluate("track => track.scrollBy({left: 10})")
    expect(rail).to_have_attribute("aria-valuenow", "1927")


def test_the_keyboard_works_too(page, live_server):
    page.goto(live_server.url + "/")
    card = page.locator(f"#event-{FIXTURE.birth_event}")
    card.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#event-title")).to_have_text("Born in Lugovaya")
    expect(page.locator("#event-title")).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(page.locator("#event-title")).to_have_text("Work for richer neighbours")
    page.keyboard.press("ArrowLeft")
    expect(page.locator("#event-title")).to_have_text("Born in Lugovaya")
    page.keyboard.press("Escape")
    expect(page.locator("#event-layer")).to_be_hidden()
    expect(card).to_be_focused()
    outline = card.evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline == "solid"  # focus is visible
    page.keyboard.press("ArrowRight")
    wait_until(page, "document.getElementById('track').scrollLeft > 300")


def test_start_again_from_anywhere_and_the_history_never_grows(page, live_server):
    page.goto(live_server.url + "/")
    baseline = page.evaluate("history.length")

    open_event(page, FIXTURE.mine_event)
    page.locator("#event-layer a[rel=next]").tap()
    expect(page.locator("#event-title")).to_have_text("102 tonnes in one night")
    page.locator("#event-layer a[rel=next]").tap()
    expect(page.locator("#event-title")).to_have_text("A “world record” declared")
    page.get_by_role("link", name="Back to the timeline").tap()
    expect(page.locator("#event-layer")).to_be_hidden()
    page.get_by_role("link", name="After his death 1977–1988").tap()
    open_event(page, FIXTURE.death_event)
    page.locator("#event-layer").get_by_role("link", name="Start again").tap()
    expect(page.locator("#event-layer")).to_be_hidden()
    wait_until(page, "document.getElementById('track').scrollLeft === 0")
    assert page.url == live_server.url + "/"

    # An event page on its own (after a reload); its next event is in the next era.
    page.goto(f"{live_server.url}/events/{FIXTURE.karaganda_event}")
    page.locator("a[rel=next]").tap()
    page.wait_for_url(f"**/events/{FIXTURE.return_event}")
    page.get_by_role("link", name="Start again").tap()
    page.wait_for_url(live_server.url + "/")
    open_event(page, FIXTURE.karaganda_event)
    page.get_by_role("link", name="Back to the timeline").tap()

    assert page.evaluate("history.length") <= baseline + 2  # + the page.goto above, which a visitor can't do
    page.go_back()
    expect(page.locator("#event-layer")).to_be_hidden()
    assert page.url.startswith(live_server.url)


def test_a_tap_is_still_a_tap_after_swiping_the_timeline(page, live_server):
    page.goto(live_server.url + "/")
    x, y = centre(page, f"#event-{FIXTURE.mine_event}")  # a card in view on the first screen
    Fingers(page).swipe([(x, y)], [(x - 300, y)], steps=6)
    settle_scrolling(page)  # (a tap during the glide only stops it, as on any touch screen)
    # However far it glided, tap the card in the middle of the screen.
    card = page.evaluate(
        """() => Array.from(document.querySelectorAll('.card')).map((card) => {
            const box = card.getBoundingClientRect();
            return {id: card.id, off: Math.abs(box.left + box.width / 2 - innerWidth / 2)};
        }).sort((a, b) => a.off - b.off)[0].id"""
    )
    Fingers(page).tap(*centre(page, f"#{card}"))
    expect(page.locator("#event-view")).to_have_attribute("data-event", card.removeprefix("event-"))


def test_an_eras_own_page_becomes_that_era_on_the_timeline(page, live_server):
    page.goto(f"{live_server.url}/eras/{FIXTURE.fame_era}")  # a page for browsers without JavaScript
    page.wait_for_url(live_server.url + "/")
    expect(page.locator(f"#era-{FIXTURE.fame_era}")).to_be_in_viewport()
    expect(page.get_by_role("link", name=FAME_CHIP)).to_have_attribute("aria-current", "true")


@pytest.mark.parametrize(
    "live_config", [{"TIMELINE_EAGER_EVENTS": 2, "TIMELINE_PAGE_EVENTS": 2}], indirect=True
)
def test_jumps_land_on_their_target_while_a_long_timeline_loads_around_them(page, live_server):
    page.goto(live_server.url + "/")
    at_the_left = "Math.abs(document.getElementById('{}').getBoundingClientRect().left - {}) < 2"
    start = page.locator("#track").evaluate(
        "t => t.getBoundingClientRect().left + parseFloat(getComputedStyle(t).paddingLeft)"
    )

    page.get_by_role("link", name="August 1935 1935").tap()  # past eras that are not loaded yet
    expect(page.locator(f"#event-{FIXTURE.record_event}")).to_be_in_viewport()
    wait_until(page, at_the_left.format(f"era-{FIXTURE.record_era}", start))

    rail = page.get_by_role("slider", name="Year")
    box = rail.bounding_box()
    Fingers(page).tap(box["x"] + box["width"] * (1957.5 - 1906) / 72, box["y"] + box["height"] / 2)
    expect(page.locator(f"#event-{FIXTURE.return_event}")).to_be_in_viewport()
    wait_until(page, at_the_left.format(f"era-{FIXTURE.return_era}", start))
    expect(rail).to_have_attribute("aria-valuenow", "1957")
