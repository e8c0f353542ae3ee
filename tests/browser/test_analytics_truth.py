"""The truth test: scripted visitors at three kiosks in Chromium, a log of what they did kept by the test
itself (on its own clock), and the Analytics page and its CSV compared with that log figure by figure.

The visits take in what used to go wrong: a reload and a change of language while reading, reports that
cannot reach the server for a while, a kiosk page closed before it sent anything, a visit running past
midnight, a curator's browser wandering the kiosk's pages. The server's clock is moved (the museum's
noon, then a few seconds before midnight) and the kiosks' own clocks are left alone: the server puts
their times right. Every report the kiosks send is also checked against reports.schema.json.

Durations in the log are intervals (the moment before and after each action the test takes), so the
product's figure must fall inside what the test can know, give or take a tick of the kiosk's own timer.
"""

from __future__ import annotations

import csv
import io
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from kiosk.models import utcnow
from kiosk.telemetry import contract

from ..helpers import PASSWORD, make_user
from ..visits import enrol
from .kiosk import Fingers, wait_until

ZONE = "Europe/Kyiv"
IDLE, WARNING = 3, 1
SETTINGS = {
    "IDLE_SECONDS": IDLE,
    "IDLE_WARNING_SECONDS": WARNING,
    "ANALYTICS_SEND_SECONDS": 1,
    "HEARTBEAT_SECONDS": 1,
    "TIMEZONE": ZONE,
    "OPENING_HOURS": "",
}
READY = "window.Kiosk && window.Kiosk.analytics && !window.Kiosk.analytics.waiting"
QUEUE = "JSON.parse(localStorage.getItem('kiosk:analytics-queue') || '[]').length"
ATTRACT = "Touch the screen to explore his life"
TICK = 0.35  # the kiosk's idle timer looks every 250 ms; a little more for the page's own work


class MuseumClock:
    """The server's clock, moved to a chosen moment of the museum's day (and the test's view of it)."""

    def __init__(self, app):
        self.shift = timedelta(0)
        self.zone = ZoneInfo(ZONE)
        app.extensions["telemetry_clock"] = lambda: utcnow() + self.shift

    def set(self, day: date, at: time) -> None:
        wanted = datetime.combine(day, at, self.zone).astimezone(UTC).replace(tzinfo=None)
        self.shift = wanted - utcnow()

    def now(self) -> datetime:
        return (utcnow() + self.shift).replace(tzinfo=UTC).astimezone(self.zone)

    def wait_until(self, page, moment: datetime) -> None:
        while self.now() < moment:
            page.wait_for_timeout(100)


@dataclass
class Moment:
    """When the test did something: between ``lo`` and ``hi`` on the museum's clock."""

    lo: datetime
    hi: datetime


@dataclass
class Visit:
    kiosk: str
    start: Moment
    last_touch: Moment
    opens: list[tuple[str, Moment]] = field(default_factory=list)
    readings: list[tuple[str, Moment, Moment]] = field(default_factory=list)  # slug, opened, left
    actions: Counter = field(default_factory=Counter)  # (kind, subject)
    interactions: int = 0
    reset: bool = False


