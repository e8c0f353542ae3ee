"""A field added to the field table reaches every layer without further edits: run by
tests/test_adding_a_field.py in a Python of its own (a field added to the models cannot be taken away
again in the same process), never collected with the rest of the suite.

Adding the field here takes what docs/architecture.md, "Adding a field", says it takes: its entry in the
table, its columns on the models and their migration (the statements in ``fixture_timeline_database``);
this test shows the rest follows: the admin form, saving, history, conflicts, our JSON and translations.
"""

from __future__ import annotations

import json
import re

from sqlalchemy import String, select
from sqlalchemy.orm import mapped_column

from kiosk.content import fields
from kiosk.models import Event, EventTranslation

# The table's entry, and the models' columns.
fields.EVENT.fields.append(
    fields.Field(
        "mood", fields.TEXT, "Mood", ("mood",), limit=40, translatable=True, section="story",
        what="the mood", hint="How it felt, in a word or two.",
    )
)  # fmt: skip
Event.mood = mapped_column(String(40), default="")  # type: ignore[attr-defined]
EventTranslation.mood = mapped_column(String(40), default="")  # type: ignore[attr-defined]

import pytest  # noqa: E402 - after the field is added, as if it had always been there

from kiosk.extensions import db  # noqa: E402
from kiosk.interchange import exporters, importers  # noqa: E402
from kiosk.languages.localized import Localizer  # noqa: E402

from ..conftest import seeded_template  # noqa: E402
from ..fixture_timeline import load_fixture_timeline  # noqa: E402
from ..helpers import make_event  # noqa: E402
from .conftest import form_values  # noqa: E402

MIGRATION = (
    "ALTER TABLE event ADD COLUMN mood VARCHAR(40) NOT NULL DEFAULT ''",
    "ALTER TABLE event_translation ADD COLUMN mood VARCHAR(40) NOT NULL DEFAULT ''",
)


@pytest.fixture(scope="session")
def fixture_timeline_database(tmp_path_factory, postgres):
    """As tests/conftest.py's, with the field's migration between the others and the fixture timeline."""
    with seeded_template(tmp_path_factory, postgres, load_fixture_timeline, MIGRATION) as seeded:
        yield seeded


def edit(curator, event, **typed):
    """Publish the event's form with ``typed`` changed."""
    url = f"/admin/events/{event.id}/edit"
    opened = form_values(curator.get(url).get_data(as_text=True), url)
    return curator.post(url, opened | {"action": "publish"} | typed)


def test_the_form_shows_checks_and_saves_it_and_history_names_it(curator):
    event = make_event(slug="with-a-mood")
    page = curator.get(f"/admin/events/{event.id}/edit").get_data(as_text=True)
    assert 'name="mood"' in page and "How it felt, in a word or two." in page
    refused = edit(curator, event, mood="x" * 41)
    assert refused.status_code == 422 and "Keep the mood to 40 characters or fewer." in refused.get_data(
        as_text=True
    )
    assert edit(curator, event, mood="Tense").status_code == 302
    assert db.session.get(Event, event.id).mood == "Tense"
    history = curator.get(f"/admin/events/{event.id}/history").get_data(as_text=True)
    assert "Mood" in history and "Tense" in history


def test_two_curators_saving_it_meet_as_a_conflict_over_it(curator):
    event = make_event(slug="with-a-mood")
    url = f"/admin/events/{event.id}/edit"
    opened = form_values(curator.get(url).get_data(as_text=True), url)
    assert edit(curator, event, mood="Calm").status_code == 302
    conflict = curator.post(url, opened | {"action": "publish", "mood": "Tense"})
    page = conflict.get_data(as_text=True)
    assert conflict.status_code == 409 and 'name="choose-mood"' in page and "Mood" in page


def test_our_json_carries_it_both_ways(curator, app):
    event = make_event(slug="with-a-mood")
    assert edit(curator, event, mood="Tense").status_code == 302
    document = json.loads(exporters.export("json"))
    item = next(item for item in document["events"] if item["slug"] == "with-a-mood")
    assert item["mood"] == "Tense"
    item["mood"] = "Calm"
    importers.run(json.dumps(document).encode(), source="moods.json")
    assert db.session.scalar(select(Event.mood).where(Event.slug == "with-a-mood")) == "Calm"


def test_it_is_translated_like_the_rest_of_the_text(curator, app):
    event = make_event(slug="with-a-mood")
    assert edit(curator, event, mood="Tense").status_code == 302
    url = f"/admin/events/{event.id}/translations/ru"
    page = curator.get(url).get_data(as_text=True)
    assert re.search(r'lang="en">Tense<', page) and 'name="mood"' in page  # beside its default text
    typed = form_values(page, url) | {"headline": "С настроением", "mood": "Напряжённо"}
    assert curator.post(url, typed).status_code == 302
    saved = db.session.get(Event, event.id)
    assert Localizer("ru").event(saved).mood == "Напряжённо"
    english = json.loads(exporters.export("json"))
    item = next(item for item in english["events"] if item["slug"] == "with-a-mood")
    assert item["translations"]["ru"]["mood"] == "Напряжённо"
