"""Audio mode: a visitor who cannot see the screen starts it with a keypad key or a two-finger hold, and
hears the kiosk in its language, key by key or gesture by gesture (docs/accessibility.md). Each step is
checked by what the page plays: the part, its language, the very clip the server made for that caption in
that voice, and a duration that fits the caption's length."""

from __future__ import annotations

import io
import urllib.request

import pytest
import soundfile
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from kiosk.speech import service, store

from ..fixture_timeline import FIXTURE
from .conftest import assert_accessible
from .kiosk import wait_until as wait_in_page

pytestmark = pytest.mark.browser

# Long enough for a journey's steps, short enough to watch the reset.
IDLE = {"IDLE_SECONDS": 8, "IDLE_WARNING_SECONDS": 3}
CHARACTERS_PER_SECOND = (4, 30)  # eSpeak NG at the kiosk's rates, a generous band
DIGIT_AS_CHARACTERS = 5  # a digit is said as a word or two ("тисяча дев'ятсот…")
PLAYING = (
    "(() => { const p = document.getElementById('speech'); return p && !p.paused && p.currentTime > 0; })()"
)


def wait_until(page, expression: str, timeout_ms: int = 10_000) -> None:
    """As tests/browser/kiosk.py's, through a change of page (a language changed in audio mode)."""
    for _ in range(timeout_ms // 100):
        try:
            wait_in_page(page, expression, timeout_ms=100)
            return
        except (AssertionError, PlaywrightError):
            page.wait_for_timeout(50)
    raise AssertionError(f"still false after {timeout_ms} ms: {expression}")


def speech(page) -> dict:
    return page.evaluate(
        """() => { const p = document.getElementById('speech');
        const c = document.querySelector('#speech-caption p');
        return { part: p.dataset.part || null, lang: p.dataset.lang, src: new URL(p.src).pathname,
                 volume: p.volume, rate: p.playbackRate, caption: c.textContent }; }"""
    )


def heard(page, live_server, part: str, language: str) -> dict:
    """Wait until ``part`` plays, then check it is the server's clip of that caption in ``language``'s
    voice, and that its length fits the caption."""
    try:
        wait_until(page, f"document.getElementById('speech')?.dataset.part === {part!r} && {PLAYING}", 20_000)
    except AssertionError:
        raise AssertionError(f"{part} never played: {speech(page)}") from None
    now = speech(page)
    assert now["lang"] == language, now
    with live_server.app.test_request_context():
        clip = service.known_clips()[now["src"].removeprefix("/speech/").removesuffix(".ogg")]
    assert clip.language == language and clip.text in now["caption"]
    assert now["src"].endswith(store.name_of(clip.text, store.voice(language, live_server.app)) + ".ogg")
    with urllib.request.urlopen(live_server.url + now["src"]) as response:
        info = soundfile.info(io.BytesIO(response.read()))
    seconds = info.frames / info.samplerate
    low, high = CHARACTERS_PER_SECOND
    length = len(clip.text) + sum(character.isdigit() for character in clip.text) * (DIGIT_AS_CHARACTERS - 1)
    assert length / high < seconds < length / low, (clip.text, seconds)
    return now


def at_attract(page, url: str) -> None:
    """The kiosk as a visitor finds it between visitors: the attract screen."""
    page.goto(url)
    page.evaluate("sessionStorage.setItem('kiosk:attract', 'true')")
    page.reload()
    expect(page.locator("#attract")).to_be_visible()


def press_until(page, key: str, part: str, tries: int = 8) -> None:
    for _ in range(tries):
        page.keyboard.press(key)
        page.wait_for_timeout(150)
        if speech(page)["part"] == part or page.evaluate(
            f"document.getElementById('speech').dataset.part === {part!r}"
        ):
            return
    raise AssertionError(f"{key} never reached {part}")


@pytest.mark.parametrize("live_config", [IDLE], indirect=True)
@pytest.mark.parametrize(
    ("prefix", "language", "figure_title"),
    [
        ("", "en", "Coal cut in one shift"),
        ("/ru", "ru", "Уголь, нарубленный за одну смену"),
        ("/uk", "uk", "Вугілля, нарубане за одну зміну"),
    ],
)
def test_keyboard_only_from_the_attract_screen_to_the_record_and_its_figure_and_through_places(
    page, live_server, prefix, language, figure_title
):
    at_attract(page, f"{live_server.url}{prefix}/")
    page.keyboard.press("ArrowDown")  # any key
    expect(page.locator("#attract")).to_be_hidden()
    heard(page, live_server, "welcome", language)

    page.keyboard.press("ArrowRight")  # a new key interrupts the welcome
    heard(page, live_server, "era", language)
    page.keyboard.press("ArrowRight")
    era = heard(page, live_server, "era", language)
    page.keyboard.press("ArrowDown")  # into the record's era
    heard(page, live_server, "card", language)
    assert "1935" in speech(page)["caption"] and era["caption"] != speech(page)["caption"]
    page.keyboard.press("Enter")
    heard(page, live_server, "headline", language)
    expect(page.locator("#event-view")).to_have_attribute("data-event", FIXTURE.record_event)
    press_until(page, "ArrowDown", "figure")
    figure = heard(page, live_server, "figure", language)
    assert figure_title in figure["caption"]

    page.keyboard.press("+")
    heard(page, live_server, "louder", language)
    page.keyboard.press("]")
    changed = heard(page, live_server, "faster", language)
    assert changed["volume"] == pytest.approx(0.9) and changed["rate"] > 1

    page.keyboard.press("Escape")  # the event closes; back among the era's events
    heard(page, live_server, "card", language)
    expect(page.locator("#event-layer")).to_be_hidden()
    page.keyboard.press("ArrowUp")
    heard(page, live_server, "era", language)
    press_until(page, "ArrowRight", "places")
    heard(page, live_server, "places", language)
    page.keyboard.press("ArrowDown")
    place = heard(page, live_server, "place", language)
    page.keyboard.press("ArrowRight")
    assert heard(page, live_server, "place", language)["caption"] != place["caption"]
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowDown")
    wait_until(page, "['note', 'events'].includes(document.getElementById('speech').dataset.part)")

    # Nobody presses anything: "Still there?" is spoken, then the kiosk starts again for the next
    # visitor, out of audio mode, in the museum's language, with its volume and rate.
    heard(page, live_server, "still-there", language)
    expect(page.locator("#attract")).to_be_visible(timeout=15_000)
    wait_until(page, "!document.documentElement.classList.contains('audio-mode')")
    page.keyboard.press("Space")
    again = heard(page, live_server, "welcome", "en")
    assert (again["volume"], again["rate"]) == (pytest.approx(0.8), 1)
    assert page.errors == []


@pytest.mark.parametrize("live_config", [IDLE], indirect=True)
def test_audio_mode_changes_language_and_passes_axe(page, live_server):
    at_attract(page, live_server.url + "/")
    page.keyboard.press("Enter")
    heard(page, live_server, "welcome", "en")
    page.keyboard.press("ArrowRight")
    heard(page, live_server, "era", "en")
    expect(page.locator("#speech-caption")).to_be_visible()
    assert_accessible(page)
    page.keyboard.press("l")  # the next language, where the visitor was
    heard(page, live_server, "language", "ru")
    heard(page, live_server, "era", "ru")
    assert page.url == live_server.url + "/ru/"


def touch(cdp, kind: str, *points: tuple[float, float]) -> None:
    cdp.send(
        "Input.dispatchTouchEvent",
        {"type": kind, "touchPoints": [{"x": x, "y": y, "id": index} for index, (x, y) in enumerate(points)]},
    )


def swipe(cdp, page, start: tuple[float, float], end: tuple[float, float], fingers: int = 1) -> None:
    offsets = [(0, 0), (120, 0)][:fingers]
    touch(cdp, "touchStart", *[(start[0] + dx, start[1] + dy) for dx, dy in offsets])
    for step in range(1, 6):
        x = start[0] + (end[0] - start[0]) * step / 5
        y = start[1] + (end[1] - start[1]) * step / 5
        touch(cdp, "touchMove", *[(x + dx, y + dy) for dx, dy in offsets])
        page.wait_for_timeout(16)
    touch(cdp, "touchEnd")


def double_tap(cdp, page, point: tuple[float, float]) -> None:
    for _ in range(2):
        touch(cdp, "touchStart", point)
        touch(cdp, "touchEnd")
        page.wait_for_timeout(80)


# On a timeline loaded lazily (two events on the first page, runs of two), as a long one is: the
# record's era is not on the page when audio mode starts.
LAZY = {**IDLE, "TIMELINE_EAGER_EVENTS": 2, "TIMELINE_PAGE_EVENTS": 2}


@pytest.mark.parametrize("live_config", [LAZY], indirect=True)
def test_the_same_journey_by_touch_gestures(page, live_server):
    page.goto(live_server.url + "/uk/")
    cdp = page.context.new_cdp_session(page)
    title = page.locator(".masthead").bounding_box()
    assert title is not None
    row = round(title["y"] + title["height"] / 2)
    middle = (960, row)  # over the title, where no finger presses anything
    touch(cdp, "touchStart", middle, (middle[0] + 200, middle[1]))  # two fingers held still
    page.wait_for_timeout(2300)
    touch(cdp, "touchEnd")
    heard(page, live_server, "welcome", "uk")
    for _ in range(2):
        swipe(cdp, page, (700, row), (1200, row))  # swipe right: the next era
        heard(page, live_server, "era", "uk")
    double_tap(cdp, page, middle)
    heard(page, live_server, "card", "uk")
    double_tap(cdp, page, middle)  # open the record
    heard(page, live_server, "headline", "uk")
    expect(page.locator("#event-view")).to_have_attribute("data-event", FIXTURE.record_event)
    swipe(cdp, page, (900, 300), (900, 700), fingers=2)  # read on from here
    heard(page, live_server, "headline", "uk")
    page.wait_for_timeout(500)
    page.evaluate("document.getElementById('speech').dispatchEvent(new Event('ended'))")  # the headline ends
    heard(page, live_server, "summary", "uk")
    swipe(cdp, page, (900, 700), (900, 300), fingers=2)  # back: the event closes
    heard(page, live_server, "card", "uk")
    expect(page.locator("#event-layer")).to_be_hidden()
    assert page.errors == []


def test_with_the_server_stopped_audio_mode_still_speaks(kiosk_page, live_server):
    page = kiosk_page
    at_attract(page, live_server.url + "/ru/")
    wait_until(page, "navigator.serviceWorker.controller !== null", timeout_ms=30_000)
    page.keyboard.press("ArrowDown")
    heard(page, live_server, "welcome", "ru")
    with live_server.app.test_request_context("/ru/"):
        every_clip = {service.name_of(clip) for clip in service.script("ru").every_clip()}
    # The kiosk keeps the manifest, audio mode's files and every clip the moment audio mode starts.
    wait_until(
        page,
        f"caches.keys().then(async (names) => {{ const c = await caches.open(names[0]);"
        f" window.keptClips = (await c.keys()).filter((r) => r.url.includes('/speech/')).length; }}),"
        f" window.keptClips >= {len(every_clip)}",
        timeout_ms=60_000,
    )
    live_server.stop()
    page.console_seen = []
    page.on("console", lambda message: page.console_seen.append(message.text))
    page.reload()
    page.keyboard.press("h")  # an audio key starts audio mode anywhere
    try:
        wait_until(page, "document.getElementById('speech')?.dataset.part === 'welcome'", 15_000)
    except AssertionError:
        raise AssertionError(f"nothing said at {page.url}; the console: {page.console_seen}") from None
    page.keyboard.press("ArrowRight")  # ...and the kiosk speaks on with no server
    wait_until(page, f"document.getElementById('speech')?.dataset.part === 'era' && {PLAYING}", 15_000)
