"""Two curators, one event: the later save never silently overwrites the earlier one.

These drive kiosk.editing.writer, the one writer, from two real sessions against one database (SQLite here,
PostgreSQL under `make test`); tests/admin/test_conflicts.py shows the conflict page through HTTP.
"""

import threading

import pytest
from sqlalchemy import select

from kiosk.editing import conflicts, revisions, writer
from kiosk.extensions import db
from kiosk.models import Event

from .conftest import make_app
from .fixture_timeline import FIXTURE
from .helpers import changes_of


def load(slug: str) -> Event:
    return db.session.scalar(select(Event).where(Event.slug == slug))


def save_in_another_session(data_dir, slug: str, version: int, **typed) -> None:
    """Another curator's request: its own app context, session and connection."""
    other = make_app(data_dir)
    with other.app_context():
        event = load(slug)
        writer.save_event(event, changes_of(event, **typed), version)
        db.session.remove()
        db.engine.dispose()


def test_a_save_racing_a_newer_one_is_refused_as_a_conflict_with_both_versions(app, data_dir):
    ours = load(FIXTURE.plain_event)  # curator B opens the form
    loaded_version = ours.version
    summary = ours.summary
    mine = changes_of(ours, headline="Norms rise again", summary="New summary.")
    # Curator A saves first, in another session, in another thread, between B's load and B's save.
    other = threading.Thread(
        target=save_in_another_session,
        args=(data_dir, FIXTURE.plain_event, loaded_version),
        kwargs={"headline": "Output norms are raised"},
    )
    other.start()
    other.join()
    # B's session still holds the old version, so only the database can notice.
    with pytest.raises(conflicts.EditConflict) as raised:
        writer.save_event(ours, mine, loaded_version)
    conflict = raised.value
    assert conflict.entity.headline == "Output norms are raised"  # the entity now reads the winning version
    assert conflict.entity.version == loaded_version + 1
    differences = {c.field: (c.before, c.after) for c in conflict.differences}
    assert differences["headline"] == ("Output norms are raised", "Norms rise again")  # current vs theirs
    assert differences["summary"] == (summary, "New summary.")
    db.session.expire_all()
    assert load(FIXTURE.plain_event).headline == "Output norms are raised"  # nothing was lost
    assert revisions.history(ours)[0].number == ours.version


def test_a_save_that_changes_nothing_is_checked_and_recorded_like_any_other(app):
    event = load(FIXTURE.plain_event)
    version = event.version
    writer.save_event(event, changes_of(event), version)
    assert event.version == version + 1  # the version moves on, so a racing save cannot also win
    assert [(r.number, r.snapshot) for r in revisions.history(event)][:1] == [
        (version + 1, revisions.snapshot(event))
    ]
    with pytest.raises(conflicts.EditConflict):
        writer.save_event(event, changes_of(event), version)


def test_is_stale_reads_the_form_value(app):
    event = load(FIXTURE.plain_event)
    assert not conflicts.is_stale(event, str(event.version))
    assert conflicts.is_stale(event, event.version - 1)
    assert conflicts.is_stale(event, "")
    assert conflicts.is_stale(event, None)
