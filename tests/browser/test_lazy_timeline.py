"""A long timeline in the browser: later eras arrive as the visitor scrolls to them."""

import contextlib
import re

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from kiosk.content import published
from kiosk.extensions import db

from ..conftest import make_app
from .conftest import LiveServer, assert_accessible

pytestmark = pytest.mark.browser


@pytest.fixture
def short_runs_server(data_dir, database_url):
    """The timeline served as if it were long: four events up front, then runs of four."""
    app = make_app(
        data_dir,
        TESTING=False,
        SQLALCHEMY_DATABASE_URI=database_url,
        TIMELINE_EAGER_EVENTS=4,
        TIMELINE_PAGE_EVENTS=4,
    )
    with app.app_context():
        order = [event.slug for chapter in published.chapters() for event in chapter.events]
    server = LiveServer(app)
    server.start()
    server.order = order
    yield server
    server.stop()
    with app.app_context():
        db.engine.dispose()


def test_scrolling_through_the_timeline_loads_every_era_in_order(browser, short_runs_server):
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, has_touch=True)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(short_runs_server.url + "/")
    page.wait_for_load_state("networkidle")
    cards = page.locator("a.card:not(.card--more)")
    # What fills the screen is there; the eras beyond it are still placeholders.
    assert 4 <= cards.count() < len(short_runs_server.order)
    assert page.locator("a.card--more").count() > 0
    assert_accessible(page)

    for _ in range(20):
        placeholders = page.locator("a.card--more")
        if placeholders.count() == 0:
            break
        placeholder = page.locator(f'a.card--more[href="{placeholders.first.get_attribute("href")}"]')
        # It may be on its way already (it came into view with the one before): then htmx replaces it
        # while it is being scrolled to, and the wait below is all there is to do.
        with contextlib.suppress(PlaywrightError):
            placeholder.scroll_into_view_if_needed(timeout=5000)
        expect(placeholder).to_have_count(0)
    ids = cards.evaluate_all("links => links.map(a => a.id.replace('event-', ''))")
    assert ids == short_runs_server.order

    # A card that arrived late opens over the timeline like any other.
    last = page.locator(f"#event-{short_runs_server.order[-1]}")
    with page.expect_request(re.compile(r"/events/")) as request:
        last.tap()
    assert request.value.headers.get("hx-request") == "true"
    expect(page.locator("#event-layer")).to_be_visible()
    assert errors == []
    context.close()
