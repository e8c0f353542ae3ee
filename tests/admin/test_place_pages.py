"""Curators edit each place on its own page (Places → edit, translate, history, delete when unused), like an
era: checked, saved through the writer with a revision, an audit entry and the content version, conflicts
shown side by side; the event form chooses an existing place or makes a new one."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from kiosk.content import published
from kiosk.content.dates import PartialDate
from kiosk.editing import revisions
from kiosk.editing.writer import fixture_writes
from kiosk.extensions import db
from kiosk.languages import localized
from kiosk.models import AuditEntry, Event, Place, PlaceTranslation

from ..fixture_timeline import FIXTURE
from ..helpers import make_event
from .conftest import event_form, form_values


def a_place(**fields) -> Place:
    place = Place(
        **{"slug": "saratov", "name": "Saratov", "note": "A Volga town.", "lat": 51.53, "lon": 46.03} | fields
    )
    with fixture_writes():
        db.session.add(place)
    return place


def edit_form(curator, place: Place) -> dict:
    url = f"/admin/places/{place.id}/edit"
    return form_values(curator.get(url).get_data(as_text=True), url)


def test_the_list_shows_every_place_with_its_years_events_and_translations(curator):
    place = a_place(years_from=1940, years_to=1941)
    make_event(place=place, start=PartialDate(1950))
    page = curator.get("/admin/places").get_data(as_text=True)
    row = re.search(rf'<tr id="place-{place.id}">(.*?)</tr>', page, re.S).group(1)
    assert f'href="/admin/places/{place.id}/edit">Saratov</a>' in row and "1940–1941" in row
    assert "<td>1</td>" in row and "not translated" in row
    assert "Delete" not in row  # an event happened there
    capital = db.session.scalar(select(Place).where(Place.slug == FIXTURE.capital_place))
    row = re.search(rf'<tr id="place-{capital.id}">\s*<td><a [^>]*>[^<]*</a></td>\s*<td>([^<]*)<', page)
    assert row and row.group(1) == "1936–1957, except 1941–1942"  # its years' own wording


def test_a_curator_edits_a_place_and_every_event_there_shows_it(curator, client):
    place = a_place()
    event = make_event(place=place)
    version = published.content_version()
    typed = edit_form(curator, place) | {
        "name": "Saratov on the Volga",
        "years_from": "1940",
        "years_to": "1941",
        "display_years": "",
        "lat": "51,54",  # a comma as some keyboards type it
    }
    response = curator.post(f"/admin/places/{place.id}/edit", typed)
    assert response.status_code == 302 and response.location.endswith("/admin/places")
    db.session.refresh(place)
    assert (place.name, place.lat, place.years_from, place.years_to) == (
        "Saratov on the Volga",
        51.54,
        1940,
        1941,
    )
    assert published.content_version() > version  # every kiosk picks it up
    assert revisions.history(place)[0].snapshot["years"] == {"from": 1940, "to": 1941}
    assert db.session.scalar(select(AuditEntry.target).where(AuditEntry.action == "place.save")) == (
        "place saratov"
    )
    page = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert '<span class="locator__name">Saratov on the Volga</span>' in page
    assert "1940–1941" in client.get("/places").get_data(as_text=True)


@pytest.mark.parametrize(
    ("typed", "field", "message"),
    [
        ({"name": ""}, "name", "Give the place a name"),
        ({"lat": "95"}, "lat", "between -90 and 90"),
        ({"lon": "east"}, "lon", "must be a number"),
        ({"years_from": "1941", "years_to": "1936"}, "years_to", "before the first"),
        ({"years_from": "", "years_to": "1936"}, "years_from", "first year"),
        ({"years_from": "nineteen"}, "years_from", "whole number"),
        ({"slug": FIXTURE.capital_place}, "slug", "Another place already uses"),
        ({"slug": "Not A Slug"}, "slug", "lowercase letters"),
        ({"note": "x" * 301}, "note", "300 characters or fewer"),
    ],
)
def test_bad_place_input_gets_a_message_and_changes_nothing(curator, typed, field, message):
    place = a_place()
    before = revisions.snapshot(place)
    response = curator.post(f"/admin/places/{place.id}/edit", edit_form(curator, place) | typed)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page[page.index(f'id="{field}-error"') :][:400]
    db.session.refresh(place)
    assert revisions.snapshot(place) == before


def test_two_curators_editing_a_place_meet_on_the_conflict_page(curator, colleague):
    place = a_place()
    opened = edit_form(curator, place)
    assert (
        colleague.post(f"/admin/places/{place.id}/edit", opened | {"note": "Anna's note."}).status_code == 302
    )
    response = curator.post(
        f"/admin/places/{place.id}/edit", opened | {"years_from": "1940", "years_to": "1941"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and 'id="merge-note"' in html and "Anna&#39;s note." in html
    merge = form_values(html, f"/admin/places/{place.id}/merge") | {"choose-note": "current"}
    merge |= {name: "mine" for name in re.findall(r'name="(choose-years-[a-z]+)"', html)}
    assert curator.post(f"/admin/places/{place.id}/merge", merge).status_code == 302
    db.session.refresh(place)
    assert (place.note, place.years_from) == ("Anna's note.", 1940)


def test_the_translation_editor_translates_a_place_and_says_when_it_is_out_of_date(curator, client):
    place = a_place(years_from=1940, years_to=1941, display_years="1940–1941, in winter")
    make_event(place=place)
    url = f"/admin/places/{place.id}/translations/ru"
    page = curator.get(url).get_data(as_text=True)
    assert "Saratov" in page and "A Volga town." in page and "1940–1941, in winter" in page  # beside the form
    typed = form_values(page, url) | {
        "name": "Саратов",
        "note": "Город на Волге.",
        "display_years": "1940–1941, зимой",
    }
    assert curator.post(url, typed).status_code == 302
    assert {row.locale: row.name for row in place.translations} == {"ru": "Саратов"}
    assert localized.states_of(place)["ru"] is None
    russian = client.get("/ru/places").get_data(as_text=True)
    assert "Саратов" in russian and "1940–1941, зимой" in russian
    # The English note changes: the Russian text is now out of date, and the list says so.
    changed = edit_form(curator, place) | {"note": "A town on the Volga."}
    assert curator.post(f"/admin/places/{place.id}/edit", changed).status_code == 302
    assert localized.states_of(place)["ru"] == localized.OUT_OF_DATE
    assert "The default text changed after this translation was saved" in curator.get(url).get_data(
        as_text=True
    )
    too_long = form_values(curator.get(url).get_data(as_text=True), url) | {"name": "Я" * 121}
    assert curator.post(url, too_long).status_code == 422
    assert {row.locale: row.name for row in db.session.scalars(select(PlaceTranslation))}["ru"] != "Я" * 121


def test_a_place_nobody_uses_is_deleted_and_one_in_use_is_kept(curator):
    unused, used = a_place(), a_place(slug="engels", name="Engels", lat=51.5, lon=46.12)
    trashed = make_event(place=used)
    with fixture_writes():
        trashed.deleted_at = trashed.created_at  # only an event in the trash uses it
    refused = curator.post(f"/admin/places/{used.id}/delete")
    assert refused.status_code == 409 and "in the trash" in refused.get_data(as_text=True)
    assert curator.post(f"/admin/places/{unused.id}/delete").status_code == 302
    assert db.session.scalar(select(func.count(Place.id)).where(Place.slug.in_(("saratov", "engels")))) == 1


def test_a_places_history_lists_its_saves_and_restores_one(curator):
    place = a_place()
    for note in ("First note.", "Second note."):
        assert (
            curator.post(
                f"/admin/places/{place.id}/edit", edit_form(curator, place) | {"note": note}
            ).status_code
            == 302
        )
    history = curator.get(f"/admin/places/{place.id}/history").get_data(as_text=True)
    assert [revision.number for revision in revisions.history(place)] == [3, 2, 1]
    assert f'href="/admin/places/{place.id}/history/2/restore"' in history and ">Note<" in history
    restore = f"/admin/places/{place.id}/history/2/restore"
    confirm = form_values(curator.get(restore).get_data(as_text=True), restore)
    assert curator.post(restore, confirm).status_code == 302
    db.session.refresh(place)
    assert place.note == "First note." and revisions.history(place)[0].number == 4


def test_the_event_form_chooses_a_known_place_by_name_and_makes_a_new_one(curator):
    response = curator.post("/admin/events/new", event_form(place_name="москва"))  # by a translated name
    assert response.status_code == 302
    chosen = db.session.scalar(select(Event).order_by(Event.id.desc()))
    assert chosen.place.slug == FIXTURE.capital_place
    typed = event_form(place_name="Saratov", place_lat="51.53", place_lon="46.03", place_note="A Volga town.")
    typed["headline"] = (
        "A shaft on the Volga"  # another event (the same headline and date would be asked about)
    )
    assert curator.post("/admin/events/new", typed).status_code == 302
    made = db.session.scalar(select(Event).order_by(Event.id.desc())).place
    assert (made.slug, made.note, made.lat) == ("saratov", "A Volga town.", 51.53)
    assert (
        db.session.scalar(select(AuditEntry.target).where(AuditEntry.action == "place.create"))
        == "place saratov"
    )


def test_the_event_form_leaves_a_known_places_note_to_its_own_page(curator):
    moscow = db.session.scalar(select(Place).where(Place.slug == FIXTURE.capital_place))
    typed = event_form(
        place_name=moscow.name, place_lat=str(moscow.lat), place_lon=str(moscow.lon), place_note="Mine."
    )
    before = db.session.scalar(select(func.count(Event.id)))
    response = curator.post("/admin/events/new", typed)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    slot = page[page.index('id="place_note-error"') :]
    assert (
        "its note is changed on its own page" in slot[:400] and f'value="{moscow.note}"' in slot
    )  # shown again
    assert db.session.scalar(select(func.count(Event.id))) == before and moscow.note != "Mine."
