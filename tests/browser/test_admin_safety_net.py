"""The curators' safety net in a real browser: two people save the same event at once and the second merges
both changes; the history shows and restores; the trash brings an event back; the audit log filters; a
file is imported after a dry run. Every one of those pages has no accessibility violations."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from kiosk.extensions import db
from kiosk.models import Event, Role

from ..fixture_timeline import FIXTURE
from ..helpers import make_user
from ..interop import BAD_SHEET, GOOD_SHEET
from .conftest import assert_accessible
from .curators import sign_in

HEADLINE, THEIRS = "Output norms go up", "Quotas are raised"
TYPED = "Factories raise their output norms, and quotas rise in every industry."

pytestmark = pytest.mark.browser


@pytest.fixture
def accounts(live_server) -> int:
    """An administrator and an editor; returns the id of the event they will both edit."""
    with live_server.app.app_context():
        make_user("curator", Role.ADMIN)
        make_user("anna", Role.EDITOR)
        event_id = db.session.scalar(select(Event.id).where(Event.slug == FIXTURE.plain_event))
        db.session.remove()
    return event_id


def test_two_curators_save_at_once_and_the_second_merges_both_changes(page, browser, live_server, accounts):
    edit_url = f"{live_server.url}/admin/events/{accounts}/edit"
    sign_in(page, live_server, "curator")
    page.goto(edit_url)
    anna = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    try:
        sign_in(anna, live_server, "anna")
        anna.goto(edit_url)
        # Both have version 1 open. Anna saves a new headline first.
        anna.get_by_label("Headline").fill(THEIRS)
        anna.get_by_role("button", name="Publish changes").click()
        expect(anna.locator(".flash--success")).to_contain_text("Published")
    finally:
        anna.context.close()

    page.get_by_label("Summary").fill(TYPED)
    page.get_by_role("button", name="Publish changes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Someone else saved “{THEIRS}” in the meantime"
    )
    headline, summary = page.get_by_role("group", name="Headline"), page.get_by_role("group", name="Summary")
    expect(headline).to_contain_text(THEIRS)  # theirs, saved
    expect(headline).to_contain_text(HEADLINE)  # the curator's, unchanged
    expect(summary).to_contain_text(TYPED)
    assert_accessible(page)

    # Writing a merged version reveals its box; choosing a side hides it again.
    summary.get_by_label("Write a merged version").check()
    expect(summary.get_by_label("Merged summary")).to_be_visible()
    summary.get_by_label("Keep your version").check()
    expect(summary.get_by_label("Merged summary")).to_be_hidden()
    headline.get_by_label("Keep the saved version").check()
    page.get_by_role("button", name="Publish the merged version").click()

    expect(page.locator(".flash--success")).to_contain_text(f"Published “{THEIRS}”")
    expect(page.get_by_label("Headline")).to_have_value(THEIRS)
    expect(page.get_by_label("Summary")).to_have_value(TYPED)

    # The history: both saves, and the way back.
    page.get_by_role("link", name="History").click()
    expect(page.get_by_role("heading", name="Changes from revision 2 to revision 3")).to_be_visible()
    expect(page.locator("#comparison del")).to_have_text(
        "[removed: many workers earn less for the same work.]"
    )
    expect(page.locator("#comparison ins")).to_have_text("[added: quotas rise in every industry.]")
    assert_accessible(page)
    page.get_by_label("Compare revision").select_option("1")
    page.get_by_label("with revision").select_option("3")
    page.get_by_role("button", name="Compare").click()
    expect(page.get_by_role("heading", name="Changes from revision 1 to revision 3")).to_be_visible()
    page.get_by_role("link", name="Restore… revision 1").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Restore revision 1")
    assert_accessible(page)
    page.get_by_role("button", name="Restore this revision").click()
    expect(page.locator(".flash--success")).to_contain_text("Restored revision 1. It is now revision 4")
    assert page.outside_requests == [] and page.errors == []


def test_trash_and_audit_log(page, live_server, accounts):
    sign_in(page, live_server, "curator")
    page.goto(f"{live_server.url}/admin/events/{accounts}/delete")
    page.get_by_role("button", name="Move to the trash").click()
    page.get_by_role("navigation", name="Admin sections").get_by_role("link", name="Trash").click()
    row = page.locator("tbody tr", has_text=HEADLINE)
    expect(row).to_contain_text("curator")
    assert_accessible(page)
    row.get_by_role("link", name="Delete permanently…").click()
    expect(page.get_by_text("This cannot be undone")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Keep it in the trash").click()
    page.locator("tbody tr", has_text=HEADLINE).get_by_role("button", name="Restore").click()
    expect(page.locator(".flash--success")).to_contain_text(f"Restored “{HEADLINE}”")
    expect(page.get_by_text("The trash is empty.")).to_be_visible()

    page.get_by_text("Administration").click()  # the administrators' pages, in a menu of their own
    page.get_by_role("link", name="Audit log").click()
    rows = page.locator("#audit-results tbody tr")
    expect(rows.first).to_contain_text("Restored an event from the trash")
    assert_accessible(page)
    page.get_by_label("What").select_option(label="Moved an event to the trash")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(f"event {FIXTURE.plain_event}")
    assert page.outside_requests == [] and page.errors == []


def test_import_a_sheet_after_reading_its_dry_run(page, live_server, accounts):
    sign_in(page, live_server, "anna")
    page.get_by_role("link", name="Import & export").click()
    assert_accessible(page)
    page.get_by_label("File to import").set_input_files(str(BAD_SHEET))
    page.get_by_role("button", name="Check the file").click()
    problems = page.locator("#import-problems")
    expect(problems).to_contain_text("Nothing was imported: sheet-bad-rows.csv has 7 problems")
    expect(problems).to_contain_text("row 9: 1850 is before the timeline starts (1906)")
    assert_accessible(page)

    page.get_by_label("File to import").set_input_files(str(GOOD_SHEET))
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("#import-report")).to_contain_text("nothing has been imported yet")
    expect(page.get_by_label("Publish the imported events")).not_to_be_checked()
    assert_accessible(page)
    page.get_by_role("button", name="Confirm import").click()
    expect(page.locator("#import-report")).to_contain_text("Imported sheet-good.csv")
    page.get_by_role("link", name="See the events").click()
    expect(page.locator("#event-results")).to_contain_text("Brakeman, horse driver, coal cutter")
    assert re.search(r"status=draft", page.url)
    assert page.outside_requests == [] and page.errors == []
