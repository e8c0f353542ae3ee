"""The screenshots the README shows (docs/*.png), taken of the default content under gunicorn in Chromium
with touch, at half their pixels so that the repository stays small. Every visitor screen in every language
and size, with its checks, is photographed by the test run instead (tests/browser/test_kiosk_screens.py,
into test-artifacts/screens/).
Run: .venv/bin/python bench/readme_screenshots.py
"""

from __future__ import annotations

from _support import ROOT, kiosk_in_chromium

DOCS = ROOT / "docs"
FIGURE_EVENT = "record-shift-102-tonnes"  # the record shift: its figure and its place
# (file name, screen size, address, what to do there first)
SHOTS = [
    ("screenshot.png", (1920, 1080), "/", None),
    ("timeline-end-1920x1080.png", (1920, 1080), "/", "end"),
    ("figure-1920x1080.png", (1920, 1080), f"/events/{FIGURE_EVENT}", None),
    ("places-1920x1080.png", (1920, 1080), "/places/moscow", None),
    ("figure-1080x1920.png", (1080, 1920), f"/ru/events/{FIGURE_EVENT}", None),
    ("places-1080x1920.png", (1080, 1920), "/uk/places", None),
    ("places-1366x768-larger-contrast.png", (1366, 768), "/ru/places", "preferences"),
]


def main() -> None:
    with kiosk_in_chromium() as (server, browser):
        for name, (width, height), path, action in SHOTS:
            context = browser.new_context(
                viewport={"width": width, "height": height},
                device_scale_factor=0.5,
                has_touch=True,
                service_workers="block",
            )
            page = context.new_page()
            page.goto(server.url + path)
            if action == "preferences":
                for preference in ("text-large", "contrast-high"):
                    page.locator(f".dock [data-preference={preference}]").tap()
            elif action == "end":
                page.locator("#track").evaluate("track => track.scrollTo({left: track.scrollWidth})")
            page.evaluate("document.fonts.ready")
            page.wait_for_timeout(400)  # the kiosk's fitting and the chips' row after the scroll
            page.screenshot(path=DOCS / name)
            context.close()
            print(f"{name:40} {width}×{height} {path}")


if __name__ == "__main__":
    main()
