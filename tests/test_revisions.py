"""Revisions: readable differences, restoring an old one, and the history kept for seeded content."""

from sqlalchemy import select

from kiosk import conflicts, revisions
from kiosk.extensions import db
from kiosk.models import Era, Event

from .helpers import make_event


def seeded(slug: str) -> Event:
    return db.session.scalar(select(Event).where(Event.slug == slug))


def edit(entity, note: str = "", **changes):
    """Save like the admin will: the item with changes, on the version the curator loaded."""
    revision = conflicts.save(entity, entity.version, changes, note)
    db.session.commit()
    return revision


def test_diff_lists_changed_fields_with_labels(app):
    old = {"headline": "A", "status": "draft", "featured": False, "sources": ["One"], "image": None}
    new = {"headline": "B", "status": "published", "featured": True, "sources": ["One", "Two"], "image": None}
    changes = revisions.diff(old, new)
    assert [(c.label, c.before, c.after) for c in changes] == [
        ("Headline", "A", "B"),
        ("Sources", "One", "One\nTwo"),
        ("Featured", "No", "Yes"),
        ("Status", "Draft", "Published"),
    ]
    assert revisions.diff(old, old) == []


def test_diff_of_dates_and_images_reads_like_the_kiosk(app):
    old = {"start": {"year": 1935, "month": 8, "day": 30}, "image": None}
    new = {
        "start": {"year": 1935, "month": 8, "day": 31},
        "image": {"key": None, "url": "https://x/y.jpg", "alt": ""},
    }
    changes = {c.field: c for c in revisions.diff(old, new)}
    assert (changes["start"].before, changes["start"].after) == ("30 August 1935", "31 August 1935")
    assert changes["image.url"].label == "Image address (not fetched)"
    assert "image.alt" not in changes  # empty before and after


def test_long_text_gets_a_word_by_word_comparison(app):
    before = "He cut 102 tonnes of coal in a single shift, about fourteen times the norm of seven tonnes."
    after = "He cut 102 tonnes of coal in one shift, about fourteen times the norm of seven tonnes."
    [change] = revisions.diff({"body": before}, {"body": after})
    assert ("removed", "a single") in change.words
    assert ("added", "one") in change.words
    assert "".join(text for op, text in change.words if op != "added") == before
    assert "".join(text for op, text in change.words if op != "removed") == after


def test_every_save_is_a_revision_and_the_first_keeps_the_seeded_state(app):
    event = seeded("retirement")
    edit(event, headline="Retires")
    edit(event, summary="He retires on a pension.")
    history = revisions.history(event)
    assert [r.number for r in history] == [3, 2, 1]
    assert history[2].snapshot["headline"] == "Retirement"  # as seeded, before the first change
    assert [c.field for c in revisions.diff_revisions(history[1], history[0])] == ["summary"]
    assert [c.field for c in revisions.diff_revisions(history[2], history[1])] == ["headline"]


def test_restore_brings_back_an_old_revision_as_a_new_one(app, client):
    event = seeded("retirement")
    edit(event, headline="Retires", body="Changed text.")
    original = revisions.get(event, 1)
    revisions.restore(event, original)
    db.session.commit()
    assert (event.headline, event.body) == (original.snapshot["headline"], original.snapshot["body"])
    latest = revisions.history(event)[0]
    assert (latest.number, latest.note) == (3, "Restored revision 1")
    assert revisions.diff(original.snapshot, latest.snapshot) == []
    assert "Retirement" in client.get("/events/retirement").get_data(as_text=True)


def test_restore_of_an_era(app):
    era = db.session.scalar(select(Era).where(Era.slug == "miner"))
    edit(era, name="Down the mine", colour="#123456")
    revisions.restore(era, revisions.get(era, 1))
    db.session.commit()
    assert (era.name, era.colour) == ("Miner", "#4E5863")


def test_restore_refuses_what_no_longer_fits(app):
    event = make_event(slug="to-be-moved")
    revisions.record(event)
    db.session.commit()
    event.slug = "moved"
    revisions.record(event)
    make_event(slug="to-be-moved")  # someone else takes the old address meanwhile
    try:
        revisions.restore(event, revisions.get(event, 1))
    except revisions.RestoreRefused as refused:
        assert "to-be-moved is now used by something else" in str(refused)
    else:
        raise AssertionError("restore should have been refused")
    other = make_event()
    try:
        revisions.restore(other, revisions.get(event, 1))
    except revisions.RestoreRefused as refused:
        assert "belongs to something else" in str(refused)
    else:
        raise AssertionError("restore should have been refused")
