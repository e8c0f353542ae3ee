"""The offline copy: what the service worker asks for after a kiosk's first load, in Chromium.

From a fresh browser context: load `/`, then time until the service worker has kept everything (it
claims the page once installed) and list the requests it made: how many, how many bytes (headers and
body as sent, compressed), and whether any address was asked for twice (an event page and its fragment
share an address; the page carries the fragment, which the worker keeps from it).
Goal: each address asked for once.   Run: .venv/bin/python bench/offline_copy.py
"""

from __future__ import annotations

import time
from collections import Counter

from _support import kiosk_in_chromium, machine


def offline_copy(browser, url: str) -> tuple[float, list[tuple[str, int]]]:
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, has_touch=True)
    asked = []
    context.on("requestfinished", lambda request: asked.append(request) if request.service_worker else None)
    page = context.new_page()
    page.goto(url, wait_until="load")
    started = time.perf_counter()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=120_000)
    seconds = time.perf_counter() - started
    kept = []
    for request in asked:
        sizes = request.sizes()
        kept.append((request.url, sizes["responseHeadersSize"] + sizes["responseBodySize"]))
    context.close()
    return seconds, kept


def main() -> None:
    print(f"Machine: {machine()}")
    with kiosk_in_chromium() as (server, browser):
        seconds, kept = offline_copy(browser, server.url + "/")
    twice = [address for address, times in Counter(address for address, _ in kept).items() if times > 1]
    total = sum(size for _, size in kept)
    print(
        f"offline copy: {len(kept)} requests, {total:,} bytes as sent, "
        f"kept {seconds:.2f} s after the load event; "
        f"{len(twice)} addresses asked for more than once  (goal: none)"
    )
    kinds: Counter[str] = Counter()
    for address, size in kept:
        path = address.removeprefix(server.url)
        kind = "pages"
        if path.startswith(("/media/", "/static/")):
            kind = "images" if path.startswith("/media/") else "static files"
        kinds[kind] += size
    print("  of which " + ", ".join(f"{kind} {size:,} bytes" for kind, size in kinds.most_common()))
    for address in twice:
        print(f"  twice: {address.removeprefix(server.url)}")


if __name__ == "__main__":
    main()
