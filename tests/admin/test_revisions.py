"""History pages: every revision of an event or era, readable differences between any two, and restoring an
earlier one (after a confirmation) as a new revision."""

from __future__ import annotations

import re

from sqlalchemy import delete, func, select

from kiosk.editing import revisions
from kiosk.extensions import db
from kiosk.models import AuditEntry, Era, Event, Revision

from ..fixture_timeline import DOCUMENT, FIXTURE
from .conftest import event_form, form_values

PLAIN, HEADLINE = FIXTURE.plain_event, "Output norms go up"  # an event as loaded, and its headline

LONG_BEFORE = "He cut 102 tonnes of coal in a single shift, about fourteen times the norm of seven tonnes."
LONG_AFTER = "He cut 102 tonnes of coal in one shift, about fourteen times the norm of seven tonnes."


def seeded(slug: str) -> Event:
    return db.session.scalar(select(Event).where(Event.slug == slug))


def edit_event(curator, event: Event, **typed):
    """Publish the event's edit form as the page holds it, with ``typed`` changed."""
    url = f"/admin/events/{event.id}/edit"
    opened = form_values(curator.get(url).get_data(as_text=True), url)
    response = curator.post(url, opened | {"action": "publish"} | typed)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.refresh(event)


def rows(html: str) -> list[str]:
    """The table of differences, row by row, as text: "Field | before | after"."""
    table = re.search(r'<table class="table diff">.*?</table>', html, re.DOTALL).group(0)
    found = []
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.DOTALL)[1:]:
        cells = [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.DOTALL)
        ]
        found.append(" | ".join(cells))
    return found


def test_the_edit_page_links_to_the_history(curator):
    event = seeded(PLAIN)
    html = curator.get(f"/admin/events/{event.id}/edit").get_data(as_text=True)
    assert f'href="/admin/events/{event.id}/history"' in html
    era = db.session.scalar(select(Era).where(Era.slug == FIXTURE.mine_era))
    assert f'href="/admin/eras/{era.id}/history"' in curator.get(f"/admin/eras/{era.id}/edit").get_data(
        as_text=True
    )


def test_content_from_before_history_was_kept_gets_its_first_state_recorded_at_the_first_save(curator):
    event = seeded(PLAIN)  # as in a database from before every change was recorded
    db.session.execute(
        delete(Revision).where(Revision.entity_type == "event", Revision.entity_id == event.id)
    )
    db.session.commit()
    html = curator.get(f"/admin/events/{event.id}/history").get_data(as_text=True)
    assert "No changes have been recorded yet" in html
    version = event.version
    edit_event(curator, event, headline="Higher quotas at last")
    history = revisions.history(event)
    assert [(r.number, r.note) for r in history] == [
        (version + 1, ""),
        (version, "As it was before the first recorded change"),
    ]
    assert (history[1].snapshot["headline"], history[1].username) == (HEADLINE, "curator")
    assert history[0].snapshot == revisions.snapshot(event)


def test_history_lists_revisions_and_shows_the_latest_change_word_by_word(curator):
    event = seeded(PLAIN)
    edit_event(curator, event, headline="Higher quotas at last", body=LONG_BEFORE)
    edit_event(curator, event, body=LONG_AFTER)
    html = curator.get(f"/admin/events/{event.id}/history").get_data(as_text=True)
    # Three revisions: as loaded (the fixture timeline is imported, as flask seed imports the default
    # content), then the two saves, newest first, with who and a note.
    numbers = re.findall(r'<tr id="revision-(\d+)">', html)
    assert numbers == ["3", "2", "1"]
    first = re.search(r'<tr id="revision-1">.*?</tr>', html, re.DOTALL).group(0)
    assert "the server (no curator signed in)" in first and f"Imported from {DOCUMENT.name}" in first
    assert re.search(r'<tr id="revision-3">.*?Current version.*?curator.*?</tr>', html, re.DOTALL)
    # By default the latest revision is compared with the one before: only the text changed.
    assert "Changes from revision 2 to revision 3" in html
    assert [row.split(" | ")[0] for row in rows(html)] == ["Text"]
    assert '<del class="diff__removed"><span class="visually-hidden">[removed: </span>a single' in html
    assert '<ins class="diff__added"><span class="visually-hidden">[added: </span>one' in html


def test_any_two_revisions_can_be_compared(curator):
    event = seeded(PLAIN)
    edit_event(curator, event, headline="Higher quotas at last", featured="y")
    edit_event(curator, event, summary="A new summary.")
    html = curator.get(f"/admin/events/{event.id}/history?older=1&newer=3").get_data(as_text=True)
    assert "Changes from revision 1 to revision 3" in html
    compared = rows(html)
    assert f"Headline | [removed: {HEADLINE}] | [added: Higher quotas at last]" in compared
    assert "Featured | [removed: No] | [added: Yes]" in compared
    assert any(
        row.startswith("Summary | ") and "A new summary." in row.replace("[added: ", "") for row in compared
    )
    # Asked the wrong way round, or for revisions that do not exist: still a sensible comparison.
    assert "Changes from revision 1 to revision 3" in curator.get(
        f"/admin/events/{event.id}/history?older=3&newer=1"
    ).get_data(as_text=True)
    assert curator.get(f"/admin/events/{event.id}/history?older=99&newer=x").status_code == 200


