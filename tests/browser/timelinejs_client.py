"""The real TimelineJS (Knight Lab, from npm) opening a file in real Chromium, as a museum's site would.

The test page and TimelineJS's own dist files are served by Playwright's request routing on an origin of
their own (nothing is added to the kiosk app). TimelineJS reads JSON from a URL and a sheet from a URL ending
in ``.csv`` (the same code path it uses for a published Google sheet: ``ConfigFactory.readCSVFromURL``), so
both exports are handed to it exactly as a web server would. Anything else the page asks for (remote media,
web fonts, a tweet's script) gets an empty placeholder, so the test stays offline and a missing picture
cannot pass for an error of the file; those requests are listed in ``TimelineJSPage.placeholders``.
"""

from __future__ import annotations

import io
import mimetypes
from dataclasses import dataclass, field

import pytest
from PIL import Image

from .conftest import ROOT

DIST = ROOT / "node_modules" / "@knight-lab" / "timelinejs" / "dist"
ORIGIN = "http://timelinejs.test"


def _pixel() -> bytes:
    """A small grey PNG: what every image outside the test origin receives."""
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "#777777").save(out, "PNG")
    return out.getvalue()


PIXEL = _pixel()
PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>TimelineJS</title>
<link rel="stylesheet" href="/dist/css/timeline.css">
<script src="/dist/js/timeline.js"></script></head>
<body><div id="timeline-embed" style="width: 1200px; height: 700px"></div>
<script>
  window.timeline = new TL.Timeline("timeline-embed", "/data/%(name)s", {debug: false});
  window.timeline.on("ready", () => { document.body.dataset.state = "ready"; });
</script></body></html>
"""


@dataclass
class Shown:
    """What TimelineJS drew: its message (an error, if any), slides, eras and groups."""

    ready: bool
    message: str
    title: str
    slides: list[dict]  # {"id", "headline", "text", "media"} for every slide but the title
    eras: list[str]
    groups: list[str]
    console_errors: list[str] = field(default_factory=list)
    visited: list[str] = field(default_factory=list)  # the slides gone to in turn after the title

    @property
    def headlines(self) -> list[str]:
        return [slide["headline"] for slide in self.slides]


class TimelineJSPage:
    def __init__(self, browser):
        if not (DIST / "js" / "timeline.js").exists():
            pytest.fail("TimelineJS is missing: run `make test`, which installs it from the npm registry.")
        self.context = browser.new_context(viewport={"width": 1280, "height": 800})
        self.page = self.context.new_page()
        self.page.set_default_timeout(20_000)
        self.console_errors: list[str] = []
        self.placeholders: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        self.page.on("pageerror", lambda error: self.console_errors.append(str(error)))
        self.files: dict[str, tuple[bytes, str]] = {}
        self.context.route("**/*", self._serve)

    def _serve(self, route) -> None:
        url = route.request.url
        path = url[len(ORIGIN) :].split("?")[0] if url.startswith(ORIGIN) else ""
        if path in self.files:
            body, content_type = self.files[path]
            return route.fulfill(status=200, body=body, content_type=content_type)
        if path.startswith("/dist/") and ".." not in path:
            file = DIST / path.removeprefix("/dist/")
            if file.is_file():
                content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
                return route.fulfill(status=200, body=file.read_bytes(), content_type=content_type)
        self.placeholders.append(url)
        kind = route.request.resource_type
        if kind == "image":
            return route.fulfill(status=200, body=PIXEL, content_type="image/png")
        content_type = {"script": "text/javascript", "stylesheet": "text/css"}.get(kind, "text/html")
        return route.fulfill(status=200, body=b"", content_type=content_type)

    def open(self, data: bytes, name: str) -> Shown:
        """Serve ``data`` as /data/<name> (``.json`` or ``.csv``) and let TimelineJS draw it."""
        content_type = "text/csv; charset=utf-8" if name.endswith(".csv") else "application/json"
        self.files = {
            "/index.html": ((PAGE % {"name": name}).encode(), "text/html; charset=utf-8"),
            f"/data/{name}": (data, content_type),
        }
        self.console_errors.clear()
        self.page.goto(f"{ORIGIN}/index.html")
        self.page.wait_for_function(
            "document.body.dataset.state === 'ready' || "
            "/error/i.test(document.querySelector('.tl-message-full')?.textContent || '')"
        )
        visited = self.page.evaluate(_VISIT_EVERY_SLIDE)
        self.page.wait_for_load_state("networkidle")  # the media of the slides visited last has loaded
        shown = self.page.evaluate(_READ_SHOWN)
        return Shown(console_errors=list(self.console_errors), visited=visited, **shown)

    def close(self) -> None:
        self.context.close()


# Go to every slide in turn, as a visitor pressing "next" would (each loads its media and its neighbours').
_VISIT_EVERY_SLIDE = """() => {
  if (!window.timeline.ready) return [];
  const visited = [];
  window.timeline.on('change', (event) => visited.push(event.unique_id));
  for (let n = 0; n <= window.timeline.config.events.length; n++) window.timeline.goTo(n);
  return visited;
}"""
_READ_SHOWN = """() => {
  const text = (el) => (el ? el.textContent.replace(/\\s+/g, ' ').trim() : '');
  const slides = [...document.querySelectorAll('.tl-slide:not(.tl-slide-titleslide)')].map((slide) => ({
    id: slide.id,
    headline: text(slide.querySelector('.tl-headline')),
    text: text(slide.querySelector('.tl-text-content')),
    media: !!slide.querySelector('.tl-media'),
  }));
  return {
    ready: document.body.dataset.state === 'ready',
    message: text(document.querySelector('.tl-message-full')),
    title: text(document.querySelector('.tl-slide-titleslide .tl-headline')),
    slides,
    eras: [...document.querySelectorAll('.tl-timeera .tl-headline')].map(text),
    groups: [...document.querySelectorAll('.tl-timegroup-message')].map(text),
  };
}"""


def assert_every_slide_shown(shown: Shown, title: str, headlines: list[str]) -> None:
    """TimelineJS opened the file without an error and drew the title and one slide per event."""
    assert shown.ready, f"TimelineJS refused the file: {shown.message}"
    assert shown.console_errors == [], shown.console_errors
    assert shown.title == title
    assert sorted(shown.headlines) == sorted(headlines)
    # Each event's slide can be gone to (the title is where TimelineJS starts).
    assert shown.visited == [slide["id"] for slide in shown.slides], shown.visited
