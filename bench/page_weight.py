"""First-load weight of `/` (and of the timeline in every other language, /ru/ and /uk/) as sent over the
wire (document, CSS, scripts, fonts, headers included; images aside), in Chromium; then what each view
that loads more adds.

Chromium reports every response's encodedDataLength (bytes received: headers and body as compressed
by the server) through the DevTools protocol; a fresh browser context has an empty cache, and the
service worker is kept out of it. The first
load is everything up to the network going quiet after the load event; what the page asks for later
(the analytics script, 1.5 s after the load event) and what a view asks for when it opens (an event,
the places map) is listed under that view with its own bytes.
Goal: first load <= 40,000 bytes.   Run: .venv/bin/python bench/page_weight.py
"""

from __future__ import annotations

from _support import kiosk_in_chromium, machine

GOAL_BYTES = 40_000
PATHS = ("/", "/ru/", "/uk/")
COUNTED = {"Document", "Stylesheet", "Script", "Font", "Fetch", "XHR"}
LATER_SECONDS = 3  # the analytics script loads 1.5 s after the load event


class Wire:
    """Every response the page receives, with its bytes as sent; take() hands over those since last time."""

    def __init__(self, context, page):
        self.responses: dict[str, tuple[str, str, str]] = {}
        self.finished: dict[str, int] = {}
        self.seen: set[str] = set()
        cdp = context.new_cdp_session(page)
        cdp.on("Network.responseReceived", self._received)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.send("Network.enable")

    def _received(self, e) -> None:
        headers = {k.lower(): v for k, v in e["response"]["headers"].items()}
        encoding = headers.get("content-encoding", "-")
        self.responses[e["requestId"]] = (e["type"], e["response"]["url"], encoding)

    def _finished(self, e) -> None:
        self.finished[e["requestId"]] = int(e["encodedDataLength"])

    def take(self) -> list[tuple[str, str, int, str]]:
        new = [rid for rid in self.responses if rid not in self.seen and rid in self.finished]
        self.seen.update(new)
        return [(*self.responses[rid][:2], self.finished[rid], self.responses[rid][2]) for rid in new]


def report(title: str, loaded, origin: str) -> int:
    total = 0
    print(title)
    for kind, address, size, encoding in loaded:
        counted = kind in COUNTED
        total += size if counted else 0
        note = "" if counted else "  (image: not counted)"
        print(f"  {kind:<10} {size:>7,} bytes  {encoding:<5} {address.removeprefix(origin)}{note}")
    return total


def fresh_page(browser):
    # Without the service worker: its offline copy (bench/offline_copy.py) would otherwise answer
    # the later requests from what it fetched, and the page's own bytes would read as zero.
    context = browser.new_context(
        viewport={"width": 1920, "height": 1080}, has_touch=True, service_workers="block"
    )
    page = context.new_page()
    return context, page, Wire(context, page)


def main() -> None:
    print(f"Machine: {machine()}")
    firsts = {}
    with kiosk_in_chromium() as (server, browser):
        for path in PATHS:
            context, page, wire = fresh_page(browser)
            # `/` as a kiosk opens it (only a kiosk loads the analytics script and reports in; being the
            # first kiosk on the server's own machine, it enrols itself).
            address = path + ("?kiosk=page-weight" if path == "/" else "")
            page.goto(server.url + address, wait_until="networkidle")
            firsts[path] = report(f"First load of {path}", wire.take(), server.url)
            if path != "/":
                context.close()
                continue
            page.wait_for_timeout(LATER_SECONDS * 1000)
            title = f"Within {LATER_SECONDS} s after it (not part of the first load)"
            later = report(title, wire.take(), server.url)
            page.locator("a.card:not(.card--more)").first.tap()
            page.locator("#event-layer").wait_for(state="visible")
            page.wait_for_load_state("networkidle")
            event = report("Opening an event", wire.take(), server.url)
            page.goto(server.url + "/places", wait_until="networkidle")
            places = report("Then the places map (/places, a page of its own)", wire.take(), server.url)
            context.close()
    for path, first in firsts.items():
        print(
            f"first load of {path}: {first:,} bytes as sent   ratio to goal {first / GOAL_BYTES:.2f}  "
            f"(goal <= {GOAL_BYTES:,} bytes)"
        )
    print(
        f"after the first load of /: {later:,} bytes;  opening an event: {event:,} bytes;  "
        f"then the places map: {places:,} bytes"
    )


if __name__ == "__main__":
    main()
