"""The import and export page: upload, read the dry run, confirm; downloads; backups for the admin role."""

from __future__ import annotations

import json
import os
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from io import BytesIO
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kiosk.extensions import db
from kiosk.interchange import backup, exporters
from kiosk.models import AuditEntry, Event, Status

from ..fixture_timeline import FIXTURE
from ..helpers import make_user
from ..interop import BAD_SHEET, DATA, GOOD_SHEET
from .conftest import Curator, form_values, staged, upload


def event_count() -> int:
    return db.session.scalar(select(func.count(Event.id)))


def items(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(r"<li>(.*?)</li>", html, re.DOTALL)]


def test_the_page_offers_upload_and_downloads_but_backups_only_to_admins(curator):
    html = curator.get("/admin/import").get_data(as_text=True)
    assert 'type="file"' in html and "Check the file" in html and "at most 5 MB" in html
    for file_format in ("json", "timelinejs", "csv"):
        assert f'href="/admin/export/{file_format}"' in html
    assert "Back up now" not in html


def test_a_sheet_with_bad_rows_lists_every_problem_and_imports_nothing(curator, data_dir):
    before = event_count()
    response = upload(curator, BAD_SHEET)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nothing was imported: sheet-bad-rows.csv has 7 problems" in html
    problems = items(re.search(r'id="import-problems".*?</div>', html, re.DOTALL).group(0))
    # In the order of the rows, each named by its number and its headline.
    assert [problem.split(" (“")[0].split(":")[0] for problem in problems] == [
        f"row {n}" for n in range(3, 10)
    ]
    assert problems[1] == "row 4 (“Month thirteen”): Start date: Month must be between 1 and 12."
    assert "row 7: The headline is missing" in problems[4]
    assert "rows are counted as in a spreadsheet, the header is row 1" in html
    assert event_count() == before and staged(data_dir) == []
    assert "Confirm import" not in html


def test_a_good_sheet_is_a_dry_run_first_then_imported_as_drafts_on_confirmation(curator, data_dir, client):
    before = event_count()
    html = upload(curator, GOOD_SHEET).get_data(as_text=True)
    assert "Dry run of sheet-good.csv: nothing has been imported yet" in html
    assert "4 created, 1 updated, 0 skipped" in html
    assert any(item.endswith("(1927-brakeman-horse-driver-coal-cutter)") for item in items(html))
    assert any("kept as a reference only" in item for item in items(html))  # flagged: the remote image
    assert event_count() == before  # nothing yet
    [kept] = staged(data_dir)
    confirm = form_values(html, "/admin/import/confirm")
    assert confirm["token"] == kept.stem and "publish" not in confirm  # publishing is off unless chosen
    assert str(data_dir) not in html  # the browser gets a token, never a path

    html = curator.post("/admin/import/confirm", confirm).get_data(as_text=True)
    assert "Imported sheet-good.csv" in html and "New events are drafts" in html
    assert event_count() == before + 3
    brakeman = db.session.scalar(select(Event).where(Event.slug == "1927-brakeman-horse-driver-coal-cutter"))
    assert brakeman.status == Status.DRAFT
    assert client.get(f"/events/{brakeman.slug}").status_code == 404
    entry = db.session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()))
    assert (entry.action, entry.target, entry.username) == ("import", "sheet-good.csv", "curator")
    assert staged(data_dir) == []
    # Confirming twice (a double click, the back button) imports nothing more.
    again = curator.post("/admin/import/confirm", confirm)
    assert "expired or was imported already" in curator.get(again.headers["Location"]).get_data(as_text=True)
    assert event_count() == before + 3


def test_publishing_on_import_is_a_choice(curator, client):
    html = upload(curator, GOOD_SHEET).get_data(as_text=True)
    curator.post("/admin/import/confirm", form_values(html, "/admin/import/confirm") | {"publish": "y"})
    assert client.get("/events/1927-brakeman-horse-driver-coal-cutter").status_code == 200


def test_the_confirmation_checks_the_file_again(curator, data_dir, server):
    html = upload(curator, GOOD_SHEET).get_data(as_text=True)
    confirm = form_values(html, "/admin/import/confirm")
    # Between the dry run and the confirmation, the rules change: the timeline now starts in 1930.
    server.config["TIMELINE_START_YEAR"] = 1930
    before = event_count()
    response = curator.post("/admin/import/confirm", confirm)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert (
        "Nothing was imported" in html
        and "1927 is before the timeline starts in 1930 (the setting KIOSK_TIMELINE_START_YEAR)" in html
    )
    assert event_count() == before and staged(data_dir) == []


