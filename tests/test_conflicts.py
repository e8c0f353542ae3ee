"""Two curators, one event: the later save never silently overwrites the earlier one."""

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk import conflicts, revisions
from kiosk.extensions import db
from kiosk.models import Era, Event


def load(session, slug: str) -> Event:
    return session.scalar(select(Event).where(Event.slug == slug))


def test_two_sessions_saving_the_same_version_the_second_gets_a_conflict(app):
    ours = load(db.session, "retirement")  # curator B opens the form: version 1
    loaded_version = ours.version
    with Session(db.engine) as theirs:  # curator A, in another request, saves first
        other = load(theirs, "retirement")
        assert other.version == loaded_version
        other.headline = "Retires on a pension"
        theirs.commit()
    # B's session still holds version 1, so only the database can notice: StaleDataError, handled.
    with pytest.raises(conflicts.EditConflict) as raised:
        conflicts.save(ours, loaded_version, {"headline": "Retirement at 68", "summary": "New summary."})
    conflict = raised.value
    assert conflict.entity.headline == "Retires on a pension"  # the entity now reads the winning version
    assert conflict.entity.version == loaded_version + 1
    differences = {c.field: (c.before, c.after) for c in conflict.differences}
    assert differences["headline"] == ("Retires on a pension", "Retirement at 68")  # current vs theirs
    assert differences["summary"] == ("He retires on a personal pension.", "New summary.")
    db.session.expire_all()
    assert load(db.session, "retirement").headline == "Retires on a pension"  # nothing was lost


def test_a_form_carrying_an_old_version_is_refused_before_writing(app):
    event = load(db.session, "retirement")
    stale_version = event.version
    conflicts.save(event, stale_version, {"headline": "First save"})
    db.session.commit()
    with pytest.raises(conflicts.EditConflict) as raised:
        conflicts.save(event, stale_version, {"headline": "Second save"})
    assert [(c.field, c.before, c.after) for c in raised.value.differences] == [
        ("headline", "First save", "Second save")
    ]
    assert event.headline == "First save"
    assert [r.snapshot["headline"] for r in revisions.history(event)][:1] == ["First save"]


def test_merge_takes_the_chosen_fields_from_theirs(app):
    event = load(db.session, "retirement")
    version = event.version
    conflicts.save(event, version, {"headline": "Theirs first", "summary": "Their summary."})
    db.session.commit()
    mine = {"headline": "My headline", "summary": "My summary.", "image": {"alt": "My alt text"}}
    compared = {c.field for c in conflicts.compare(event, mine)}
    assert compared == {"headline", "summary", "image.alt"}
    merged = conflicts.merge(event, mine, ["headline", "image.alt"])
    assert (merged["headline"], merged["summary"], merged["image"]["alt"]) == (
        "My headline",
        "Their summary.",
        "My alt text",
    )
    conflicts.save(event, event.version, merged, "Merged after a conflict")
    db.session.commit()
    assert (event.headline, event.summary) == ("My headline", "Their summary.")


def test_eras_are_protected_too(app):
    era = db.session.scalar(select(Era).where(Era.slug == "miner"))
    version = era.version
    with Session(db.engine) as theirs:
        theirs.scalar(select(Era).where(Era.slug == "miner")).name = "Miners"
        theirs.commit()
    with pytest.raises(conflicts.EditConflict) as raised:
        conflicts.save(era, version, {"name": "Down the mine"})
    assert [(c.before, c.after) for c in raised.value.differences] == [("Miners", "Down the mine")]


def test_is_stale_reads_the_form_value(app):
    event = load(db.session, "retirement")
    assert not conflicts.is_stale(event, str(event.version))
    assert conflicts.is_stale(event, event.version - 1)
    assert conflicts.is_stale(event, "")
    assert conflicts.is_stale(event, None)
