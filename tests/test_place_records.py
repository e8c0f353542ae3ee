"""Places are records of their own: the years he lived there come from the record (never from the dates of
its events), its texts are translated like any other, saving an event chooses or makes its place, our JSON
(version 4) and TimelineJS carry places, and migration 0012 turns the places events carried into records
and back."""

from __future__ import annotations

import json
import re

from flask_migrate import downgrade, upgrade
from sqlalchemy import func, select, text

from kiosk.content import places
from kiosk.content.dates import PartialDate
from kiosk.editing import revisions, writer
from kiosk.editing.writer import fixture_writes
from kiosk.extensions import db
from kiosk.interchange import exporters, importers, timelinejs
from kiosk.languages import localized
from kiosk.models import AuditEntry, Event, EventTranslation, Place, PlaceTranslation, Revision

from .fixture_timeline import FIXTURE
from .frontend import shown
from .helpers import changes_of, make_event


def a_place(slug: str, lat: float, lon: float, **fields) -> Place:
    place = Place(slug=slug, name=fields.pop("name", slug.title()), lat=lat, lon=lon, **fields)
    with fixture_writes():
        db.session.add(place)
    return place


def at(place: Place, year: int, **fields) -> Event:
    return make_event(place=place, start=PartialDate(year), **fields)


def listed_years(page: str) -> dict[str, str]:
    """The Places list: each place's key and the years it shows ("" when it shows none)."""
    found = {}
    for key, item in re.findall(r'data-place="([^"]+)">(.*?)</a>', page, re.S):
        years = re.search(r'class="place-link__years"[^>]*>([^<]*)<', item)
        found[key] = years.group(1) if years else ""
    return found


# --- The years he lived there ----------------------------------------------------------------------------


def test_the_places_view_shows_each_places_own_years_never_its_events_dates(client):
    lived = a_place("vorkuta", 67.5, 64.05, years_from=1950, years_to=1955)
    visited = a_place("ukhta", 63.56, 53.7)
    at(lived, 1930), at(lived, 1970)  # events long before and after he lived there
    at(visited, 1962)
    page = client.get("/places").get_data(as_text=True)
    assert listed_years(page)["vorkuta"] == "1950–1955"
    assert listed_years(page)["ukhta"] == ""  # a place he only visited has no years, not 1962
    with fixture_writes():
        lived.display_years = "1950–1955, on and off"
    assert listed_years(client.get("/places").get_data(as_text=True))["vorkuta"] == "1950–1955, on and off"


def test_the_years_shown_for_every_place_are_the_records(client):
    shown_years = listed_years(client.get("/places").get_data(as_text=True))
    records = {place.slug: place for place in db.session.scalars(select(Place))}
    assert shown_years and set(shown_years) <= set(records)
    for slug, years in shown_years.items():
        record = records[slug]
        assert years == (record.display_years or places.span_label(record.years_from, record.years_to))


