"""The trash: delete moves there, restore brings back, purge only from the trash; each step audited."""

import pytest
from sqlalchemy import select

from kiosk import conflicts, content, revisions, trash
from kiosk.extensions import db
from kiosk.models import AuditEntry, Event, Revision


def seeded(slug: str) -> Event:
    return db.session.scalar(select(Event).where(Event.slug == slug))


def actions() -> list[tuple[str, str]]:
    return [(e.action, e.target) for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def test_trash_hides_and_restore_brings_back(app, client):
    event = seeded("retirement")
    version = content.content_version()
    trash.move_to_trash(event)
    db.session.commit()
    assert client.get("/events/retirement").status_code == 404
    assert content.content_version() > version
    assert trash.list_trash() == [event]
    trash.restore_from_trash(event)
    db.session.commit()
    assert client.get("/events/retirement").status_code == 200
    assert trash.list_trash() == []
    assert actions()[-2:] == [("event.trash", "event retirement"), ("event.restore", "event retirement")]


def test_purge_only_from_the_trash(app):
    event = seeded("retirement")
    with pytest.raises(trash.NotInTrash):
        trash.purge(event)
    revisions.record(event)
    trash.move_to_trash(event)
    event_id = event.id
    trash.purge(event)
    db.session.commit()
    assert seeded("retirement") is None
    assert db.session.scalars(select(Revision).where(Revision.entity_id == event_id)).all() == []
    assert actions()[-1] == ("event.purge", "event retirement")


def test_trash_lists_the_latest_first_and_checks_the_version(app):
    first, second = seeded("retirement"), seeded("death-in-torez")
    trash.move_to_trash(first)
    db.session.commit()
    trash.move_to_trash(second)
    db.session.commit()
    assert trash.list_trash()[0] == second
    with pytest.raises(conflicts.EditConflict):
        trash.restore_from_trash(first, expected_version=first.version - 1)
    trash.restore_from_trash(first, expected_version=first.version)
    db.session.commit()
    assert trash.list_trash() == [second]
