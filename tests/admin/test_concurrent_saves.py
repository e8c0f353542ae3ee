"""Curators saving at the same moment, through HTTP against one database (SQLite, or PostgreSQL under
`make test`): exactly one of two racing saves wins, the other sees the conflict page, never a false "web
address taken"; and a database kept busy by another change answers "try again" with everything typed kept."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from kiosk.editing import drafts, revisions
from kiosk.extensions import db
from kiosk.models import Event, Role

from ..fixture_timeline import FIXTURE
from ..helpers import make_user
from ..interop import GOOD_SHEET
from .conftest import Curator, database_kept_busy, form_values, staged, upload

ROUNDS = 12
BUSY = "The database is busy with another change"


def seeded(slug: str) -> Event:
    return db.session.scalar(select(Event).where(Event.slug == slug))


def opened(person: Curator, url: str) -> dict:
    return form_values(person.get(url).get_data(as_text=True), url) | {"action": "save"}


def test_of_two_racing_saves_one_wins_and_the_other_sees_a_conflict(curator, colleague):
    event = seeded(FIXTURE.plain_event)
    url = f"/admin/events/{event.id}/edit"
    for round_number in range(ROUNDS):
        unchanged, changed = opened(curator, url), opened(colleague, url)
        changed["summary"] = f"Norms go up again (round {round_number})."
        start = threading.Barrier(2)

        def post(person: Curator, values: dict, start=start) -> int:
            start.wait()  # both requests leave at once
            return person.client.post(url, data=values | {"csrf_token": person.token()}).status_code

        with ThreadPoolExecutor(2) as pool:
            statuses = list(pool.map(post, (curator, colleague), (unchanged, changed)))
        assert sorted(statuses) == [302, 409], f"round {round_number}: {statuses}"
        db.session.expire_all()
        newest = revisions.history(event)[0]  # the winner's changes, kept unpublished
        assert newest.number == event.version and newest.snapshot == drafts.working_item(event)


def test_a_save_while_the_database_is_busy_asks_to_try_again_and_keeps_what_was_typed(impatient_curator):
    event = seeded(FIXTURE.plain_event)
    url = f"/admin/events/{event.id}/edit"
    headline = event.headline
    typed = opened(impatient_curator, url) | {"headline": "Output norms go up again", "action": "publish"}
    with database_kept_busy():
        response = impatient_curator.post(url, typed)
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert BUSY in html and 'value="Output norms go up again"' in html
    db.session.refresh(event)
    assert event.headline == headline
    # Trying again once the other change is done saves it.
    assert impatient_curator.post(url, form_values(html, url) | {"action": "publish"}).status_code == 302
    db.session.refresh(event)
    assert event.headline == "Output norms go up again"


def test_a_sign_in_while_the_database_is_busy_is_asked_to_try_again(impatient):
    make_user("curator", Role.EDITOR)
    visitor = Curator(impatient.test_client())
    on_sqlite = db.engine.dialect.name == "sqlite"
    with database_kept_busy():
        response = visitor.sign_in()
    if on_sqlite:  # the whole database is locked: signing in (it writes) must wait, then is refused kindly
        page = response.get_data(as_text=True)
        assert response.status_code == 503 and response.headers["Retry-After"]
        assert "The database is busy with another save" in page and "Send it again" in page
        assert 'value="curator"' in page  # the name typed is given back; the password never is
        response = visitor.sign_in()
    assert response.status_code == 302  # on PostgreSQL only the events are locked: signing in goes ahead


def test_an_import_confirmed_while_the_database_is_busy_waits_to_be_confirmed_again(
    impatient_curator, data_dir
):
    dry_run = upload(impatient_curator, GOOD_SHEET).get_data(as_text=True)
    confirm = form_values(dry_run, "/admin/import/confirm") | {"publish": "y"}
    before = db.session.scalar(select(func.count(Event.id)))
    with database_kept_busy():
        response = impatient_curator.post("/admin/import/confirm", confirm)
    html = response.get_data(as_text=True)
    assert response.status_code == 503 and BUSY in html
    assert "4 created, 1 updated, 0 skipped" in html  # the dry run again, and the same choice to confirm
    assert form_values(html, "/admin/import/confirm") == confirm
    assert db.session.scalar(select(func.count(Event.id))) == before and len(staged(data_dir)) == 1
    assert "Imported sheet-good.csv" in impatient_curator.post("/admin/import/confirm", confirm).get_data(
        as_text=True
    )
    assert db.session.scalar(select(func.count(Event.id))) == before + 3


def test_moving_to_the_trash_while_the_database_is_busy_changes_nothing_and_says_so(impatient_curator):
    event = seeded(FIXTURE.plain_event)
    url = f"/admin/events/{event.id}/delete"
    confirm = form_values(impatient_curator.get(url).get_data(as_text=True), url)
    with database_kept_busy():
        response = impatient_curator.post(url, confirm)
    assert response.status_code == 503
    assert "The database is busy. Nothing was changed: try again in a moment." in response.get_data(
        as_text=True
    )
    db.session.refresh(event)
    assert event.deleted_at is None
    assert impatient_curator.post(url, confirm).status_code == 302  # once the other change is done
