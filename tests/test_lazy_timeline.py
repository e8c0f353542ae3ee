"""A long timeline loads lazily: `/` carries the first events, each era's rest comes in runs."""

import re

import pytest
from sqlalchemy import select

from kiosk.content import published
from kiosk.editing.writer import fixture_writes
from kiosk.extensions import db
from kiosk.models import Event, Status

HTMX = {"HX-Request": "true"}
EVENT_LINK = re.compile(r'<a class="card" id="event-([^"]+)" href="/events/')
MORE_LINK = re.compile(r'<a class="card card--more" href="([^"]+)"')


@pytest.fixture
def short_runs(app):
    app.config.update(TIMELINE_EAGER_EVENTS=4, TIMELINE_PAGE_EVENTS=4)
    return app


def timeline_order() -> list[str]:
    return [event.slug for chapter in published.chapters() for event in chapter.events]


def test_the_default_content_is_on_the_first_page_in_full(client):
    html = client.get("/").get_data(as_text=True)
    assert EVENT_LINK.findall(html) == timeline_order()
    assert "card--more" not in html


def test_the_first_page_carries_the_first_events_and_a_placeholder_for_every_era_after(short_runs, client):
    html = client.get("/").get_data(as_text=True)
    assert EVENT_LINK.findall(html) == timeline_order()[:4]
    eras = re.findall(r'<section class="chapter era-[^"]+" id="era-([^"]+)"', html)
    assert len(eras) == 7  # every chapter is there, so the dock's links all land somewhere
    placeholders = MORE_LINK.findall(html)
    # The rest of the second era (two of its events are shown), then every later era.
    assert placeholders == ["/eras/miner?start=2", *(f"/eras/{slug}" for slug in eras[2:])]
    assert html.count('hx-trigger="intersect once, click once"') == 6


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
    response = client.get("/eras/the-movement?start=4", headers=HTMX)
    fragment = response.get_data(as_text=True)
    assert "HX-Request" in response.headers["Vary"]
    assert fragment.lstrip().startswith(("{#", "<li")) and "<section" not in fragment
    movement = [event.slug for event in published.chapters()[3].events]
    assert len(movement) == 15
    assert EVENT_LINK.findall(fragment) == movement[4:8]
    assert MORE_LINK.findall(fragment) == ["/eras/the-movement?start=8"]
    # The page at the same URL carries the same run, with a way back to the earlier events.
    page = client.get("/eras/the-movement?start=4").get_data(as_text=True)
    assert EVENT_LINK.findall(page) == movement[4:8]
    assert 'href="/eras/the-movement">Earlier events' in page


def test_an_era_run_shows_only_what_visitors_may_see(short_runs, client):
    draft = db.session.scalar(select(Event).where(Event.slug == "record-shift-102-tonnes"))
    with fixture_writes():
        draft.status = Status.DRAFT
    html = "".join(
        client.get(f"/eras/the-record?start={start}", headers=HTMX).get_data(as_text=True) for start in (0, 4)
    )
    assert "record-shift-102-tonnes" not in html


@pytest.mark.parametrize("path", ["/eras/no-such-era", "/eras/the-record?start=500"])
def test_unknown_eras_and_runs_get_the_designed_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "We could not find that page." in response.get_data(as_text=True)


def test_a_nonsense_start_is_read_as_the_beginning(client):
    first = client.get("/eras/the-record").get_data(as_text=True)
    for start in ("abc", "-3"):
        assert EVENT_LINK.findall(client.get(f"/eras/the-record?start={start}").get_data(as_text=True)) == (
            EVENT_LINK.findall(first)
        )
