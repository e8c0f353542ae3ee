"""First-load weight of `/` (and of the timeline in every other language, /ru/ and /uk/) as sent over the
wire (HTML, CSS, JS, fonts; images aside), in Chromium.

Chromium reports every response's encodedDataLength (bytes received: headers and body as compressed
by the server) through the DevTools protocol; a fresh browser context has an empty cache.
Goal: <= 40 KB.   Run: .venv/bin/python bench/page_weight.py
"""

from __future__ import annotations

from _support import KIOSK_APP, Gunicorn, chromium, machine, prepare_data_dir, temporary_folder

GOAL_KB = 40
GOAL_BYTES = 40_000
PATHS = ("/", "/ru/", "/uk/")
COUNTED = {"Document", "Stylesheet", "Script", "Font", "Fetch", "XHR"}


def first_load(browser, url: str) -> list[tuple[str, str, int, str]]:
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, has_touch=True)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    responses: dict[str, tuple[str, str, str]] = {}
    finished: dict[str, int] = {}
    cdp.on(
        "Network.responseReceived",
        lambda e: responses.__setitem__(
            e["requestId"],
            (
                e["type"],
                e["response"]["url"],
                {k.lower(): v for k, v in e["response"]["headers"].items()}.get("content-encoding", "-"),
            ),
        ),
    )
    cdp.on(
        "Network.loadingFinished", lambda e: finished.__setitem__(e["requestId"], int(e["encodedDataLength"]))
    )
    cdp.send("Network.enable")
    page.goto(url, wait_until="networkidle")
    context.close()
    return [
        (kind, address, finished.get(rid, 0), encoding)
        for rid, (kind, address, encoding) in responses.items()
    ]


def main() -> None:
    print(f"Machine: {machine()}")
    with (
        temporary_folder() as folder,
        Gunicorn(KIOSK_APP, prepare_data_dir(folder / "data")) as server,
        chromium() as browser,
    ):
        loads = {path: first_load(browser, server.url + path) for path in PATHS}
    for path, loaded in loads.items():
        total = 0
        for kind, address, size, encoding in loaded:
            counted = kind in COUNTED
            total += size if counted else 0
            note = "" if counted else "  (not counted)"
            print(
                f"  {kind:<10} {size / 1024:6.1f} KB  {encoding:<5} {address.removeprefix(server.url)}{note}"
            )
        print(
            f"first load of {path}: {total / 1024:.1f} KB ({total} bytes) as sent   "
            f"ratio to goal {total / GOAL_BYTES:.2f}  (goal <= {GOAL_BYTES} bytes)"
        )


if __name__ == "__main__":
    main()
