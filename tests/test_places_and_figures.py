"""Places and figures: checks, the kiosk's Places view and drawings, the admin form, and our JSON."""

import json
import re

import pytest
from sqlalchemy import select

from kiosk.content import figures, places, published
from kiosk.editing import revisions
from kiosk.editing.writer import fixture_writes
from kiosk.extensions import db
from kiosk.interchange import exporters, importers, kiosk_json, timelinejs
from kiosk.languages import localized
from kiosk.models import Event, Place
from kiosk.telemetry import analytics

from . import visits
from .fixture_timeline import FIXTURE
from .frontend import shown
from .interop import cli, other_kiosk, without_images

DONBAS_MINE, DONBAS_TOWN = FIXTURE.donbas_places


def event(slug: str) -> Event:
    return db.session.scalar(select(Event).where(Event.slug == slug))


def test_the_places_view_shows_every_place_with_a_tappable_marker_and_the_route(client):
    response = client.get("/places")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
    for key in FIXTURE.places:
        assert f'data-place-marker="{key}"' in page and f'href="/places/{key}"' in page
    assert page.count('class="marker__hit"') == 5 and 'r="26"' in page  # 52 map units across, at least 44 px
    assert 'class="inset__frame"' in page  # the two Donbas towns are too close to tap apart: enlarged
    assert page.count('class="route"') >= 5 and "basemap" in page


def test_tapping_a_place_lists_its_events_as_a_fragment_or_a_page(client):
    fragment = client.get(f"/places/{DONBAS_MINE}", headers={"HX-Request": "true"})
    text = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in text
    assert "102 tonnes in one night" in text and f'href="/events/{FIXTURE.record_event}"' in text
    assert "Down the mine in Kadiivka" in text and "Born in Lugovaya" not in text
    full = client.get(f"/places/{DONBAS_MINE}").get_data(as_text=True)
    assert "<html" in full and "102 tonnes in one night" in full and 'class="places-map"' in full
    assert client.get("/places/atlantis").status_code == 404


def language_links(html: str) -> dict[str, str]:
    return dict(re.findall(r'<a class="button button--language" href="([^"]+)" hreflang="(\w+)"', html))


def test_places_has_the_language_switch_and_it_keeps_the_visitor_on_places(client):
    page = client.get("/places").get_data(as_text=True)
    assert language_links(page) == {"/places": "en", "/ru/places": "ru", "/uk/places": "uk"}
    russian = client.get("/ru/places").get_data(as_text=True)
    assert '<html lang="ru"' in russian and 'href="/ru/places/moscow"' in russian
    assert language_links(russian)["/uk/places"] == "uk"

    chosen = shown(client.get(f"/ru/places/{DONBAS_MINE}").get_data(as_text=True))
    assert page.count('class="languages"') == chosen.count('class="languages"') == 1
    assert f'href="/uk/places/{DONBAS_MINE}" hreflang="uk"' in chosen
    # A place tapped on the map arrives by htmx: it brings the dock's switch, for this place, out of band.
    fragment = client.get(f"/ru/places/{DONBAS_MINE}", headers={"HX-Request": "true"}).get_data(as_text=True)
    switch = re.search(
        r'<ul class="languages" id="places-languages" data-hx-swap-oob="true".*?</ul>', fragment, re.S
    )
    assert switch and language_links(switch.group(0)) == {
        f"/places/{DONBAS_MINE}": "en",
        f"/ru/places/{DONBAS_MINE}": "ru",
        f"/uk/places/{DONBAS_MINE}": "uk",
    }
    assert 'id="places-languages"' in page and "data-hx-swap-oob" not in page + chosen


def test_first_load_of_the_timeline_does_not_carry_the_map(client):
    page = client.get("/").get_data(as_text=True)
    assert 'href="/places"' in page and "basemap" not in page and "places-map" not in page


def test_an_event_with_a_figure_draws_bars_and_gives_the_numbers_as_a_table(client):
    page = shown(client.get(f"/events/{FIXTURE.record_event}").get_data(as_text=True))
    assert 'class="chart__bars"' in page and page.count('<rect class="chart__bar') == 2
    table = page[page.index("<table") : page.index("</table>")]
    assert "The norm for a shift" in table and "7\u00a0t" in table and "102\u00a0t" in table
    assert "As officially reported" in page and "Source: Great Soviet Encyclopedia" in page
    assert 'class="locator' in page  # the figure takes the panel; the place shows beside the text