class Log:
    """What the scripted visitors did, as the test saw it."""

    def __init__(self, clock: MuseumClock):
        self.clock, self.visits = clock, []

    def act(self, action) -> Moment:
        lo = self.clock.now()
        action()
        return Moment(lo, self.clock.now())

    def wake(self, kiosk: str, action) -> Visit:
        moment = self.act(action)
        visit = Visit(kiosk, moment, moment)
        self.visits.append(visit)
        return visit

    def touch(self, visit: Visit, action, kind: str | None = None, subject: str = "") -> Moment:
        moment = self.act(action)
        visit.last_touch = moment
        if kind:
            visit.actions[(kind, subject)] += 1
            visit.interactions += 1
        return moment

    def opened(self, visit: Visit, slug: str, moment: Moment) -> None:
        self.left(visit, moment)
        visit.opens.append((slug, moment))
        visit.interactions += 1

    @staticmethod
    def left(visit: Visit, moment: Moment) -> None:
        """The event on screen left it (another opened, closed, the kiosk started again, the page closed)."""
        if visit.opens and len(visit.readings) < len(visit.opens):
            slug, opened = visit.opens[-1]
            visit.readings.append((slug, opened, moment))

    def reset_observed(self, visit: Visit, page) -> None:
        """The visitor walked away: "Still there?", then the attract screen. The reset happens IDLE +
        WARNING seconds after the last touch (and a timer tick), whenever the test looks."""
        expect(page.get_by_role("dialog", name=ATTRACT)).to_be_visible(timeout=15_000)
        seen = self.clock.now()
        touch = visit.last_touch
        earliest = touch.lo + timedelta(seconds=IDLE + WARNING)
        self.left(visit, Moment(earliest, min(seen, touch.hi + timedelta(seconds=IDLE + WARNING + TICK))))
        visit.reset = True
        visit.actions[("idle-reset", "")] += 1


def kiosk_page(browser, live_server, name: str, captured: list):
    """A kiosk at its start address (its token in the fragment), woken from the attract screen later."""
    headers = enrol(live_server.app, name)
    token = headers["Authorization"].removeprefix("Bearer ")
    context = browser.new_context(
        viewport={"width": 1920, "height": 1080}, has_touch=True, service_workers="block"
    )
    context.on("request", lambda request: captured.append(request) if request.method == "POST" else None)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/?kiosk={name}#token={token}")  # the kiosk keeps its name and token
    show_attract(page)
    return page


def show_attract(page) -> None:
    page.evaluate("sessionStorage.setItem('kiosk:attract', 'true')")  # as after a reset that reloaded
    page.reload()
    expect(page.get_by_role("dialog", name=ATTRACT)).to_be_visible()
    wait_until(page, READY)


def shown_event(page) -> str:
    return page.locator("#event-view").get_attribute("data-event")


def open_card(page, slug: str):
    def action():
        page.locator(f"#event-{slug}").scroll_into_view_if_needed()
        page.locator(f"#event-{slug}").tap()
        expect(page.locator("#event-view")).to_have_attribute("data-event", slug)

    return action


def tap_link(page, selector: str, arriving: str):
    """Tap a link until the page goes there: after a swipe made through DevTools, Chromium makes no click
    of the first tap (the page sees its pointerdown and pointerup, then nothing)."""

    def action():
        for _ in range(3):
            page.locator(selector).tap()
            try:
                page.wait_for_url(re.compile(arriving), timeout=1_000)
                return
            except PlaywrightTimeout:
                continue
        raise AssertionError(f"tapping {selector} never reached {arriving}")

    return action


def swipe(page, direction: str):
    before = {}

    def action():
        before["slug"] = shown_event(page)
        start, end = ((1400, 500), (900, 500)) if direction == "next" else ((900, 500), (1400, 500))
        Fingers(page).swipe([start], [end])
        expect(page.locator("#event-view")).not_to_have_attribute("data-event", before["slug"])

    return action


def wake(page):
    def action():
        page.touchscreen.tap(960, 540)
        expect(page.get_by_role("dialog", name=ATTRACT)).to_be_hidden()

    return action


def sent_everything(page) -> None:
    wait_until(page, f"{QUEUE} === 0", timeout_ms=20_000)


def cut_off(context) -> None:
    """The kiosk's reports cannot reach the server (its pages still load)."""
    context.route(
        re.compile(r".*/(analytics/events|fleet/.*)$"), lambda route: route.abort("internetdisconnected")
    )


def seconds(text: str) -> int:
    match = re.fullmatch(r"(?:(\d+) min )?(\d+) s", text.strip())
    assert match, text
    return int(match.group(1) or 0) * 60 + int(match.group(2))


