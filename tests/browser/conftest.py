"""Browser fixtures: the app served on a real port, driven by Debian's Chromium through Playwright."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from kiosk.extensions import db

from ..conftest import make_app
from ..helpers import make_user

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("KIOSK_CHROMIUM", "/usr/bin/chromium")
# Without these, Chromium keeps trying to reach Google's services, which this offline kiosk never may.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class LiveServer:
    """The app on a free local port, in a thread; it can be stopped and started again."""

    def __init__(self, app):
        self.app = app
        self._server = None
        self.port = 0

    def start(self) -> None:
        self._server = make_server("127.0.0.1", self.port, self.app, threaded=True)
        self.port = self._server.server_port
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture
def live_config(request) -> dict:
    """Settings for the served app: a test sets them with
    ``@pytest.mark.parametrize("live_config", [{...}], indirect=True)`` (to shorten the kiosk's clocks)."""
    return getattr(request, "param", {})


@pytest.fixture
def live_server(data_dir, database_url, live_config):
    app = make_app(data_dir, TESTING=False, SQLALCHEMY_DATABASE_URI=database_url, **live_config)
    server = LiveServer(app)
    server.start()
    yield server
    server.stop()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def curator_account(live_server):
    """An editor's account on the served app: "curator", with the tests' password."""
    with live_server.app.app_context():
        make_user("curator")
        db.session.remove()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make test`, which installs Debian's chromium.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A touch-screen kiosk page at 1920×1080 that records any request leaving our server.

    The kiosk's service worker is tested in test_kiosk_offline.py; here it would only make every test
    download the whole timeline for offline use."""
    context = browser.new_context(
        viewport={"width": 1920, "height": 1080}, has_touch=True, is_mobile=False, service_workers="block"
    )
    page = context.new_page()
    page.outside_requests = []
    page.errors = []
    page.on(
        "request",
        lambda request: (
            None
            if request.url.startswith((live_server.url, "data:"))
            else page.outside_requests.append(request.url)
        ),
    )
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def kiosk_page(browser, live_server):
    """A kiosk page with its service worker allowed (the shared ``page`` fixture blocks it): it keeps a
    copy of every page, in every language, which makes the first minute of a test busy."""
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def axe_violations(page) -> list[dict]:
    """Run axe-core in the page (evaluated through DevTools, so the page's CSP still applies to the app)."""
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `make test`, which installs it from the npm registry.")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' '))}))"
    )
    return result


def assert_accessible(page) -> None:
    violations = axe_violations(page)
    assert violations == [], "\n".join(f"{v['id']}: {v['help']} {v['nodes'][:3]}" for v in violations)
