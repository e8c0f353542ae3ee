"""The default content: loaded once, complete, and free of the seed document's errors."""

import json

import pytest
from sqlalchemy import func, select

from kiosk.cli import seed_command
from kiosk.extensions import db
from kiosk.interchange import kiosk_json
from kiosk.models import AuditEntry, Era, Event, Revision, Status

pytestmark = pytest.mark.default_content  # on a database seeded with the default content, as a new kiosk is

DEFAULT = json.loads(kiosk_json.DEFAULT_CONTENT.read_text(encoding="utf-8"))


def count(model):
    return db.session.scalar(select(func.count(model.id)))


def test_seed_loads_every_era_and_event(app):
    assert count(Era) == 7
    assert count(Event) == len(DEFAULT["events"]) == 43
    assert db.session.scalar(select(func.count(Event.id)).where(Event.status != Status.PUBLISHED)) == 0


def test_seeding_twice_adds_nothing(app, runner):
    before = (count(Era), count(Event))
    result = runner.invoke(seed_command)
    assert result.exit_code == 0
    assert "nothing loaded" in result.output
    assert (count(Era), count(Event)) == before


def test_seed_fills_an_empty_database(app, runner):
    for model in (Revision, AuditEntry, Event, Era):
        db.session.execute(model.__table__.delete())
    db.session.commit()
    result = runner.invoke(seed_command)
    assert "Loaded the default content" in result.output
    assert (count(Era), count(Event)) == (7, 43)


def test_events_lie_in_the_timeline_or_are_postscripts(app):
    for event in db.session.scalars(select(Event)):
        if event.postscript:
            assert event.start_year > 1977, event.slug
        else:
            assert 1906 <= event.start_year <= 1977, event.slug
    assert db.session.scalar(select(func.count(Event.id)).where(Event.postscript.is_(True))) == 3


def test_every_event_cites_its_sources(app):
    for event in db.session.scalars(select(Event)):
        assert event.sources, event.slug


def all_text() -> str:
    parts = []
    for event in db.session.scalars(select(Event)):
        parts += [event.headline, event.summary, event.body, event.display_date, *event.sources]
    return " ".join(parts)


def test_the_seed_documents_errors_are_not_repeated(app):
    text = all_text()
    birth = db.session.scalar(select(Event).where(Event.start_year == 1906))
    assert "Russia" in birth.summary + birth.body
    assert "Ukraine" not in birth.summary + birth.body
    assert "aged 71" in text and "72" not in text
    assert "Rise of a New Type of Laborer" not in text
    assert "The Soviet Worker: A Social History" not in text
    assert "trained new generations" not in text.lower()
    record = db.session.scalar(select(Event).where(Event.slug == "record-shift-102-tonnes"))
    assert "Petrov" in record.body and "timbermen" in record.body


def test_uncertain_facts_carry_a_label(app):
    labelled = {e.slug: e.confidence for e in db.session.scalars(select(Event)) if e.confidence}
    assert any("differ" in label.lower() for label in labelled.values())
    assert len(labelled) >= 10


def test_further_reading_names_siegelbaum(app, client):
    page = client.get("/").get_data(as_text=True)
    assert "Siegelbaum" in page