def test_a_token_from_elsewhere_is_refused(curator, server, data_dir):
    make_user("anna")
    colleague = Curator(server.test_client())
    colleague.sign_in("anna")
    html = upload(colleague, GOOD_SHEET).get_data(as_text=True)
    token = form_values(html, "/admin/import/confirm")["token"]
    before = event_count()
    for stolen in (token, "../../kiosk.sqlite3", "", "x" * 32):
        response = curator.post("/admin/import/confirm", {"token": stolen})
        assert response.headers["Location"] == "/admin/import", stolen
    assert event_count() == before and len(staged(data_dir)) == 1


def test_an_old_upload_expires(curator, data_dir, server):
    server.config["IMPORT_QUOTA_USER_FILES"] = 1
    html = upload(curator, GOOD_SHEET).get_data(as_text=True)
    [kept] = staged(data_dir)
    an_hour_and_more = time.time() - 3700
    os.utime(kept, (an_hour_and_more, an_hour_and_more))
    before = event_count()
    curator.post("/admin/import/confirm", form_values(html, "/admin/import/confirm"))
    assert event_count() == before
    # The next upload clears expired ones away (record and bytes), and they no longer count to the quota.
    assert upload(curator, GOOD_SHEET).status_code == 200
    assert kept not in staged(data_dir) and not kept.with_suffix(".upload").exists()
    assert len(staged(data_dir)) == 1


def stored_bytes(data_dir: Path) -> dict[str, bytes]:
    """Everything in the imports folder but the lock, by name."""
    folder = data_dir / "imports"
    return {path.name: path.read_bytes() for path in folder.iterdir() if path.name != ".lock"}


def test_a_curator_past_the_file_quota_is_told_why_stores_nothing_and_can_make_room(
    curator, server, data_dir
):
    server.config["IMPORT_QUOTA_USER_FILES"] = 2
    upload(curator, GOOD_SHEET)
    upload(curator, GOOD_SHEET)
    before = stored_bytes(data_dir)
    response = upload(curator, GOOD_SHEET)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "That file was not kept" in html
    assert (
        "You already have 2 uploads waiting for confirmation (1.7 KB); one curator may keep at most 2" in html
    )
    assert "Nothing was stored. The oldest of them expires in 60 minutes." in html
    assert "Dry run of" not in html and stored_bytes(data_dir) == before

    assert "Discard my waiting uploads" in html
    response = curator.post("/admin/import/withdraw", form_values(html, "/admin/import/withdraw"))
    assert "Discarded 2 waiting uploads." in curator.get(response.headers["Location"]).get_data(as_text=True)
    assert staged(data_dir) == []
    assert "Dry run of sheet-good.csv" in upload(curator, GOOD_SHEET).get_data(as_text=True)


def test_the_byte_quota_counts_exact_bytes(curator, server, data_dir):
    size = len(GOOD_SHEET.read_bytes())
    server.config["IMPORT_QUOTA_USER_BYTES"] = 2 * size  # two fit exactly, not a byte more
    assert upload(curator, GOOD_SHEET).status_code == 200
    assert upload(curator, GOOD_SHEET).status_code == 200
    assert sum(path.stat().st_size for path in (data_dir / "imports").glob("*.upload")) == 2 * size
    refused = upload(curator, GOOD_SHEET, data=b"x")
    assert refused.status_code == 422 and "You already have 2 uploads waiting" in refused.get_data(
        as_text=True
    )

    server.config["IMPORT_QUOTA_USER_BYTES"] = 1000
    too_big = upload(curator, GOOD_SHEET, data=b"x" * 1001).get_data(as_text=True)
    assert "This file (1001 bytes) is larger than the 1000 bytes that may wait for confirmation." in too_big
    assert "Discard my waiting uploads" not in too_big  # discarding would not help
    assert len(staged(data_dir)) == 2