def test_bars_are_in_proportion_to_their_numbers():
    chart = figures.chart(
        {
            "title": "t",
            "rows": [{"label": "a", "value": 7, "unit": ""}, {"label": "b", "value": 102, "unit": ""}],
        }
    )
    short, long = (bar.width for bar in chart.bars)
    assert long == figures.CHART_WIDTH - figures.VALUE_ROOM and short == pytest.approx(
        long * 7 / 102, abs=0.1
    )


def test_an_event_with_only_a_place_shows_its_locator_map(client):
    page = client.get(f"/events/{FIXTURE.birth_event}").get_data(as_text=True)
    assert "Lugovaya on the map" in page and "Lipetsk Oblast" in page


@pytest.mark.parametrize(
    ("place", "message"),
    [
        ({"lat": 91}, "latitude must be between"),
        ({"lon": "east"}, "longitude must be a number"),
        ({"name": ""}, "name is missing"),
        ({"years": {"from": 1936, "to": 1926}}, "before the first"),
        ({"years": 1936}, "years must be null or an object"),
    ],
)
def test_our_json_refuses_a_bad_place_and_says_where(app, place, message):
    document = kiosk_json.dump()
    document["places"][0] |= place
    problems = kiosk_json.check_document(document)
    assert any(p.startswith("places item 1:") and message in p for p in problems), problems


@pytest.mark.parametrize(
    ("place", "message"),
    [
        ({"name": "X", "lat": 91, "lon": 0}, "latitude must be between"),
        ({"name": "X", "lat": 0, "lon": "east"}, "longitude must be a number"),
        ({"name": "", "lat": 0, "lon": 0}, "needs a name"),
        ("Moscow", "must be an object"),
    ],
)
def test_an_older_document_with_a_bad_place_inside_an_event_is_refused(app, place, message):
    document = kiosk_json.dump() | {"version": 3}
    document["events"][0]["place"] = place
    problems = kiosk_json.check_document(document)
    assert any(p.startswith("events item 1: place:") and message in p for p in problems), problems


def test_an_event_naming_a_place_nobody_has_is_refused(app):
    document = kiosk_json.dump()
    document["events"][0]["place"] = "atlantis"
    assert "events item 1: unknown place 'atlantis'" in kiosk_json.check_document(document)


def test_our_json_refuses_a_bad_figure(app):
    document = kiosk_json.dump()
    document["events"][0]["figure"] = {"title": "T", "rows": [{"label": "a", "value": -3}], "source": "S"}
    assert any("figure" in p and "from 0 up" in p for p in kiosk_json.check_document(document))


def test_places_and_figures_survive_an_export_and_import_byte_for_byte(app, tmp_path):
    without_images()
    exported = tmp_path / "export.json"
    exported.write_bytes(exporters.export("json"))
    document = json.loads(exported.read_bytes())
    item = next(i for i in document["events"] if i["slug"] == FIXTURE.record_event)
    place = next(p for p in document["places"] if p["slug"] == item["place"])
    assert (
        len(item["figure"]["rows"]) == 2
        and item["figure"]["confidence"]
        and place["translations"]["uk"]["note"]
    )
    assert place["years"]
    with other_kiosk(tmp_path / "other") as other:
        assert cli(other, "import", exported, "--keep-status").exit_code == 0
        assert exporters.export("json") == exported.read_bytes()


def test_the_inset_spreads_out_places_too_close_to_tap_apart(app):
    atlas = places.places_map(db.session.scalars(select(Event).order_by(Event.sort_key)).all())
    inset = [place for place in atlas.places if place.in_inset]
    assert {place.key for place in inset} == {DONBAS_MINE, DONBAS_TOWN}
    (a, b) = inset
    assert abs(a.inset_y - b.inset_y) > 2 * 26  # apart by more than two tap targets


