"""Migrations build the schema from nothing, and the models match them exactly."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select, text

from kiosk.config import PROJECT_ROOT
from kiosk.content import fields
from kiosk.editing import search
from kiosk.editing.writer import fixture_writes
from kiosk.extensions import db
from kiosk.languages import localized
from kiosk.models import ContentState, Era, Event, EventTranslation, Revision

from .conftest import make_app
from .helpers import make_event


def test_upgrade_on_an_empty_database_matches_the_models(tmp_path, empty_database_url):
    app = make_app(tmp_path / "fresh", SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            # (as `flask db check` compares them: the search index's own tables are the migration's)
            options = {"include_name": search.in_the_models}
            differences = compare_metadata(MigrationContext.configure(connection, opts=options), db.metadata)
        assert differences == []
        assert db.session.scalar(select(ContentState.version)) == 1
        db.session.remove()
        db.engine.dispose()


def test_downgrade_to_nothing_and_back(tmp_path, empty_database_url):
    app = make_app(tmp_path / "fresh", SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert "event" in inspect(db.engine).get_table_names()
        db.engine.dispose()


@pytest.mark.sqlite_only
def test_sqlite_is_new_enough_and_safe(app):
    from kiosk.database import MINIMUM_SQLITE, sqlite_version

    assert tuple(int(part) for part in sqlite_version().split(".")) >= MINIMUM_SQLITE
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_versions_below_their_highest_revision_are_raised_so_new_revision_numbers_stay_free(
    tmp_path, empty_database_url
):
    app = make_app(tmp_path / "fresh", SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        upgrade(revision="0002")
        with db.engine.begin() as connection:  # as the old code left it: no-op saves recorded without a bump
            connection.exec_driver_sql(
                "INSERT INTO era (id, slug, name, start_year, end_year, colour, description, position, "
                "created_at, updated_at, version) VALUES (1, 'a', 'A', 1906, 1977, '#000000', '', 1, "
                "'2025-01-01', '2025-01-01', 2)"
            )
            for entity_id, number in ((1, 1), (1, 2), (1, 3), (1, 4), (2, 1)):  # era 2 was deleted
                connection.exec_driver_sql(
                    "INSERT INTO revision (entity_type, entity_id, number, snapshot, note, username, "
                    f"created_at) VALUES ('era', {entity_id}, {number}, '{{}}', '', '', '2025-01-01')"
                )
        upgrade()
        assert db.session.scalar(select(Era.version)) == 4  # the next save records revision 5
        kept = db.session.execute(select(Revision.entity_id, Revision.number).order_by(Revision.number)).all()
        assert kept == [(1, 1), (1, 2), (1, 3), (1, 4)]  # a new era 2 can record its revision 1
        db.session.remove()
        db.engine.dispose()


def test_migration_files_sort_in_chain_order():
    """A newcomer reading migrations/versions/ top to bottom reads them in the order they run."""
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory(str(PROJECT_ROOT / "migrations"))
    chain = [script.revision for script in reversed(list(scripts.walk_revisions()))]
    files = sorted(path.name for path in (PROJECT_ROOT / "migrations" / "versions").glob("*.py"))
    positions = [name.split("_")[0] for name in files]
    revisions = [name.split("_")[1] for name in files]
    assert revisions == chain
    assert positions == [f"{number:02d}" for number in range(1, len(files) + 1)]


def test_translations_up_to_date_stay_so_across_the_translated_figures_migration(app):
    """0010 makes a translation's fingerprint cover the image credit and the figure's texts: one that was
    up to date stays up to date (both ways), one that was out of date stays out of date."""
    figure = {"title": "Coal", "rows": [{"label": "Norm", "value": 7, "unit": "t"}], "source": "A report"}
    current, stale = make_event(figure=figure), make_event(image_credit="A photographer")
    with fixture_writes():
        for event, fingerprint in ((current, None), (stale, "stale")):
            made_from = fingerprint or localized.source_hash(fields.source(event))
            event.translations.append(EventTranslation(locale="ru", headline="Уголь", source_hash=made_from))
    assert localized.states_of(current)["ru"] is None
    current_id, stale_id = current.id, stale.id
    db.session.remove()
    downgrade(revision="0009")
    with db.engine.connect() as connection:
        columns = {column["name"] for column in inspect(connection).get_columns("event_translation")}
        hashes = dict(
            connection.execute(
                text("SELECT event_id, source_hash FROM event_translation WHERE locale = 'ru'")
            ).all()
        )
        row = (
            connection.execute(text("SELECT * FROM event WHERE id = :id"), {"id": current_id})
            .mappings()
            .one()
        )
    assert "figure" not in columns and "image_credit" not in columns
    before_0010 = ("headline", "display_date", "summary", "body", "confidence", "image_alt", "image_caption")
    assert hashes[current_id] == localized.source_hash({name: row[name] for name in before_0010})
    assert hashes[stale_id] == "stale"
    upgrade()
    db.session.remove()
    current, stale = db.session.get(Event, current_id), db.session.get(Event, stale_id)
    assert localized.states_of(current)["ru"] is None
    assert localized.states_of(stale)["ru"] == localized.OUT_OF_DATE


@pytest.mark.sqlite_only
def test_the_bundled_sqlite_has_full_text_search_and_the_search_index_follows_its_table(app):
    with db.engine.begin() as connection:
        options = {row[0] for row in connection.exec_driver_sql("PRAGMA compile_options")}
        assert "ENABLE_FTS5" in options
        tables = {row[0] for row in connection.exec_driver_sql("SELECT name FROM sqlite_master")}
        assert search.FTS_TABLE in tables  # migration 0013 made it
        event_id = connection.execute(select(Event.id).order_by(Event.id)).scalars().first()
        connection.exec_driver_sql(f"DELETE FROM event_search WHERE event_id = {event_id}")
        connection.exec_driver_sql(
            f"INSERT INTO event_search (event_id, recipe, words) VALUES ({event_id}, 0, 'zvezdochka')"
        )
        found = f"SELECT rowid FROM {search.FTS_TABLE} WHERE {search.FTS_TABLE} MATCH 'zvezdochka'"
        assert connection.exec_driver_sql(found).scalars().all() == [event_id]  # the trigger indexed it
