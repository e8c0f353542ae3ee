"""The trash page: what was deleted, when and by whom; restore; permanent deletion only from here, after
a confirmation."""

from __future__ import annotations

from sqlalchemy import select

from kiosk.extensions import db
from kiosk.models import AuditEntry, Event, Revision, Status

from ..helpers import make_event
from .conftest import form_values


def trashed_by_the_curator(curator, **fields) -> Event:
    event = make_event(**fields)
    response = curator.post(f"/admin/events/{event.id}/delete", {"version": str(event.version)})
    assert response.status_code == 302
    curator.get(response.headers["Location"])  # the list, as the browser shows it next (with Undo)
    db.session.refresh(event)
    return event


def last_action() -> tuple[str, str, str]:
    entry = db.session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()))
    return entry.action, entry.target, entry.username


def test_the_navigation_leads_to_the_trash(curator):
    html = curator.get("/admin/events").get_data(as_text=True)
    for link in ('href="/admin/trash"', 'href="/admin/import"'):
        assert link in html
    assert 'href="/admin/audit"' not in html  # editors have no audit log
    assert "The trash is empty." in curator.get("/admin/trash").get_data(as_text=True)


def test_the_trash_lists_what_was_deleted_when_and_by_whom(curator):
    older = trashed_by_the_curator(curator, headline="Deleted first")
    newer = trashed_by_the_curator(curator, headline="Deleted second", status=Status.DRAFT)
    html = curator.get("/admin/trash").get_data(as_text=True)
    table = html[html.index("<tbody>") :]
    assert table.index("Deleted second") < table.index("Deleted first")  # the latest first
    row = html[html.index(f'id="trashed-{newer.id}"') :]
    row = row[: row.index("</tr>")]
    assert newer.deleted_at.strftime("%Y-%m-%d %H:%M") in row and "<td>curator</td>" in row
    assert 'aria-current="page">Trash<' in html
    assert older.id != newer.id


def test_restore_brings_an_event_back_to_the_list_and_the_kiosk(curator, client):
    event = trashed_by_the_curator(curator, headline="Back again")
    assert client.get(f"/events/{event.slug}").status_code == 404
    page = curator.get("/admin/trash").get_data(as_text=True)
    restore = f"/admin/trash/{event.id}/restore"
    response = curator.post(restore, form_values(page, restore))
    assert response.headers["Location"] == "/admin/trash"
    db.session.refresh(event)
    assert event.deleted_at is None
    assert client.get(f"/events/{event.slug}").status_code == 200
    assert "Restored “Back again”. It is published" in curator.get("/admin/trash").get_data(as_text=True)
    assert "Back again" in curator.get("/admin/events").get_data(as_text=True)
    assert last_action() == ("event.restore", f"event {event.slug}", "curator")


def test_a_restore_from_an_old_page_changes_nothing(curator):
    event = trashed_by_the_curator(curator)
    response = curator.post(f"/admin/trash/{event.id}/restore", {"version": str(event.version - 1)})
    assert "Someone else changed this event a moment ago" in curator.get(
        response.headers["Location"]
    ).get_data(as_text=True)
    db.session.refresh(event)
    assert event.deleted_at is not None


def test_permanent_deletion_asks_first_and_only_works_from_the_trash(curator):
    listed = make_event(headline="Still on the list")
    assert curator.get(f"/admin/trash/{listed.id}/delete").status_code == 404
    assert (
        curator.post(f"/admin/trash/{listed.id}/delete", {"version": str(listed.version)}).status_code == 404
    )
    assert db.session.get(Event, listed.id) is not None

    event = trashed_by_the_curator(curator, headline="Gone for good")
    assert curator.get(f"/admin/events/{event.id}/history").status_code == 404  # not editable in the trash
    url = f"/admin/trash/{event.id}/delete"
    confirm = curator.get(url).get_data(as_text=True)
    assert "Delete “Gone for good” permanently?" in confirm and "This cannot be undone" in confirm
    assert db.session.get(Event, event.id) is not None  # asking changed nothing
    event_id, slug = event.id, event.slug
    response = curator.post(url, form_values(confirm, url))
    assert response.headers["Location"] == "/admin/trash"
    db.session.expire_all()
    assert db.session.get(Event, event_id) is None
    assert db.session.scalars(select(Revision).where(Revision.entity_id == event_id)).all() == []
    assert "Deleted “Gone for good” for good." in curator.get("/admin/trash").get_data(as_text=True)
    assert last_action() == ("event.purge", f"event {slug}", "curator")