def test_timelinejs_location_maps_to_a_place_both_ways(app, tmp_path):
    document = timelinejs.to_document(kiosk_json.dump())
    slide = next(s for s in document["events"] if s["unique_id"] == FIXTURE.karaganda_event)
    assert slide["location"] == {"lat": 49.8047, "lon": 73.1094, "name": "Karaganda"}
    slide["location"] = {"lat": 47.1, "lon": 51.9, "name": "Atyrau", "zoom": 6, "line": True}
    entries = timelinejs.parse_json(document)
    placed = next(e.item for e in entries.events if e.item["slug"] == FIXTURE.karaganda_event)
    assert placed["place"] == {"name": {"en": "Atyrau"}, "lat": 47.1, "lon": 51.9}  # (carried by the slide)
    slide["location"] = {"lat": 147, "lon": 51.9, "name": "Nowhere"}
    assert any("latitude" in problem for problem in timelinejs.parse_json(document).problems)


def test_an_item_without_place_or_figure_leaves_them_alone_and_null_removes_them(app):
    document = kiosk_json.dump()
    record = FIXTURE.record_event
    item = next(i for i in document["events"] if i["slug"] == record)
    del item["place"], item["figure"]
    importers.run(json.dumps(document).encode(), keep_status=True)
    assert event(record).place and event(record).figure
    item["place"] = item["figure"] = None
    importers.run(json.dumps(document).encode(), keep_status=True)
    db.session.expire_all()
    assert event(record).place is None and event(record).figure is None
    # Written as SQL NULL, not as JSON null, so "events with a place" stays a plain IS NOT NULL.
    assert record not in {e.slug for e in published.placed_events()}


def test_the_history_shows_a_changed_place_in_words(app):
    shown = event(FIXTURE.karaganda_event)
    before = revisions.snapshot(shown)
    (change,) = revisions.diff(before, before | {"place": FIXTURE.capital_place})
    assert change.label == "Place" and (change.before, change.after) == (
        FIXTURE.wartime_place,
        FIXTURE.capital_place,
    )
    older = before | {"place": {"name": {"en": "Karaganda"}, "note": {}, "lat": 49.9, "lon": 73.1094}}
    (change,) = revisions.diff(older, before)  # a snapshot from before places were records
    assert "49.9, 73.1094" in change.before and change.after == FIXTURE.wartime_place


def test_a_place_beyond_the_region_is_listed_without_a_marker(app, client):
    far = event(FIXTURE.kremlin_event)
    with fixture_writes():
        far.place = Place(slug="paris", name="Paris", lat=48.8566, lon=2.3522)
    page = client.get("/places").get_data(as_text=True)
    assert 'data-place="paris"' in page and 'data-place-marker="paris"' not in page
    assert client.get("/places/paris").status_code == 200


def test_places_opened_are_counted_among_what_visitors_did(app, client):
    visits.museum_noon(app)  # a visit of seconds ago is today's at any hour
    sent = visits.now_ms()
    visit = [
        visits.event("session-start", sent - 2000),
        visits.event("place", sent - 1000, subject="karaganda"),
    ]
    response = visits.send(client, visits.enrol(app), visit, sent_at=sent)
    assert response.status_code == 202 and response.json["stored"] == 2
    report = analytics.report(analytics.today(), analytics.today())
    assert ("place", "karaganda", 1) in report.other_actions


def test_a_figure_given_another_bar_still_imports_with_its_older_translation(app):
    """A translation made before a bar was added is kept (out of date), never a reason to refuse the file."""
    document = kiosk_json.dump()
    item = next(i for i in document["events"] if i["slug"] == FIXTURE.record_event)
    russian_rows = item["translations"]["ru"]["figure"]["rows"]  # the fixture translates this figure
    assert russian_rows
    item["figure"]["rows"].append({"label": "A third bar", "value": 50, "unit": "t"})
    importers.run(json.dumps(document).encode(), keep_status=True)
    db.session.expire_all()
    record = event(FIXTURE.record_event)
    assert len(record.figure["rows"]) == 3
    translation = next(t for t in record.translations if t.locale == "ru")
    russian = figures.in_language(record.figure, translation.figure)
    assert russian["rows"][0]["label"] == russian_rows[0]["label"]  # still the Russian text
    assert russian["rows"][0]["label"] != item["figure"]["rows"][0]["label"]
    assert russian["rows"][2]["label"] == "A third bar"  # the new bar falls back to the default language
    assert localized.states_of(record)["ru"] == localized.OUT_OF_DATE
