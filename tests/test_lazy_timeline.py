"""A long timeline loads lazily: `/` carries the first events, each era's rest comes in runs."""

import re

import pytest
from sqlalchemy import select

from kiosk.content import published
from kiosk.editing.writer import fixture_writes
from kiosk.extensions import db
from kiosk.models import Event, Status

from .fixture_timeline import FIXTURE

HTMX = {"HX-Request": "true"}
EVENT_LINK = re.compile(r'<a class="card" id="event-([^"]+)" href="/events/')
MORE_LINK = re.compile(r'<a class="card card--more" href="([^"]+)"')


@pytest.fixture
def short_runs(app):
    """The fixture timeline served as if it were long: four events up front, then runs of one, so that
    its eras of two and three events arrive in several runs."""
    app.config.update(TIMELINE_EAGER_EVENTS=4, TIMELINE_PAGE_EVENTS=1)
    return app


def timeline_order() -> list[str]:
    return [event.slug for chapter in published.chapters() for event in chapter.events]


def test_a_short_timeline_is_on_the_first_page_in_full(client):
    html = client.get("/").get_data(as_text=True)
    assert EVENT_LINK.findall(html) == timeline_order()
    assert "card--more" not in html


def test_the_first_page_carries_the_first_events_and_a_placeholder_for_every_era_after(short_runs, client):
    html = client.get("/").get_data(as_text=True)
    assert EVENT_LINK.findall(html) == timeline_order()[:4]
    eras = re.findall(r'<section class="chapter era-[^"]+" id="era-([^"]+)"', html)
    assert eras == FIXTURE.era_slugs  # every chapter is there, so the dock's links all land somewhere
    placeholders = MORE_LINK.findall(html)
    # Two events of the first era and one of the second are shown, and one of the third's two: then the
    # rest of the third era, then every later era.
    assert placeholders == [f"/eras/{FIXTURE.record_era}?start=1", *(f"/eras/{slug}" for slug in eras[3:])]
    assert html.count('hx-trigger="intersect once, click once"') == 4


def test_following_the_plain_links_reaches_every_event_once_in_order(short_runs, client):
    """Without JavaScript, each placeholder is a link to the era's page, which links on to its next run."""
    html = client.get("/").get_data(as_text=True)
    seen = EVENT_LINK.findall(html)
    for link in MORE_LINK.findall(html):
        while link:
            response = client.get(link)
            assert response.status_code == 200
            page = response.get_data(as_text=True)
            assert page.startswith("<!doctype html>")
            seen += EVENT_LINK.findall(page)
            following = MORE_LINK.findall(page)
            link = following[0] if following else None
    assert seen == timeline_order()


def test_htmx_gets_the_next_run_alone_to_put_in_place_of_the_placeholder(short_runs, client):
    era = FIXTURE.fame_era
    response = client.get(f"/eras/{era}?start=1", headers=HTMX)
    fragment = response.get_data(as_text=True)
    assert "HX-Request" in response.headers["Vary"]
    assert fragment.lstrip().startswith(("{#", "<li")) and "<section" not in fragment
    fame = [event.slug for event in published.chapters()[3].events]
    assert fame == [FIXTURE.kremlin_event, FIXTURE.plain_event, FIXTURE.karaganda_event]
    assert EVENT_LINK.findall(fragment) == fame[1:2]
    assert MORE_LINK.findall(fragment) == [f"/eras/{era}?start=2"]
    # The page at the same URL carries the same run, with a way back to the earlier events.
    page = client.get(f"/eras/{era}?start=1").get_data(as_text=True)
    assert EVENT_LINK.findall(page) == fame[1:2]
    assert f'href="/eras/{era}">Earlier events' in page


def test_an_era_run_shows_only_what_visitors_may_see(short_runs, client):
    draft = db.session.scalar(select(Event).where(Event.slug == FIXTURE.record_event))
    with fixture_writes():
        draft.status = Status.DRAFT
    html = "".join(
        client.get(f"/eras/{FIXTURE.record_era}?start={start}", headers=HTMX).get_data(as_text=True)
        for start in (0, 1)
    )
    assert FIXTURE.image_event in html and FIXTURE.record_event not in html


@pytest.mark.parametrize("path", ["/eras/no-such-era", f"/eras/{FIXTURE.record_era}?start=500"])
def test_unknown_eras_and_runs_get_the_designed_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "We could not find that page." in response.get_data(as_text=True)


def test_a_nonsense_start_is_read_as_the_beginning(client):
    first = client.get(f"/eras/{FIXTURE.record_era}").get_data(as_text=True)
    for start in ("abc", "-3"):
        run = client.get(f"/eras/{FIXTURE.record_era}?start={start}").get_data(as_text=True)
        assert EVENT_LINK.findall(run) == EVENT_LINK.findall(first)
