"""The audit log page: for the admin role only, newest first, filtered by action, user and dates, paged."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from kiosk.extensions import db
from kiosk.models import AuditEntry

from ..fixture_timeline import DOCUMENT, FIXTURE


def entries(html: str) -> list[tuple[str, str, str, str]]:
    """(when, who, what, item) of each row shown."""
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.DOTALL)
    found = []
    for row in re.findall(r"<tr>(.*?)</tr>", body.group(1) if body else "", re.DOTALL):
        cells = [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)
        ]
        found.append(tuple(cells[:4]))
    return found


@pytest.fixture
def history():
    """A few days of work, recorded at known times."""
    for at, username, action, target in [
        (datetime(2025, 1, 9, 8, 0), "anna", "sign-in", "user anna"),
        (datetime(2025, 1, 10, 9, 30), "", "sign-in.failed", "user anna"),
        (datetime(2025, 1, 10, 10, 0), "anna", "event.save", f"event {FIXTURE.plain_event}"),
        (datetime(2025, 1, 11, 16, 45), "oleg", "import", "sheet.csv"),
        (datetime(2025, 1, 12, 7, 15), "oleg", "backup", "/data/backups/x"),
    ]:
        db.session.add(AuditEntry(at=at, username=username, action=action, target=target, address="10.0.0.7"))
    db.session.commit()


def test_editors_are_refused_with_a_clear_page(curator):
    response = curator.get("/admin/audit")
    assert response.status_code == 403
    assert "Only administrators can open this page." in response.get_data(as_text=True)
    assert curator.post("/admin/backups").status_code == 403


def test_the_admin_sees_everything_newest_first_in_plain_words(administrator, history):
    html = administrator.get("/admin/audit").get_data(as_text=True)
    shown = entries(html)
    assert shown[0][1:3] == ("boss", "Signed in")  # the admin's own sign-in, just now
    # the timeline, loaded at set-up: no curator did it
    assert shown[1][1:] == ("the server (no curator signed in)", "Imported a file", DOCUMENT.name)
    assert shown[2:] == [
        ("2025-01-12 07:15 UTC", "oleg", "Made a backup", "/data/backups/x"),
        ("2025-01-11 16:45 UTC", "oleg", "Imported a file", "sheet.csv"),
        ("2025-01-10 10:00 UTC", "anna", "Edited an event", f"event {FIXTURE.plain_event}"),
        ("2025-01-10 09:30 UTC", "not signed in", "Failed sign-in", "user anna"),
        ("2025-01-09 08:00 UTC", "anna", "Signed in", "user anna"),
    ]
    assert "10.0.0.7" in html and 'aria-current="page">Audit log<' in html


def test_filters_by_action_user_and_dates(administrator, history):
    def shown(**query):
        return [
            (who, what)
            for _when, who, what, _item in entries(
                administrator.get("/admin/audit", query_string=query).get_data(as_text=True)
            )
        ]

    assert shown(action="sign-in.failed") == [("not signed in", "Failed sign-in")]
    # A user's entries include the failed sign-ins typed with their name.
    assert shown(user="anna") == [
        ("anna", "Edited an event"),
        ("not signed in", "Failed sign-in"),
        ("anna", "Signed in"),
    ]
    assert shown(since="2025-01-10", until="2025-01-11") == [
        ("oleg", "Imported a file"),
        ("anna", "Edited an event"),
        ("not signed in", "Failed sign-in"),
    ]
    assert shown(user="oleg", until="2025-01-11") == [("oleg", "Imported a file")]
    assert shown(action="backup", since="2025-02-01") == []
    refused = administrator.get("/admin/audit", query_string={"user": "anna\x00"})
    assert refused.status_code == 400 and "does not accept (NUL)" in refused.get_data(as_text=True)


def test_a_bad_date_is_explained_and_ignored(administrator, history):
    html = administrator.get("/admin/audit?since=10/01/2025&until=2025-01-10").get_data(as_text=True)
    assert re.search(r'id="since-error">Enter a date like 2025-03-14.</p>', html)
    assert len(entries(html)) == 3  # only the "until" filter applied
    html = administrator.get("/admin/audit?since=2025-01-11&until=2025-01-10").get_data(as_text=True)
    assert "The end date is before the start date." in html


def test_the_log_is_paged(administrator):
    for number in range(120):
        db.session.add(
            AuditEntry(
                at=datetime(2024, 1, 1, 0, number // 60, number % 60),
                action="event.save",
                username="anna",
                target=f"event number-{number}",
            )
        )
    db.session.commit()
    first = administrator.get("/admin/audit?user=anna").get_data(as_text=True)
    assert len(entries(first)) == 50 and entries(first)[0][3] == "event number-119"
    assert "120 entries match · page 1 of 3" in first
    assert 'href="/admin/audit?page=2&amp;user=anna"' in first and "← Newer" not in first
    last = administrator.get("/admin/audit?user=anna&page=3").get_data(as_text=True)
    assert [row[3] for row in entries(last)] == [f"event number-{n}" for n in range(19, -1, -1)]
    assert "Older →" not in last
    assert administrator.get("/admin/audit?page=99999999999").status_code == 200


def test_filtering_over_htmx_answers_with_the_results_only(administrator, history):
    response = administrator.get("/admin/audit?action=import", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert html.startswith('<div id="audit-results"') and "Imported a file" in html
    assert "HX-Request" in response.headers["Vary"]