def test_the_compare_form_gets_just_the_comparison_over_htmx(curator):
    event = seeded(PLAIN)
    edit_event(curator, event, headline="Higher quotas at last")
    response = curator.get(
        f"/admin/events/{event.id}/history?older=1&newer=2", headers={"HX-Request": "true"}
    )
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith(("{#", '<section class="panel comparison"')) and "<html" not in html
    assert "HX-Request" in response.headers["Vary"] and "Higher quotas at last" in html


def test_restoring_asks_first_then_makes_a_new_revision(curator, client):
    event = seeded(PLAIN)
    edit_event(curator, event, headline="Higher quotas at last", body=LONG_BEFORE)
    count = db.session.scalar(select(func.count(Revision.id)))
    url = f"/admin/events/{event.id}/history/1/restore"
    confirm = curator.get(url).get_data(as_text=True)
    assert "Restore revision 1 of “Higher quotas at last”?" in confirm
    assert f"Headline | [removed: Higher quotas at last] | [added: {HEADLINE}]" in rows(confirm)
    db.session.refresh(event)
    assert event.headline == "Higher quotas at last"  # asking changed nothing
    assert db.session.scalar(select(func.count(Revision.id))) == count

    response = curator.post(url, form_values(confirm, url))
    assert response.headers["Location"] == f"/admin/events/{event.id}/history"
    db.session.refresh(event)
    assert event.headline == HEADLINE and event.body != LONG_BEFORE
    latest = revisions.history(event)[0]
    assert (latest.number, latest.note, latest.username) == (3, "Restored revision 1", "curator")
    entry = db.session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()))
    assert (entry.action, entry.target, entry.username) == (
        "event.restore-revision",
        f"event {PLAIN}",
        "curator",
    )
    assert "Restored revision 1. It is now revision 3" in curator.get(response.headers["Location"]).get_data(
        as_text=True
    )
    assert HEADLINE in client.get(f"/events/{PLAIN}").get_data(as_text=True)


def test_a_restore_confirmed_on_an_old_version_changes_nothing(curator):
    event = seeded(PLAIN)
    edit_event(curator, event, headline="Higher quotas at last")
    url = f"/admin/events/{event.id}/history/1/restore"
    stale = form_values(curator.get(url).get_data(as_text=True), url)
    edit_event(curator, event, headline="Someone else's headline")
    response = curator.post(url, stale)
    assert response.status_code == 409
    assert "Someone else changed it a moment ago" in response.get_data(as_text=True)
    db.session.refresh(event)
    assert event.headline == "Someone else's headline"


def test_restoring_the_current_version_has_nothing_to_do(curator):
    event = seeded(PLAIN)
    edit_event(curator, event, headline="Higher quotas at last")
    html = curator.get(f"/admin/events/{event.id}/history/2/restore").get_data(as_text=True)
    assert "is the same as the current version: there is nothing to restore" in html
    assert "Restore this revision" not in html


def test_unknown_revisions_are_a_plain_404(curator):
    event = seeded(PLAIN)
    assert curator.get(f"/admin/events/{event.id}/history/7/restore").status_code == 404
    assert curator.get(f"/admin/events/{event.id}/history/99999999999999999999/restore").status_code == 404
    assert curator.post(f"/admin/events/{event.id}/history/7/restore", {"version": "1"}).status_code == 404


def test_eras_have_a_history_and_can_be_restored(curator):
    era = db.session.scalar(select(Era).where(Era.slug == FIXTURE.mine_era))
    url = f"/admin/eras/{era.id}/edit"
    opened = form_values(curator.get(url).get_data(as_text=True), url)
    assert curator.post(url, opened | {"name": "Down the mine"}).status_code == 302
    html = curator.get(f"/admin/eras/{era.id}/history").get_data(as_text=True)
    assert "Name | [removed: Underground] | [added: Down the mine]" in rows(html)
    restore = f"/admin/eras/{era.id}/history/1/restore"
    response = curator.post(restore, form_values(curator.get(restore).get_data(as_text=True), restore))
    assert response.status_code == 302
    db.session.refresh(era)
    assert era.name == "Underground"
    assert revisions.history(era)[0].note == "Restored revision 1"


def test_a_restore_whose_web_address_is_taken_now_is_refused_and_changes_nothing(curator):
    event = seeded(PLAIN)
    edit_event(curator, event, slug="norms-rise")
    assert curator.post("/admin/events/new", event_form(slug=PLAIN)).status_code == 302
    url = f"/admin/events/{event.id}/history/1/restore"
    response = curator.post(url, form_values(curator.get(url).get_data(as_text=True), url))
    assert response.status_code == 409
    assert f"The web address {PLAIN} is now used by something else" in response.get_data(as_text=True)
    db.session.refresh(event)
    assert event.slug == "norms-rise" and revisions.history(event)[0].number == event.version
