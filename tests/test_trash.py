"""The trash through the one writer: delete moves there, restore brings back, purge only from the trash;
each step checks the version, is recorded and audited."""

import pytest
from sqlalchemy import select

from kiosk.content import published
from kiosk.editing import conflicts, revisions, trash, writer
from kiosk.extensions import db
from kiosk.models import AuditEntry, Event, Revision

from .fixture_timeline import FIXTURE

PLAIN = FIXTURE.plain_event


def seeded(slug: str) -> Event:
    return db.session.scalar(select(Event).where(Event.slug == slug))


def actions() -> list[tuple[str, str]]:
    return [(e.action, e.target) for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def test_trash_hides_and_restore_brings_back(app, client):
    event = seeded(PLAIN)
    version = published.content_version()
    writer.move_event_to_trash(event, event.version)
    assert client.get(f"/events/{PLAIN}").status_code == 404
    assert published.content_version() > version
    assert trash.list_trash() == [event]
    writer.restore_from_trash(event, event.version)
    assert client.get(f"/events/{PLAIN}").status_code == 200
    assert trash.list_trash() == []
    assert actions()[-2:] == [("event.trash", f"event {PLAIN}"), ("event.restore", f"event {PLAIN}")]
    notes = [(r.number, r.note) for r in revisions.history(event)][:2]
    assert notes == [(event.version, "Restored from the trash"), (event.version - 1, "Moved to the trash")]


def test_purge_only_from_the_trash(app):
    event = seeded(PLAIN)
    with pytest.raises(trash.NotInTrash):
        writer.purge_event(event, event.version)
    writer.move_event_to_trash(event, event.version)
    event_id = event.id
    writer.purge_event(event, event.version)
    assert seeded(PLAIN) is None
    assert db.session.scalars(select(Revision).where(Revision.entity_id == event_id)).all() == []
    assert actions()[-1] == ("event.purge", f"event {PLAIN}")


def test_trash_lists_the_latest_first_and_checks_the_version(app):
    first, second = seeded(PLAIN), seeded(FIXTURE.death_event)
    writer.move_event_to_trash(first, first.version)
    writer.move_event_to_trash(second, second.version)
    assert trash.list_trash()[0] == second
    with pytest.raises(conflicts.EditConflict):
        writer.restore_from_trash(first, first.version - 1)
    with pytest.raises(conflicts.EditConflict):
        writer.purge_event(first, None)
    writer.restore_from_trash(first, first.version)
    assert trash.list_trash() == [second]
