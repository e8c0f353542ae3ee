"""What the kiosk's scripts rely on from the server: the version to poll, the service worker and its
list of what to keep, the settings handed to the page, and the year axis."""

import re

from sqlalchemy import select

from kiosk.content import settings_store
from kiosk.editing.writer import fixture_writes
from kiosk.extensions import db
from kiosk.models import Event, Status
from kiosk.timeline.axis import YearAxis

from .fixture_timeline import FIXTURE
from .frontend import carried_fragment
from .helpers import attach_image, make_event


def test_an_unchanged_version_poll_is_a_304_from_one_single_row_select(client, database_statements):
    first = client.get("/version")
    assert first.status_code == 200
    assert first.json["version"] == first.headers["ETag"].strip('"')
    assert "no-cache" in first.headers["Cache-Control"]

    database_statements.clear()
    again = client.get("/version", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.get_data() == b""
    [statement] = database_statements.sent
    assert "content_state" in statement


def test_a_publish_changes_the_version_the_kiosks_poll(client):
    etag = client.get("/version").headers["ETag"]
    make_event(headline="Newly published")
    response = client.get("/version", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert response.headers["ETag"] != etag


def test_the_service_worker_is_served_from_the_root_and_never_cached(client):
    response = client.get("/sw.js?v=3")
    response.close()
    assert response.status_code == 200
    assert response.mimetype in {"text/javascript", "application/javascript"}
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response.headers["Cache-Control"]


def test_the_offline_list_holds_the_app_shell_every_published_event_and_their_images(app, client):
    photographed = db.session.scalar(select(Event).where(Event.slug == FIXTURE.image_event))
    shown = db.session.scalar(select(Event).where(Event.slug == FIXTURE.kremlin_event))
    attach_image(shown)
    hidden = attach_image(make_event(slug="a-draft", status=Status.DRAFT))
    manifest = client.get("/offline.json").json
    page = client.get("/").get_data(as_text=True)

    assets = re.findall(r'<(?:script src|link rel="stylesheet" href)="([^"]+)"', page)
    assert assets and set(assets) <= set(manifest["shell"])
    assert {"/", "/ru/", "/uk/"} <= set(manifest["shell"])  # the timeline in every language
    published = db.session.scalars(select(Event.slug).where(Event.status == Status.PUBLISHED)).all()
    places = ["/places"] + [f"/places/{key}" for key in FIXTURE.places]
    assert sorted(manifest["pages"]) == sorted(
        f"{prefix}{path}"
        for prefix in ("", "/ru", "/uk")
        for path in [*(f"/events/{slug}" for slug in published), *places]
    )
    images = {f"/media/{event.image.key}-large.webp" for event in (photographed, shown)}
    assert set(manifest["media"][:2]) == images and f"/media/{hidden.key}-large.webp" not in manifest["media"]
    assert len(manifest["media"]) == 3 and "/vendor/basemap." in manifest["media"][2]  # the Places map
    assert manifest["version"] == client.get("/version").json["version"]


def test_an_events_page_carries_the_very_fragment_htmx_gets_from_its_address(client):
    """The service worker asks for each event once, as a page, and keeps the fragment it carries: an
    event opened offline must be the very fragment the server would have sent, in every language."""
    attach_image(db.session.scalar(select(Event).where(Event.slug == FIXTURE.kremlin_event)))
    pages = [url for url in client.get("/offline.json").json["pages"] if "/events/" in url]
    assert {url.split("/")[1] for url in pages} >= {"events", "ru", "uk"}
    for url in pages:
        page = client.get(url).get_data(as_text=True)
        assert page.count('<h1 class="event__headline"') == 1, url  # the page itself heads with it
        fragment = client.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
        assert carried_fragment(page) == fragment, url
        assert '<h2 class="event__headline"' in fragment, url


def test_a_places_page_carries_the_very_panel_htmx_gets_from_its_address(client):
    """A place tapped on the Places map offline is the panel the server would have sent, the dock's
    language switch for that place included."""
    pages = [url for url in client.get("/offline.json").json["pages"] if "/places/" in url]
    assert len(pages) >= 3 * 5
    for url in pages:
        fragment = client.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
        assert carried_fragment(client.get(url).get_data(as_text=True)) == fragment, url
        assert 'id="places-languages" data-hx-swap-oob="true"' in fragment, url


def test_pages_without_a_fragment_of_their_own_carry_none(client):
    for url in ("/", "/ru/", "/places", f"/eras/{FIXTURE.first_era}"):
        assert carried_fragment(client.get(url).get_data(as_text=True)) is None, url


def test_visitor_pages_hand_the_kiosk_its_clocks(app, client):
    page = client.get("/").get_data(as_text=True)
    assert 'class="kiosk-mode"' in page
    assert 'data-idle-seconds="90"' in page
    assert 'data-idle-warning-seconds="20"' in page
    assert int(re.search(r'data-poll-seconds="(\d+)"', page)[1]) < 30  # a publish shows within 30 s
    version = client.get("/version").json["version"]
    assert f'data-service-worker="/sw.js?v={version}"' in page

    with fixture_writes():
        settings_store.put("idle_seconds", 45)  # the curators' own setting wins
    assert 'data-idle-seconds="45"' in client.get(f"/events/{FIXTURE.birth_event}").get_data(as_text=True)
    assert 'data-idle-seconds="45"' in client.get("/events/nowhere").get_data(as_text=True)


def test_the_year_axis_places_eras_and_labels():
    axis = YearAxis(1906, 1977)
    assert axis.labels() == [1906, 1920, 1930, 1940, 1950, 1960, 1970, 1977]
    assert axis.offset(1906) == 0
    assert axis.offset(1800) == 0 and axis.offset(2000) == axis.offset(1977)  # outside: at the ends
    assert axis.width(1906, 1977) == 100
    assert axis.width(1977, 1988) == axis.width(1935, 1935)  # one year, the rest off the axis
    assert 0 < axis.centre(1906) < axis.centre(1907) < axis.centre(1977) < 100


def test_the_theme_places_each_era_on_the_axis(client):
    theme = client.get("/theme.css?v=1").get_data(as_text=True)
    assert f".scrubber__era.era-{FIXTURE.first_era} {{ left: 0.0%; width: 29.167%; }}" in theme  # 1906–1926
    assert ".scrubber__label--1977 {" in theme


def test_an_upgrade_reaches_the_kiosks_like_a_publish(app, client):
    before = client.get("/version").json["version"]
    app.config["BUILD_ID"] = "a-new-build"
    assert client.get("/version", headers={"If-None-Match": f'"{before}"'}).status_code == 200


def test_the_offline_list_holds_every_run_a_long_timeline_loads_as_the_visitor_goes(app, client):
    app.config.update(TIMELINE_EAGER_EVENTS=4, TIMELINE_PAGE_EVENTS=4)
    manifest = client.get("/offline.json").json

    # Follow the timeline's placeholders the way the kiosk does, run after run, in every language.
    more = re.compile(r'class="card card--more" href="([^"]+)"')
    runs, waiting = [], []
    for timeline in ("/", "/ru/", "/uk/"):
        waiting += more.findall(client.get(timeline).get_data(as_text=True))
    while waiting:
        run = waiting.pop(0).replace("&amp;", "&")
        runs.append(run)
        waiting += more.findall(client.get(run, headers={"HX-Request": "true"}).get_data(as_text=True))
    assert len(runs) > 1
    assert sorted(manifest["fragments"]) == sorted(runs)
