"""Content queries and the content version the kiosks watch."""

import pytest

from kiosk.content import published, settings_store
from kiosk.content.dates import PartialDate
from kiosk.editing import writer
from kiosk.extensions import db
from kiosk.models import Status

from .fixture_timeline import FIXTURE
from .helpers import changes_of, make_event


def test_event_dates_round_trip_and_sort(app):
    event = make_event(start=PartialDate(1935, 8, 30), end=PartialDate(1935, 8, 31))
    assert event.start == PartialDate(1935, 8, 30)
    assert event.end == PartialDate(1935, 8, 31)
    assert event.sort_key == 19350830
    with writer.fixture_writes():
        event.end = None
    assert (event.end_year, event.end_month, event.end_day) == (None, None, None)


def test_date_label_prefers_the_curators_wording(app):
    assert make_event(start=PartialDate(1915), end=PartialDate(1922)).date_label == "1915–1922"
    assert make_event(display_date="c. 1915–1922").date_label == "c. 1915–1922"


def test_drafts_and_trashed_events_are_not_visible(app):
    draft = make_event(status=Status.DRAFT)
    assert published.visible_event(draft.slug) is None
    shown = make_event()
    assert published.visible_event(shown.slug) is not None
    from kiosk.models import utcnow

    with writer.fixture_writes():
        shown.deleted_at = utcnow()
    assert published.visible_event(shown.slug) is None


def test_publishing_moves_the_content_version_and_drafts_do_not(app):
    draft = make_event(status=Status.DRAFT)
    start = published.content_version()
    writer.save_event(draft, changes_of(draft, headline="Still a draft"), draft.version)
    assert published.content_version() == start
    writer.save_event(draft, changes_of(draft, status=Status.PUBLISHED), draft.version)
    assert published.content_version() == start + 1
    writer.save_event(draft, changes_of(draft, status=Status.DRAFT), draft.version)
    assert published.content_version() == start + 2


def test_a_write_around_the_writer_fails_loudly_in_tests_and_is_logged_in_production(app, caplog):
    event = make_event()
    slug = event.slug
    event.headline = "Changed behind the writer's back"
    with pytest.raises(writer.WriteOutsideWriter, match=slug):
        db.session.commit()
    db.session.rollback()
    app.testing = False
    try:
        event.headline = "Changed behind the writer's back"
        db.session.commit()
    finally:
        app.testing = True
    assert "Written outside kiosk.editing.writer" in caplog.text and slug in caplog.text
    # Settings visitors never see are anyone's to write; the ones they do see are the writer's.
    settings_store.put("bench_probe", 1)
    db.session.commit()
    settings_store.put("idle_seconds", 45)
    with pytest.raises(writer.WriteOutsideWriter, match="idle_seconds"):
        db.session.commit()


def test_neighbours_follow_timeline_order(app):
    chapters = published.chapters()
    ordered = [event for chapter in chapters for event in chapter.events]
    middle = len(ordered) // 2
    assert published.neighbours(ordered[middle]) == (ordered[middle - 1], ordered[middle + 1])
    assert published.neighbours(ordered[0])[0] is None
    assert published.neighbours(ordered[-1])[1] is None


def test_chapters_follow_era_order_and_dates(app):
    chapters = published.chapters()
    assert [c.era.slug for c in chapters] == FIXTURE.era_slugs
    for chapter in chapters:
        keys = [event.sort_key for event in chapter.events]
        assert keys == sorted(keys)


def test_neighbours_cross_era_boundaries_in_timeline_order(app):
    ordered = [event for chapter in published.chapters() for event in chapter.events]
    for before, current, after in zip([None, *ordered[:-1]], ordered, [*ordered[1:], None], strict=True):
        assert published.neighbours(current) == (before, after), current.slug
