"""The visitor pages as a browser without JavaScript sees them."""

import re

import pytest
from sqlalchemy import select

from kiosk.content import settings_store
from kiosk.editing.writer import fixture_writes
from kiosk.extensions import db
from kiosk.models import Event, Status

from .fixture_timeline import FIXTURE
from .helpers import make_event

HTMX = {"HX-Request": "true"}
RECORD = f"/events/{FIXTURE.record_event}"


def test_timeline_links_every_published_event(client):
    page = client.get("/").get_data(as_text=True)
    slugs = db.session.scalars(select(Event.slug).where(Event.status == Status.PUBLISHED)).all()
    for slug in slugs:
        assert f'href="/events/{slug}"' in page
    assert "1906" in page and "1977" in page


def test_timeline_hides_drafts(client):
    draft = make_event(status=Status.DRAFT, headline="Secret draft headline")
    page = client.get("/").get_data(as_text=True)
    assert draft.headline not in page
    assert client.get(f"/events/{draft.slug}").status_code == 404


def test_event_page_is_a_full_page(client):
    response = client.get(RECORD)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.startswith("<!doctype html>")
    assert "102 tonnes in one night" in html
    assert "Night of 30–31 August 1935" in html
    assert "HX-Request" in response.headers["Vary"]


def test_htmx_request_gets_the_same_partial_alone(client):
    page = client.get(RECORD).get_data(as_text=True)
    response = client.get(RECORD, headers=HTMX)
    fragment = response.get_data(as_text=True)
    assert "HX-Request" in response.headers["Vary"]
    assert "<html" not in fragment and fragment.lstrip().startswith(("{#", "<article"))
    article = re.search(r"<article.*?</article>", fragment, re.DOTALL).group(0)
    # The page renders the same partial (with a top-level heading of its own).
    assert article.replace("<h2", "<h1").replace("</h2>", "</h1>") in page


def test_boosted_requests_get_the_full_page(client):
    response = client.get(RECORD, headers=HTMX | {"HX-Boosted": "true"})
    assert "<html" in response.get_data(as_text=True)


def test_event_shows_sources_and_neighbours(client):
    html = client.get(RECORD).get_data(as_text=True)
    assert "Sources (3)" in html
    assert f'rel="prev" href="/events/{FIXTURE.mine_event}"' in html  # the end of the era before
    assert f'rel="next" href="/events/{FIXTURE.image_event}"' in html


def test_unknown_event_gets_a_designed_404(client):
    for headers in ({}, HTMX):
        response = client.get("/events/no-such-event", headers=headers)
        assert response.status_code == 404
        assert "We could not find that page." in response.get_data(as_text=True)
    assert 'class="notice' in client.get("/nowhere").get_data(as_text=True)


def test_markdown_in_event_text_is_sanitised(client):
    make_event(
        slug="hostile",
        body="Hi <script>alert(1)</script> [x](javascript:alert(1)) [out](https://example.com)",
    )
    html = client.get("/events/hostile").get_data(as_text=True)
    assert "<script>alert" not in html
    assert 'href="javascript' not in html
    assert "https://example.com" not in html


def test_healthz_reports_versions(client):
    data = client.get("/healthz").get_json()
    assert data["status"] == "ok"
    assert data["database"] == db.engine.dialect.name
    if data["database"] == "sqlite":
        assert data["sqlite_version"].startswith("3.")
    before = data["content_version"]
    make_event()
    assert client.get("/healthz").get_json()["content_version"] != before


@pytest.mark.parametrize("path", ["/", RECORD, "/nowhere"])
def test_pages_send_strict_security_headers(client, path):
    headers = client.get(path).headers
    policy = headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", ["/", RECORD])
def test_pages_only_reference_our_own_server(client, path):
    html = client.get(path).get_data(as_text=True)
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert url.startswith(("/", "#", "data:")), url


def test_era_colours_stylesheet(client):
    response = client.get("/theme.css")
    assert response.mimetype == "text/css"
    assert f".era-{FIXTURE.record_era} {{ --era: #9B2C2C; }}" in response.get_data(as_text=True)


def test_stylesheets_and_data_carry_only_the_headers_they_need(client):
    for path in ("/theme.css", "/healthz"):
        headers = client.get(path).headers
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert "Content-Security-Policy" not in headers


def further_reading_section(client) -> str:
    page = client.get("/").get_data(as_text=True)
    return page[page.index('id="further-reading-title"') : page.index("coda__note")]


def test_further_reading_lists_scholarly_works_before_period_sources(client):
    section = further_reading_section(client)
    scholarly, period = section.index("Scholarly works"), section.index("Period sources")
    assert (
        scholarly < section.index("Stakhanovism and the Politics") < period < section.index("Rasskaz o moei")
    )


def test_further_reading_from_older_files_is_listed_without_headings(client):
    with fixture_writes():
        settings_store.put(
            "further_reading", ["An old plain title", {"kind": "period", "text": "A period text"}]
        )
    section = further_reading_section(client)
    assert "Scholarly works" not in section
    period, text = section.index("Period sources"), section.index("A period text")
    assert period < text < section.index("An old plain title")
