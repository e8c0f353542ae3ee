"""Tap -> event shown: from a touch on a timeline card to the frame that shows the event, in Chromium.

Measured in the page itself: the pointerdown event's timestamp to the first animation frame after htmx
swapped the event into the layer and the layer became visible (what the next paint shows).
Goal: p95 <= 100 ms.   Run: .venv/bin/python bench/tap_latency.py
"""

from __future__ import annotations

import statistics

from _support import KIOSK_APP, Gunicorn, chromium, machine, prepare_data_dir, temporary_folder

TAPS = 50
GOAL_MS = 100
PROBE = """() => new Promise((resolve) => {
  let tapped = null;
  document.addEventListener("pointerdown", (e) => { tapped = e.timeStamp; }, { capture: true, once: true });
  document.addEventListener("htmx:afterSettle", function settled(e) {
    if (e.detail.target.id !== "event-layer") return;
    document.removeEventListener("htmx:afterSettle", settled);
    requestAnimationFrame(() => resolve(performance.now() - tapped));
  });
})"""


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure_taps(page) -> list[float]:
    cards = page.locator("a.card")
    count = cards.count()
    timings = []
    for tap in range(TAPS):
        card = cards.nth(tap % count)
        card.scroll_into_view_if_needed()
        page.evaluate("() => { window.__tap = (" + PROBE + ")(); }")
        card.tap()
        timings.append(page.evaluate("() => window.__tap"))
        page.locator("#event-layer").wait_for(state="visible")
        page.keyboard.press("Escape")
        page.locator("#event-layer").wait_for(state="hidden")
    return timings


def main() -> None:
    print(f"Machine: {machine()}")
    with (
        temporary_folder() as folder,
        Gunicorn(KIOSK_APP, prepare_data_dir(folder / "data")) as server,
        chromium() as browser,
    ):
        context = browser.new_context(viewport={"width": 1920, "height": 1080}, has_touch=True)
        page = context.new_page()
        page.goto(server.url + "/", wait_until="networkidle")
        timings = measure_taps(page)
        context.close()
    p95 = percentile(timings, 0.95)
    print(
        f"{TAPS} taps: median {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms, "
        f"max {max(timings):.1f} ms   ratio to goal {p95 / GOAL_MS:.2f}  (goal p95 <= {GOAL_MS} ms)"
    )


if __name__ == "__main__":
    main()