def within(value: float, lo: float, hi: float, slack: float = TICK) -> bool:
    return lo - slack <= value <= hi + slack


@pytest.mark.parametrize("live_config", [SETTINGS], indirect=True)
def test_scripted_visits_match_the_analytics_page_and_csv_figure_by_figure(browser, live_server):
    clock = MuseumClock(live_server.app)
    day = clock.now().date()
    clock.set(day, time(12, 0))
    log, captured = Log(clock), []
    a, b, c = (
        kiosk_page(browser, live_server, name, captured) for name in ("gallery-1", "gallery-2", "gallery-3")
    )
    cards = a.locator(".card").evaluate_all("cards => cards.map(card => card.id.slice(6))")
    chips = a.locator("[data-era]").evaluate_all("chips => chips.map(chip => chip.dataset.era)")

    # V1, gallery-1: reads an event, swipes to the next, switches to Russian while reading it (the page
    # reloads as that event's own page), walks away.
    v1 = log.wake("gallery-1", wake(a))
    log.opened(v1, cards[1], log.touch(v1, open_card(a, cards[1])))
    a.wait_for_timeout(800)
    moment = log.touch(v1, swipe(a, "next"), "swipe", "next")
    log.opened(v1, shown_event(a), moment)
    a.wait_for_timeout(500)
    log.touch(v1, tap_link(a, "#event-view [data-language=ru]", "/ru/events/"), "language", "ru")

    # V4, gallery-3: its reports cannot reach the server; it reads an event, and its page is closed before
    # anything was sent; the kiosk opens again (a restart) and sends the visit, ended where it was last seen.
    cut_off(c.context)
    v4 = log.wake("gallery-3", wake(c))
    log.opened(v4, cards[2], log.touch(v4, open_card(c, cards[2])))
    c.wait_for_timeout(1_000)
    closed = log.act(c.close)
    log.left(v4, Moment(closed.lo - timedelta(seconds=0.6), closed.hi))  # saved at most 500 ms before
    c.context.unroute_all()
    c = c.context.new_page()
    c.goto(live_server.url + "/")

    # V2, gallery-2: an era chip, an event, larger text, a reload while reading, back to the timeline,
    # "Still there?" answered, Start again, walks away.
    v2 = log.wake("gallery-2", wake(b))
    log.touch(v2, lambda: b.locator(f"[data-era={chips[2]}]").first.tap(), "era", chips[2])
    era_card = b.locator(f"#{chips[2]} .card").first.get_attribute("id").removeprefix("event-")
    log.opened(v2, era_card, log.touch(v2, open_card(b, era_card)))
    log.touch(
        v2,
        lambda: b.locator("#event-layer [data-preference=text-large]").tap(),
        "preference",
        "text-large:on",
    )
    b.reload()
    wait_until(b, READY)
    log.left(v2, log.touch(v2, tap_link(b, "#event-view [data-close]", r"/(#.*)?$")))
    expect(b.locator("#idle-notice")).to_be_visible(timeout=10_000)
    log.touch(v2, lambda: b.locator("[data-idle-continue]").tap(), "idle-continue")
    log.touch(v2, lambda: b.locator(".dock [data-start-again]").tap(), "start-again")

    # V3, gallery-1 once it has started again: cut off, the visit waits in the kiosk, then arrives.
    log.reset_observed(v1, a)
    cut_off(a.context)
    v3 = log.wake("gallery-1", wake(a))
    log.opened(v3, cards[3], log.touch(v3, open_card(a, cards[3])))
    a.wait_for_timeout(600)
    moment = log.touch(v3, swipe(a, "prev"), "swipe", "prev")
    log.opened(v3, shown_event(a), moment)

    # A curator's browser (no kiosk name, no token) wanders the kiosk's pages: it never counts.
    office, office_posts = browser.new_context(viewport={"width": 1400, "height": 1000}), []
    office.on(
        "request", lambda request: office_posts.append(request.url) if request.method == "POST" else None
    )
    curator = office.new_page()
    curator.goto(live_server.url + "/")
    curator.locator(f"#event-{cards[1]}").click()
    expect(curator.locator("#event-view")).to_have_attribute("data-event", cards[1])
    assert curator.evaluate("window.Kiosk.analytics.kiosk") is None

    log.reset_observed(v2, b)
    log.reset_observed(v3, a)
    assert a.evaluate(QUEUE) >= 6  # the visit waits in the kiosk...
    a.context.unroute_all()
    for page in (a, b, c):
        sent_everything(page)  # ...and arrives

    # V5, gallery-1, past midnight: the server's clock moves to 23:59:50 (the kiosks measure the new
    # offset within a report or two), the visit starts before midnight and swipes after it.
    clock.set(day, time(23, 59, 50))
    a.wait_for_timeout(2_000)
    v5 = log.wake("gallery-1", wake(a))
    log.opened(v5, cards[4], log.touch(v5, open_card(a, cards[4])))
    assert v5.start.hi.time() < time(23, 59, 59), "too slow to start before midnight"
    while clock.now() < datetime.combine(day + timedelta(days=1), time(0, 0, 1), clock.zone):
        log.touch(v5, lambda: a.locator("#event-title").tap())  # still reading, a finger on the text
        a.wait_for_timeout(700)
    moment = log.touch(v5, swipe(a, "next"), "swipe", "next")
    log.opened(v5, shown_event(a), moment)

    # V6, gallery-2, after midnight (while gallery-1 is still counting down).
    v6 = log.wake("gallery-2", wake(b))
    log.opened(v6, cards[0], log.touch(v6, open_card(b, cards[0])))
    log.reset_observed(v5, a)
    log.reset_observed(v6, b)
    for page in (a, b, c):
        sent_everything(page)
    assert office_posts == []

    # Every report the kiosks sent follows the schema.
    kinds: Counter = Counter()
    for request in captured:
        body = request.post_data_json
        path = request.url.split("/", 3)[3]
        contract.check(
            {"analytics/events": "batch", "fleet/heartbeat": "heartbeat"}.get(path, "enrolment"), body
        )
        kinds.update(item["type"] for item in body.get("events", []))
    assert set(kinds) == {
        "session-start",
        "open",
        "swipe",
        "era",
        "preference",
        "language",
        "idle-continue",
        "start-again",
        "idle-reset",
        "session-end",
    }

    # The figures, as a curator reads them.
    with live_server.app.app_context():
        make_user("curator")
    curator.goto(live_server.url + "/admin/login")
    curator.get_by_label("Username").fill("curator")
    curator.get_by_label("Password").fill(PASSWORD)
    curator.get_by_role("button", name="Sign in").click()
    period = f"since={day.isoformat()}&until={(day + timedelta(days=1)).isoformat()}"
    compare(curator, live_server, log.visits, period, "")
    compare(curator, live_server, log.visits, period, "gallery-1")
    for context in {a.context, b.context, c.context, office}:
        context.close()