def test_the_total_quota_holds_for_everyone_and_nobody_can_discard_anothers_uploads(
    curator, server, data_dir
):
    make_user("anna")
    colleague = Curator(server.test_client())
    colleague.sign_in("anna")
    html = upload(colleague, GOOD_SHEET).get_data(as_text=True)
    server.config["IMPORT_QUOTA_TOTAL_FILES"] = 1
    response = upload(curator, GOOD_SHEET)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The server is holding all the uploads it may keep waiting for confirmation" in page
    assert "at most 1 files and 100 MB, from all curators" in page
    assert "Discard my waiting uploads" not in page
    # Neither "discard mine" nor anna's token in someone else's hands removes anna's upload.
    curator.post("/admin/import/withdraw", {})
    curator.post("/admin/import/withdraw", {"token": form_values(html, "/admin/import/confirm")["token"]})
    assert len(staged(data_dir)) == 1


def test_cancelling_a_dry_run_forgets_the_upload(curator, data_dir):
    html = upload(curator, GOOD_SHEET).get_data(as_text=True)
    assert 'formaction="/admin/import/withdraw"' in html
    response = curator.post("/admin/import/withdraw", form_values(html, "/admin/import/confirm"))
    assert "Cancelled: nothing was imported from that file." in curator.get(
        response.headers["Location"]
    ).get_data(as_text=True)
    assert staged(data_dir) == [] and stored_bytes(data_dir) == {}


def test_quotas_have_safe_defaults(app):
    assert {name: app.config[name] for name in app.config if name.startswith("IMPORT_QUOTA_")} == {
        "IMPORT_QUOTA_USER_FILES": 10,
        "IMPORT_QUOTA_USER_BYTES": 25 * 1024 * 1024,
        "IMPORT_QUOTA_TOTAL_FILES": 50,
        "IMPORT_QUOTA_TOTAL_BYTES": 100 * 1024 * 1024,
    }


def test_empty_missing_and_oversized_files_are_explained(curator, server):
    missing = curator.post("/admin/import", {})
    assert missing.status_code == 422 and "Choose a file to import." in missing.get_data(as_text=True)
    empty = upload(curator, GOOD_SHEET, data=b"  \n")
    assert "That file is empty." in empty.get_data(as_text=True)
    server.config["IMPORT_MAX_BYTES"] = 100
    large = upload(curator, GOOD_SHEET)
    assert large.status_code == 422
    assert "That file is too large: imports can be at most 100 bytes." in large.get_data(as_text=True)


def test_a_file_that_is_no_timeline_is_refused_plainly(curator):
    response = upload(curator, GOOD_SHEET, name="photo.png", data=b"\x89PNG\r\n\x1a\n\x00\x00")
    assert response.status_code == 422
    assert "Nothing was imported" in response.get_data(as_text=True)


def test_downloads_are_the_exports(curator, app):
    for file_format in ("json", "timelinejs", "csv"):
        response = curator.get(f"/admin/export/{file_format}")
        assert response.status_code == 200
        assert response.headers["Content-Disposition"].startswith('attachment; filename="timeline-')
        assert response.data == exporters.export(file_format)
    assert json.loads(curator.get("/admin/export/json").data)["format"] == "kiosk-timeline"
    assert curator.get("/admin/export/xml").status_code == 404


@pytest.mark.sqlite_only  # backups copy the SQLite file; PostgreSQL has its own tools
def test_the_admin_backs_up_now_and_sees_the_backups(administrator, data_dir):
    response = administrator.post("/admin/backups")
    assert response.headers["Location"] == "/admin/backups"
    [made] = list((data_dir / "backups").iterdir())
    manifest = json.loads((made / "manifest.json").read_text())
    assert manifest["events"] == len(FIXTURE.event_slugs) and (made / "kiosk.sqlite3").is_file()
    html = administrator.get("/admin/backups").get_data(as_text=True)
    assert f"to {made.name}," in html and f"<code>{made.name}</code>" in html
    entry = db.session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()))
    assert (entry.action, entry.username) == ("backup", "boss")
    administrator.post("/admin/backups")  # a second one in the same second gets its own folder
    assert len(list((data_dir / "backups").iterdir())) == 2


