"""Pages cost a small, fixed number of SQL statements however many events there are (no N+1)."""

from __future__ import annotations

import pytest

from kiosk.editing.writer import fixture_writes
from kiosk.extensions import db
from kiosk.models import Era, EventTranslation, Media

from .fixture_timeline import FIXTURE
from .helpers import make_event

# An event in the middle of its era: its neighbours are found in the era whatever is added around it.
EVENT = f"/events/{FIXTURE.plain_event}"


def add_many_events(count: int) -> None:
    """More events in every era, with pictures and translations, which lazy loading would trip over."""
    eras = db.session.scalars(db.select(Era)).all()
    with fixture_writes():
        for number in range(count):
            picture = Media(key=f"picture{number}", width=800, height=600, checksum=f"{number:064d}")
            made = make_event(
                era=eras[number % len(eras)], image=picture, image_alt="A picture", commit=False
            )
            made.translations.append(EventTranslation(locale="ru", headline="Заголовок"))


# A page in another language reads the translations of its events and eras: two statements more.
PAGES = [
    ("/", {}, 7),
    (EVENT, {}, 7),
    (EVENT, {"HX-Request": "true"}, 7),
    ("/ru/", {}, 9),
    (f"/ru{EVENT}", {"HX-Request": "true"}, 9),
]


@pytest.mark.parametrize(("path", "headers", "most"), PAGES)
def test_pages_need_the_same_few_statements_with_many_more_events(
    app, client, database_statements, path, headers, most
):
    app.config["PAGE_CACHE"] = False  # count what rendering costs, not what the cache saves
    before = database_statements.count(client, path, **headers)
    add_many_events(60)
    assert database_statements.count(client, path, **headers) == before <= most


def test_a_cached_page_costs_one_statement(client, database_statements):
    client.get("/")
    assert database_statements.count(client, "/") == 1