def compare(page, live_server, visits: list[Visit], period: str, kiosk: str) -> None:
    """The Analytics page and its CSV against the log, for every kiosk or one."""
    visits = [visit for visit in visits if not kiosk or visit.kiosk == kiosk]
    page.goto(f"{live_server.url}/admin/analytics?{period}&kiosk={kiosk}")
    figure = lambda name: page.locator(f"[data-figure={name}]").inner_text()  # noqa: E731
    lengths = [(v.last_touch.lo - v.start.hi, v.last_touch.hi - v.start.lo) for v in visits]
    assert figure("sessions") == str(len(visits))
    assert figure("interruptions") == str(len(visits))  # every visit woke the attract screen
    assert figure("resets") == str(sum(visit.reset for visit in visits))
    assert figure("continued") == str(sum(visit.actions[("idle-continue", "")] for visit in visits))
    assert figure("interactions") == f"{sum(visit.interactions for visit in visits) / len(visits):.1f}"
    lows = sorted(lo.total_seconds() for lo, _hi in lengths)
    highs = sorted(hi.total_seconds() for _lo, hi in lengths)
    assert statistics.median(lows) - 1 <= seconds(figure("median")) <= statistics.median(highs) + 1

    days = Counter(visit.start.lo.date().isoformat() for visit in visits)
    assert rows(page, "#table-days") == {day: count for day, count in days.items()} | zeros(
        rows(page, "#table-days"), days
    )
    hours = Counter(f"{visit.start.lo.hour:02d}:00–{visit.start.lo.hour:02d}:59" for visit in visits)
    assert rows(page, "#table-hours") == hours | zeros(rows(page, "#table-hours"), hours)

    opens = Counter(slug for visit in visits for slug, _moment in visit.opens)
    table = {
        row.get_attribute("data-event"): int(row.locator("[data-opens]").inner_text())
        for row in page.locator("#table-events tbody tr").all()
    }
    assert table == dict(opens)
    last = Counter(visit.opens[-1][0] for visit in visits if visit.opens)
    assert {
        row.get_attribute("data-event"): int(row.locator("td").inner_text())
        for row in page.locator("#table-last tbody tr").all()
    } == dict(last)
    actions = Counter()
    for visit in visits:
        actions.update(
            {
                key: n
                for key, n in visit.actions.items()
                if key[0] in ("swipe", "era", "preference", "language", "start-again")
            }
        )
    assert {
        (row.get_attribute("data-action"), row.get_attribute("data-subject")): int(
            row.locator("td").last.inner_text()
        )
        for row in page.locator("#table-actions tbody tr").all()
    } == dict(actions)

    # The CSV: the same counts, and each event's time on screen inside what the test saw.
    response = page.request.get(f"{live_server.url}/admin/analytics.csv?{period}&kiosk={kiosk}")
    table_rows = list(csv.DictReader(io.StringIO(response.text())))
    summed: Counter = Counter()
    reading: Counter = Counter()
    for row in table_rows:
        summed[(row["metric"], row["subject"])] += int(row["count"])
        if row["metric"] == "open":
            reading[row["subject"]] += float(row["total_seconds"])
    assert summed[("sessions", "")] == len(visits)
    assert {subject: n for (metric, subject), n in summed.items() if metric == "open"} == dict(opens)
    assert {subject: n for (metric, subject), n in summed.items() if metric == "last"} == dict(last)
    assert summed[("language", "ru")] == actions[("language", "ru")]
    for slug in opens:
        spans = [
            (left.lo - opened.hi, left.hi - opened.lo)
            for v in visits
            for s, opened, left in v.readings
            if s == slug
        ]
        lo = sum(span[0].total_seconds() for span in spans)
        hi = sum(span[1].total_seconds() for span in spans)
        assert within(reading[slug], lo, hi, TICK * len(spans)), (slug, reading[slug], lo, hi)
        shown = page.locator(f'#table-events tr[data-event="{slug}"] [data-reading]').inner_text()
        assert within(seconds(shown), lo, hi, 0.5 + TICK * len(spans)), (slug, shown, lo, hi)
    csv_lengths = sorted(
        int(row["subject"])
        for row in table_rows
        if row["metric"] == "session-length"
        for _ in range(int(row["count"]))
    )
    assert len(csv_lengths) == len(visits)
    for length, (lo, hi) in zip(csv_lengths, sorted(lengths), strict=True):
        assert lo.total_seconds() - 1 <= length <= hi.total_seconds() + 1


def rows(page, table: str) -> dict[str, int]:
    return {
        row.locator("td").first.text_content(): int(row.locator("td").last.text_content())
        for row in page.locator(f"{table} tbody tr").all()
    }


def zeros(shown: dict[str, int], counted: Counter) -> dict[str, int]:
    return {label: 0 for label in shown if label not in counted}