def test_a_backup_that_cannot_be_made_says_why_and_changes_nothing(administrator, data_dir, monkeypatch):
    def refuse(target, **options):
        raise backup.BackupError("The disk is full.")

    monkeypatch.setattr(backup, "backup", refuse)
    response = administrator.post("/admin/backups")
    html = administrator.get(response.headers["Location"]).get_data(as_text=True)
    assert "The backup could not be made; nothing was changed. The disk is full." in html
    assert not (data_dir / "backups").exists() or not any((data_dir / "backups").iterdir())


def test_editors_cannot_back_up(curator, data_dir):
    assert curator.post("/admin/backups").status_code == 403
    assert not (data_dir / "backups").exists()


def test_every_problem_of_every_item_is_listed_on_the_page(curator):
    slides = [
        {"start_date": [1935], "text": {"headline": ["a"]}, "media": "x.jpg"},
        {"start_date": {"year": -44}, "text": {"headline": "Ides"}, "background": {"url": "javascript:x"}},
    ]
    response = upload(curator, GOOD_SHEET, name="bad.json", data=json.dumps({"events": slides}).encode())
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    problems = items(re.search(r'id="import-problems".*?</div>', html, re.DOTALL).group(0))
    first = [problem for problem in problems if problem.startswith("events item 1: ")]
    second = [problem for problem in problems if problem.startswith("events item 2 (“Ides”): ")]
    assert len(first) == 3 and len(second) == 2, problems
    assert any("headline must be text" in problem for problem in first)
    assert any("start_date must be an object with a year" in problem for problem in first)
    assert any("media must be an object with a url" in problem for problem in first)
    assert any("does not support dates before the Common Era" in problem for problem in second)
    assert any("must start with http:// or https://" in problem for problem in second)
    # A JSON file's problems are counted by item, not as a spreadsheet's rows.
    assert "items are counted from 1" in html and "rows are counted as in a spreadsheet" not in html


@pytest.mark.parametrize(
    "data",
    [
        b'{"events": ' + b"[" * 1000 + b"]" * 1000 + b"}",
        b'{"format": "kiosk-timeline", "version": 1, "eras": [{"slug": "a", "name": "A", "colour": 5}]}',
        b'{"events": [{"start_date": {"year": 1935}, "text": {"headline": "A"}, "media": "x.jpg"}]}',
    ],
    ids=["nested 1000 deep", "era colour 5", "media as a string"],
)
def test_odd_files_get_problems_not_a_server_error(curator, data):
    response = upload(curator, GOOD_SHEET, name="odd.json", data=data)
    assert response.status_code == 422
    assert "Nothing was imported" in response.get_data(as_text=True)


@pytest.mark.parametrize("fixture", ["timelinejs-template-features.json", "sheet-template-features.csv"])
def test_a_timelinejs_template_file_imports_through_the_page_and_again_changes_nothing(
    curator, server, fixture
):
    server.config |= {"TIMELINE_START_YEAR": 1900, "TIMELINE_END_YEAR": 2030}
    path = DATA / fixture
    html = upload(curator, path).get_data(as_text=True)
    assert "Dry run of" in html
    checks = " ".join(items(html))
    assert "HTML embedded from another site" in checks and "The slide has no headline" in checks
    curator.post("/admin/import/confirm", form_values(html, "/admin/import/confirm"))
    again = upload(curator, path).get_data(as_text=True)
    assert "0 created, 0 updated" in again


def test_uploads_at_the_same_moment_cannot_pass_the_quota_together(curator, server, data_dir):
    """Workers stage into one folder: the count and the write happen under one lock."""
    server.config["IMPORT_QUOTA_USER_FILES"] = 3
    browsers = [Curator(server.test_client()) for _number in range(6)]
    for browser in browsers:
        browser.sign_in()
    tokens = [browser.token() for browser in browsers]
    together = threading.Barrier(len(browsers))

    def check(browser: Curator, token: str) -> int:
        together.wait()
        data = {"file": (BytesIO(GOOD_SHEET.read_bytes()), GOOD_SHEET.name), "csrf_token": token}
        return browser.client.post("/admin/import", data=data).status_code

    with ThreadPoolExecutor(len(browsers)) as pool:
        statuses = list(pool.map(check, browsers, tokens))
    assert sorted(statuses) == [200] * 3 + [422] * 3
    assert len(staged(data_dir)) == 3


def test_the_csv_download_names_its_charset_once(curator):
    response = curator.get("/admin/export/csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
