"""Curators set an event's place and figure: checked as other fields, saved with history."""

import pytest
from sqlalchemy import func, select

from kiosk.extensions import db
from kiosk.models import Event, Revision, Role

from ..helpers import make_user
from .conftest import Curator, event_form, form_values


def test_a_curator_sets_a_place_and_a_figure_with_history(curator):
    form = event_form(
        place_name="Moscow",  # a place already used: its coordinates come with it
        place_lat="",
        place_lon="",
        place_note="",
        figure_title="Delegates",
        figure_rows="Delegates | 3000 |\nSpeakers | 12 | people",
        figure_source="Time, 16 Dec 1935",
        figure_confidence="About",
    )
    response = curator.post("/admin/events/new", form)
    assert response.status_code == 302
    saved = db.session.scalar(select(Event).order_by(Event.id.desc()))
    assert saved.place.name == "Moscow" and (saved.place.lat, saved.place.lon) == (55.7558, 37.6173)
    assert saved.figure["rows"][0] == {"label": "Delegates", "value": 3000, "unit": ""}
    revision = db.session.scalar(
        select(Revision).where(Revision.entity_id == saved.id, Revision.entity_type == "event")
    )
    assert revision.snapshot["figure"]["title"] == "Delegates" and revision.snapshot["place"] == "moscow"


@pytest.mark.parametrize(
    ("typed", "field", "message"),
    [
        ({"place_name": "Nowhere", "place_lat": "95", "place_lon": "10"}, "place_lat", "between -90 and 90"),
        ({"place_name": "Nowhere", "place_lat": "50", "place_lon": ""}, "place_lon", "must be a number"),
        ({"place_lat": "50", "place_lon": "30"}, "place_name", "Name the place"),
        ({"figure_title": "T", "figure_rows": "Norm 7", "figure_source": "S"}, "figure_rows", "Line 1"),
        (
            {"figure_title": "T", "figure_rows": "Norm | seven | t", "figure_source": "S"},
            "figure_rows",
            "must be a number",
        ),
        (
            {"figure_title": "T", "figure_rows": "Norm | 7 | t"},
            "figure_source",
            "where the numbers come from",
        ),
    ],
)
def test_a_bad_place_or_figure_gets_a_message_and_changes_nothing(curator, typed, field, message):
    before = db.session.scalar(select(func.count(Event.id)))
    response = curator.post("/admin/events/new", event_form(**typed))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    slot = page[page.index(f'id="{field}-error"') :][:400]
    assert message in slot
    assert db.session.scalar(select(func.count(Event.id))) == before


def test_two_curators_changing_the_place_and_the_figure_merge_both(curator, server):
    make_user("anna", Role.EDITOR)
    colleague = Curator(server.test_client())
    assert colleague.sign_in("anna").status_code == 302
    curator.post("/admin/events/new", event_form())
    shared = db.session.scalar(select(Event).order_by(Event.id.desc()))
    edit = f"/admin/events/{shared.id}/edit"
    opened = form_values(curator.get(edit).get_data(as_text=True), edit) | {"action": "save"}
    # Anna gives it a place; the curator, still on the first version, gives it a figure.
    assert colleague.post(edit, opened | {"place_name": "Karaganda"}).status_code == 302
    figure = {"figure_title": "Coal", "figure_rows": "Norm | 7 | t", "figure_source": "GSE"}
    response = curator.post(edit, opened | figure)
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and 'id="merge-place"' in html and 'id="merge-figure"' in html
    merge = form_values(html, f"/admin/events/{shared.id}/merge") | {
        "choose-place": "current",
        "choose-figure": "mine",
    }
    assert curator.post(f"/admin/events/{shared.id}/merge", merge).status_code == 302
    db.session.refresh(shared)
    assert shared.place.name == "Karaganda" and shared.figure["title"] == "Coal"
