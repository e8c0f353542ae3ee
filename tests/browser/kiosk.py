"""What the kiosk tests do with a page: real touches through the DevTools protocol, and a few looks."""

from __future__ import annotations

import time
from contextlib import contextmanager

from playwright.sync_api import Page, expect

from kiosk.editing.writer import fixture_writes
from kiosk.extensions import db


class Fingers:
    """Touches on the screen as Chromium receives them from a touch panel (Input.dispatchTouchEvent)."""

    def __init__(self, page: Page):
        self.page = page
        self.cdp = page.context.new_cdp_session(page)

    def _send(self, kind: str, points: list[tuple[float, float]]) -> None:
        touch_points = [{"x": x, "y": y, "id": number} for number, (x, y) in enumerate(points)]
        self.cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": touch_points})

    def swipe(self, starts, ends, *, steps: int = 10, pause_ms: int = 0) -> None:
        """Move one finger per (start, end) pair, in ``steps`` moves; ``pause_ms`` between moves."""
        self._send("touchStart", starts)
        for step in range(1, steps + 1):
            share = step / steps
            points = [
                (sx + (ex - sx) * share, sy + (ey - sy) * share)
                for (sx, sy), (ex, ey) in zip(starts, ends, strict=True)
            ]
            self._send("touchMove", points)
            if pause_ms:
                self.page.wait_for_timeout(pause_ms)
        self._send("touchEnd", [])

    def tap(self, x: float, y: float) -> None:
        self._send("touchStart", [(x, y)])
        self._send("touchEnd", [])


def mouse_drag(page: Page, start: tuple[float, float], end: tuple[float, float], steps: int = 10) -> None:
    """Drag with the mouse at a steady hand's pace: the events carry their own times (60 a second),
    so a busy test machine cannot make the drag look slow to the page."""
    cdp = page.context.new_cdp_session(page)
    began = time.time()

    def send(kind: str, step: int, buttons: int) -> None:
        share = min(step, steps) / steps
        x, y = (start[0] + (end[0] - start[0]) * share, start[1] + (end[1] - start[1]) * share)
        cdp.send(
            "Input.dispatchMouseEvent",
            {
                "type": kind,
                "x": x,
                "y": y,
                "button": "left",
                "buttons": buttons,
                "clickCount": 0 if kind == "mouseMoved" else 1,
                "timestamp": began + step / 60,
            },
        )

    send("mousePressed", 0, 1)
    for step in range(1, steps + 1):
        send("mouseMoved", step, 1)
    send("mouseReleased", steps + 1, 0)


def centre(page: Page, selector: str) -> tuple[float, float]:
    box = page.locator(selector).bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def count_swaps(page: Page) -> None:
    """Count the events shown in the event view from now on (read them with ``swaps(page)``)."""
    page.evaluate(
        "() => { window.swapCount = 0; document.addEventListener('htmx:afterSwap', "
        "(e) => { if (e.detail.target.id === 'event-layer') window.swapCount += 1; }); }"
    )


def swaps(page: Page) -> int:
    return page.evaluate("window.swapCount")


def wait_until(page: Page, expression: str, timeout_ms: int = 10_000) -> None:
    """Wait until a JavaScript expression is true in the page. (Playwright's wait_for_function polls
    with eval() inside the page, which the kiosk's Content-Security-Policy rightly refuses.)"""
    for _ in range(timeout_ms // 50):
        if page.evaluate(expression):
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"still false after {timeout_ms} ms: {expression}")


def count_clicks(page: Page) -> None:
    """From the next page load on, count every click the page receives (read with ``clicks(page)``), even
    one the kiosk swallows: this listener is installed before the kiosk's own script runs."""
    page.add_init_script(
        "window.clicksSeen = 0; addEventListener('click', () => { window.clicksSeen += 1; }, true);"
    )


def clicks(page: Page) -> int:
    return page.evaluate("window.clicksSeen")


def settled(page: Page) -> None:
    """Wait until no htmx request is under way."""
    wait_until(page, "!document.querySelector('.htmx-request')")


def reloaded_offline(page: Page, live_server, path: str) -> None:
    """Open ``path``, wait until the service worker has kept the offline copy (it then controls the page),
    stop the server and reload: what the page shows now comes from that copy."""
    page.goto(live_server.url + path)
    wait_until(page, "navigator.serviceWorker.controller !== null", timeout_ms=30_000)
    live_server.stop()
    page.reload()


def open_event(page: Page, slug: str) -> None:
    page.locator(f"#event-{slug}").scroll_into_view_if_needed()
    page.locator(f"#event-{slug}").tap()
    expect(page.locator("#event-layer")).to_be_visible()
    expect(page.locator("#event-view")).to_have_attribute("data-event", slug)


@contextmanager
def content_of(live_server):
    """The live server's database, to change content as a curator's publish would."""
    with live_server.app.app_context():
        with fixture_writes():
            yield db.session
        db.session.remove()