def test_the_panel_and_the_markers_say_the_records_years(client):
    place = a_place("saratov", 51.53, 46.03, years_from=1940, years_to=1941)
    at(place, 1960)
    panel = client.get("/places/saratov", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert re.search(r'<p class="places__years">1940–1941</p>', panel)
    page = client.get("/places").get_data(as_text=True)
    marker = re.search(r'data-place-marker="saratov".*?</a>', page, re.S)
    assert marker and re.search(r'aria-label="\d\. Saratov, 1940–1941: 1 event"', marker.group(0))


def test_names_notes_and_the_wording_of_years_are_in_the_visitors_language_or_marked(client):
    place = a_place(
        "kotlas", 61.25, 46.65, name="Kotlas", note="A river port.", years_from=1938, years_to=1939,
        display_years="1938–1939, in winter",
    )  # fmt: skip
    at(place, 1938)
    with fixture_writes():
        place.translations.append(
            PlaceTranslation(
                locale="ru", name="Котлас", note="Речной порт.", display_years="1938–1939, зимой"
            )
        )
    russian = shown(client.get("/ru/places/kotlas").get_data(as_text=True))
    assert '<h2 class="places__title" id="place-title" tabindex="-1">Котлас</h2>' in russian
    assert '<p class="places__years">1938–1939, зимой</p>' in russian
    assert '<p class="places__note">Речной порт.</p>' in russian
    ukrainian = shown(client.get("/uk/places/kotlas").get_data(as_text=True))  # not translated yet
    assert 'id="place-title" tabindex="-1" lang="en">Kotlas</h2>' in ukrainian
    assert '<p class="places__years" lang="en">1938–1939, in winter</p>' in ukrainian
    assert '<p class="places__note" lang="en">A river port.</p>' in ukrainian


def test_an_events_locator_reads_its_place_in_the_visitors_language(client):
    place = a_place("inta", 66.04, 60.13, name="Inta", note="A coal town.")
    event = at(place, 1950)
    with fixture_writes():
        place.translations.append(PlaceTranslation(locale="ru", name="Инта", note="Угольный город."))
    page = client.get(f"/ru/events/{event.slug}").get_data(as_text=True)
    assert '<span class="locator__name">Инта</span>' in page and "Угольный город." in page
    assert 'href="/ru/places/inta"' in page
    assert '<span class="locator__name" lang="en">Inta</span>' in client.get(
        f"/uk/events/{event.slug}"
    ).get_data(as_text=True)


def test_the_route_follows_the_years_and_a_stay_inside_another_goes_there_and_back(app):
    stays = {
        "village": (52.0, 38.0, 1906, 1927),
        "mine": (48.5, 38.6, 1927, 1936),
        "capital": (55.7, 37.6, 1936, 1957),
        "war-town": (49.8, 73.1, 1941, 1942),  # inside the capital years
        "last-town": (47.0, 39.7, 1957, 1977),
    }
    made = {
        slug: a_place(slug, lat, lon, years_from=first, years_to=last)
        for slug, (lat, lon, first, last) in stays.items()
    }
    # Events in another order than the stays: the route must not follow them.
    events = [at(made["war-town"], 1941), at(made["capital"], 1950), at(made["mine"], 1935)]
    events += [at(made["village"], 1906), at(made["last-town"], 1977)]
    atlas = places.places_map(sorted(events, key=lambda event: event.sort_key))
    point = {place.key: (place.x, place.y) for place in atlas.places}
    order = ["village", "mine", "capital", "war-town", "capital", "last-town"]
    assert atlas.route == [point[slug] for slug in order]
    assert [place.key for place in atlas.places] == ["village", "mine", "capital", "war-town", "last-town"]


# --- Saving an event chooses or makes its place ----------------------------------------------------------


def test_saving_an_event_chooses_a_known_place_or_makes_a_new_one_with_history(app):
    known = a_place("syktyvkar", 61.67, 50.81, name="Syktyvkar")
    first = make_event()
    typed = {"name": "syktyvkar ", "note": "", "lat": 61.67, "lon": 50.81}  # case and spacing aside
    writer.save_event(first, changes_of(first, place=typed), first.version)
    assert first.place is known
    assert db.session.scalar(select(func.count(Place.id)).where(Place.name.ilike("syktyvkar"))) == 1

    second = make_event()
    elsewhere = {"name": "Syktyvkar", "note": "Somewhere else.", "lat": 10.0, "lon": 10.0}
    writer.save_event(second, changes_of(second, place=elsewhere), second.version)
    made = second.place
    assert made is not known and made.slug == "syktyvkar-2" and made.note == "Somewhere else."
    history = revisions.history(made)
    assert [revision.number for revision in history] == [1] and history[0].snapshot["name"] == "Syktyvkar"
    assert db.session.scalar(select(AuditEntry.target).where(AuditEntry.action == "place.create")) == (
        "place syktyvkar-2"
    )
    assert revisions.history(second)[0].snapshot["place"] == "syktyvkar-2"


def test_a_revision_from_before_places_were_records_is_restored_to_its_record(app):
    event = make_event()
    writer.save_event(event, changes_of(event, headline="Saved once"), event.version)
    older = revisions.history(event)[0]
    with fixture_writes():  # as migration 0012 leaves a snapshot whose place no event had any more
        older.snapshot = older.snapshot | {
            "place": {"name": {"en": "Vorkuta", "ru": "Воркута"}, "note": {}, "lat": 67.5, "lon": 64.05}
        }
    writer.restore_revision(event, older, event.version)
    assert event.place.name == "Vorkuta" and {t.locale: t.name for t in event.place.translations} == {
        "ru": "Воркута"
    }
    assert localized.states_of(event.place)["ru"] is None  # made from its text: up to date
    assert revisions.history(event)[0].snapshot["place"] == event.place.slug


# --- Our JSON, version 4, and older documents --------------------------------------------------------------


def test_our_json_lists_places_with_years_and_events_name_them(app):
    place = a_place("vorkuta", 67.5, 64.05, years_from=1950, years_to=1955, display_years="1950–1955")
    with fixture_writes():
        place.translations.append(
            PlaceTranslation(locale="ru", name="Воркута", display_years="1950–1955 гг.")
        )
    event = at(place, 1951)
    document = json.loads(exporters.export("json"))
    item = next(item for item in document["places"] if item["slug"] == "vorkuta")
    assert item | {"translations": None} == {
        "slug": "vorkuta", "name": "Vorkuta", "note": "", "lat": 67.5, "lon": 64.05,
        "years": {"from": 1950, "to": 1955}, "display_years": "1950–1955", "translations": None,
    }  # fmt: skip
    assert item["translations"]["ru"]["display_years"] == "1950–1955 гг."
    assert next(e for e in document["events"] if e["slug"] == event.slug)["place"] == "vorkuta"


def test_a_version_3_document_matches_its_places_by_name_and_coordinates_and_keeps_their_years(app):
    document = json.loads(exporters.export("json"))
    moscow = next(item for item in document["places"] if item["slug"] == FIXTURE.capital_place)
    carried = {
        "name": {"en": moscow["name"], "ru": "Москва", "uk": "Москва"},
        "note": {"en": "A new note.", "ru": "Новая заметка."},
        "lat": moscow["lat"],
        "lon": moscow["lon"],
    }
    older = {key: value for key, value in document.items() if key != "places"} | {"version": 3}
    for item in older["events"]:
        item["place"] = carried if item.get("place") == FIXTURE.capital_place else None
    older["events"].append(older["events"][0] | {"slug": "a-visit", "place": carried | {"lat": 10.0}})
    report = importers.run(json.dumps(older).encode(), keep_status=True)
    assert f"place {FIXTURE.capital_place}: note, translations" in report.updated
    assert f"place {FIXTURE.capital_place}-2" in report.created  # same name, elsewhere: another place
    record = db.session.scalar(select(Place).where(Place.slug == FIXTURE.capital_place))
    assert (record.note, record.years_from, record.years_to) == ("A new note.", 1936, 1957)
    assert record.display_years == moscow["display_years"]  # what version 3 could not say stays
    texts = {row.locale: row for row in record.translations}
    assert texts["ru"].note == "Новая заметка." and texts["ru"].display_years  # (its wording kept)
    assert texts["uk"].note == moscow["translations"]["uk"]["note"]  # a language the file lacked
    assert localized.states_of(record) == {"ru": None, "uk": None}


def test_a_document_whose_event_names_an_unknown_place_changes_nothing(app):
    document = json.loads(exporters.export("json"))
    document["events"][0]["place"] = "atlantis"
    before = exporters.export("json")
    try:
        importers.run(json.dumps(document).encode())
    except importers.ImportRefused as refused:
        assert "events item 1: unknown place 'atlantis'" in refused.problems
    else:
        raise AssertionError("an unknown place was accepted")
    assert exporters.export("json") == before


# --- TimelineJS ---------------------------------------------------------------------------------------


def test_a_timelinejs_location_without_a_name_is_left_out_with_a_line_in_the_report(app):
    slide = {
        "unique_id": "a-pushpin",
        "start_date": {"year": "1950"},
        "text": {"headline": "A pushpin", "text": "<p>Somewhere.</p>"},
        "location": {"lat": 48.5, "lon": 38.6, "zoom": 8},
    }
    report = importers.run(json.dumps({"events": [slide]}).encode())
    assert "event “A pushpin” (a-pushpin)" in report.created
    assert any("no name" in line and "48.5" in line for line in report.attention), report.attention
    assert db.session.scalar(select(Event).where(Event.slug == "a-pushpin")).place is None


def test_a_timelinejs_location_is_a_place_found_by_name_and_coordinates_or_made(app):
    kiosk_document = json.loads(exporters.export("json"))
    document = timelinejs.to_document(kiosk_document)
    slide = next(s for s in document["events"] if s["unique_id"] == FIXTURE.karaganda_event)
    atyrau = {"lat": 47.1, "lon": 51.9, "name": "Atyrau"}
    text = {"headline": "In Atyrau", "text": ""}
    new = slide | {"unique_id": "in-atyrau", "text": text, "location": atyrau}
    document["events"].append(new)
    places_before = db.session.scalar(select(func.count(Place.id)))
    report = importers.run(json.dumps(document).encode())
    assert "place atyrau" in report.created and not any(
        line.startswith("place karaganda") for line in report.updated
    )
    assert db.session.scalar(select(func.count(Place.id))) == places_before + 1
    karaganda = db.session.scalar(select(Place).where(Place.slug == FIXTURE.wartime_place))
    assert karaganda.note and karaganda.years_from == 1941  # TimelineJS carries neither: both stay


# --- Migration 0012 ---------------------------------------------------------------------------------------


def test_migration_0012_turns_carried_places_into_records_and_back_keeping_every_translation(app):
    event_translations = db.session.scalar(select(func.count(EventTranslation.id)))
    placed = dict(db.session.execute(select(Event.slug, Place.slug).join(Event.place)).all())
    writer.save_event(
        event := db.session.scalar(select(Event).where(Event.slug == next(iter(placed)))),
        changes_of(event, headline="History before the downgrade"),
        event.version,
    )
    db.session.remove()
    downgrade(revision="0011")
    with db.engine.connect() as connection:
        rows = dict(connection.execute(text("SELECT slug, place FROM event WHERE place IS NOT NULL")).all())
        kept = connection.execute(text("SELECT count(*) FROM event_translation")).scalar()
        snapshot = connection.execute(
            text("SELECT snapshot FROM revision WHERE entity_type = 'event' ORDER BY id DESC LIMIT 1")
        ).scalar()
    assert kept == event_translations  # rebuilding the event table lost no translation
    carried = {slug: json.loads(value) if isinstance(value, str) else value for slug, value in rows.items()}
    assert set(carried) == set(placed)
    moscow = next(value for slug, value in carried.items() if placed[slug] == FIXTURE.capital_place)
    assert moscow["name"] == {"en": "Moscow", "ru": "Москва", "uk": "Москва"} and moscow["lat"] == 55.7558
    old = json.loads(snapshot) if isinstance(snapshot, str) else snapshot
    assert isinstance(old["place"], dict)  # the history reads the old shape again

    upgrade()
    db.session.remove()
    assert db.session.scalar(select(func.count(EventTranslation.id))) == event_translations
    again = dict(db.session.execute(select(Event.slug, Place.slug).join(Event.place)).all())
    assert again == placed  # the same records, under the same web addresses
    record = db.session.scalar(select(Place).where(Place.slug == FIXTURE.capital_place))
    assert {row.locale: row.name for row in record.translations} == {"ru": "Москва", "uk": "Москва"}
    assert localized.states_of(record) == {"ru": None, "uk": None}
    assert record.years_from is None  # the years are the one thing the old shape could not keep
    latest = db.session.scalar(
        select(Revision.snapshot).where(Revision.entity_type == "event").order_by(Revision.id.desc()).limit(1)
    )
    assert latest["place"] == placed[next(iter(placed))]
