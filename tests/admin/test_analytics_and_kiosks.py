"""The Analytics and Kiosks pages: for every curator (not for anyone else), readable without JavaScript, in
words a curator uses and on the museum's clock; administrators enrol kiosks and set the opening hours."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from kiosk.extensions import db
from kiosk.models import AuditEntry, ContentState, KioskStation, Setting, utcnow
from kiosk.telemetry import analytics, fleet
from kiosk.telemetry.fleet import DAY_NAMES

from ..fixture_timeline import FIXTURE
from ..visits import a_visit, enrol, event, museum_noon, museum_time, now_ms, report_in, send, stopped_clock
from .conftest import form_values

RECORD_HEADLINE = "102 tonnes in one night"  # FIXTURE.record_event's


@pytest.fixture
def at_noon(server):
    """For the tests that read today's figures: a visit of a few minutes ago is today's at any hour."""
    museum_noon(server)


@pytest.fixture
def kiosk_client(server):
    """A kiosk's browser: no curator's cookie."""
    return server.test_client()


@pytest.mark.parametrize("path", ["/admin/analytics", "/admin/analytics.csv", "/admin/kiosks"])
def test_anonymous_visitors_are_sent_to_sign_in(visitor, path):
    response = visitor.get(path)
    assert response.status_code == 302
    assert "/admin/login" in response.headers["Location"]


def test_an_editor_reads_the_analytics_as_charts_and_tables(curator, server, kiosk_client, at_noon):
    kiosk = enrol(server)
    send(kiosk_client, kiosk, a_visit(now_ms() - 600_000) + a_visit(now_ms() - 400_000, session="b" * 32))
    page = curator.get("/admin/analytics")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert re.search(r'data-figure="sessions">2<', html)
    assert re.search(r'data-figure="median">1 min 02 s<', html)
    assert re.search(r'data-figure="interruptions">2<', html)
    # Charts are images with a title and a description, drawn without script.
    charts = re.findall(r'<svg class="chart[^"]*" role="img" aria-labelledby="([\w-]+)-title \1-desc"', html)
    assert {"chart-days", "chart-hours", "chart-lengths", "chart-opened", "chart-read", "chart-last"} <= set(
        charts
    )
    row = re.search(rf'<tr data-event="{FIXTURE.record_event}">(.*?)</tr>', html, re.S).group(1)
    assert RECORD_HEADLINE in row and "data-opens>2<" in row and "1 min 20 s" in row
    assert 'id="table-last"' in html
    assert ": 2 sessions</title>" in html and ": 2 times</title>" in html


def test_one_of_anything_is_said_in_the_singular(curator, server, kiosk_client, at_noon):
    send(kiosk_client, enrol(server), a_visit(now_ms() - 600_000))
    html = curator.get("/admin/analytics").get_data(as_text=True)
    assert ": 1 session</title>" in html and ": 1 time</title>" in html
    assert "1 sessions" not in html and "1 times" not in html and "1 opens" not in html


def test_the_period_and_kiosk_filter_the_figures_and_kiosks_go_by_their_names(
    curator, server, kiosk_client, at_noon
):
    send(kiosk_client, enrol(server, "gallery-3"), a_visit(now_ms() - 600_000))
    send(kiosk_client, enrol(server, "foyer"), a_visit(now_ms() - 600_000, session="c" * 32))
    with server.app_context():
        fleet.rename("foyer", "The foyer, by the lamp")
        db.session.commit()
    html = curator.get("/admin/analytics?kiosk=foyer").get_data(as_text=True)
    assert re.search(r'data-figure="sessions">1<', html)
    assert '<option value="foyer" selected>The foyer, by the lamp (foyer)</option>' in html
    assert "The foyer, by the lamp" in re.search(r'class="results__count"[^>]*>(.*?)·', html, re.S).group(1)
    yesterday = (analytics.today() - timedelta(days=1)).isoformat()
    old = curator.get(f"/admin/analytics?since={yesterday}&until={yesterday}").get_data(as_text=True)
    assert re.search(r'data-figure="sessions">0<', old)


def test_language_choices_are_listed_by_the_languages_own_names(curator, server, kiosk_client, at_noon):
    visit = [event("session-start", now_ms() - 5_000), event("language", now_ms() - 4_000, subject="uk")]
    send(kiosk_client, enrol(server), visit)
    html = curator.get("/admin/analytics").get_data(as_text=True)
    row = re.search(r'<tr data-action="language" data-subject="uk">(.*?)</tr>', html, re.S).group(1)
    assert '<span lang="uk">Українська</span>' in row and ">1<" in row


def test_a_mistyped_period_is_explained_not_an_error(curator):
    response = curator.get("/admin/analytics?since=yesterday&until=2020-01-01")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Enter a date like 2025-03-14." in html


def test_the_fragment_for_htmx_is_the_report_alone(curator):
    response = curator.get("/admin/analytics", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="analytics-report"')
    assert "HX-Request" in response.headers["Vary"]


def test_the_csv_is_streamed_with_every_daily_total_of_each_kiosk(curator, server, kiosk_client, at_noon):
    send(kiosk_client, enrol(server), a_visit(now_ms() - 600_000))
    response = curator.get("/admin/analytics.csv")
    assert response.is_streamed
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    opens = {row["subject"]: row for row in rows if row["metric"] == "open"}
    assert opens[FIXTURE.birth_event]["count"] == "1"
    assert float(opens[FIXTURE.birth_event]["total_seconds"]) == 20.0
    assert {row["kiosk"] for row in rows} == {"gallery-3"}  # the totals of every kiosk together are sums
    sessions = [row for row in rows if row["metric"] == "sessions"]
    assert [(row["count"], row["total_seconds"]) for row in sessions] == [("1", "61.5")]


def kiosk_row(html: str, name: str) -> str:
    return re.search(rf'<tr id="kiosk-{name}".*?</tr>', html, re.S).group(0)


def test_the_kiosks_page_warns_about_a_silent_kiosk_and_one_reporting_errors(curator, server, kiosk_client):
    server.config.update(OPENING_HOURS="", SILENCE_SECONDS=300)
    report_in(kiosk_client, enrol(server, "foyer"))
    report_in(kiosk_client, enrol(server, "gallery-3"), error={"message": "TypeError: boom", "at": now_ms()})
    report_in(kiosk_client, enrol(server, "stairs"))
    station = db.session.scalar(select(KioskStation).where(KioskStation.name == "stairs"))
    station.last_seen = utcnow() - timedelta(minutes=20)
    db.session.get(ContentState, 1).changed_at = utcnow() - timedelta(hours=1)  # published long ago
    db.session.commit()

    html = curator.get("/admin/kiosks").get_data(as_text=True)
    assert "3 kiosks need a look" in html  # none shows the server's current version
    assert "Silent during opening hours" in kiosk_row(html, "stairs")
    gallery = kiosk_row(html, "gallery-3")
    assert "Reports errors" in gallery and "TypeError: boom" in gallery
    foyer = kiosk_row(html, "foyer")
    assert "Silent" not in foyer and "Shows an old version" in foyer
    assert "No error reported" in foyer and "None" not in foyer


def test_a_kiosk_catching_up_with_a_fresh_publish_is_not_a_worry_and_not_up_to_date(
    curator, server, kiosk_client
):
    kiosk = enrol(server, "foyer")
    shown_version = server.test_client().get("/").get_data(as_text=True)
    version = re.search(r'data-kiosk-version="([^"]+)"', shown_version).group(1)
    report_in(kiosk_client, kiosk, version=version)  # current: the server notes when it was published
    published = db.session.get(ContentState, 1).changed_at
    state = db.session.get(ContentState, 1)
    state.version, state.changed_at = state.version + 1, utcnow() - timedelta(minutes=1)  # a publish
    db.session.commit()
    report_in(kiosk_client, kiosk, version=version)
    html = curator.get("/admin/kiosks").get_data(as_text=True)
    assert "Taking up a publish" in kiosk_row(html, "foyer")
    assert "1 is taking up a publish" in html
    assert "up to date" not in html and "need a look" not in html and "needs a look" not in html
    assert version not in kiosk_row(html, "foyer")  # what it shows, in a curator's words
    assert f"The timeline as published {fleet.local_label(published)}" in kiosk_row(html, "foyer")


def test_the_kiosks_page_speaks_of_analytics_records_and_times_on_the_museums_clock(
    curator, server, kiosk_client
):
    server.config.update(TIMEZONE="Asia/Tokyo")
    seen = stopped_clock(server, at=museum_time(server, 10, 30))
    report_in(kiosk_client, enrol(server, "foyer"), queued=7)
    html = curator.get("/admin/kiosks").get_data(as_text=True)
    assert "Analytics records not yet sent" in html and "Events waiting" not in html
    assert "UTC" not in html and "KIOSK_OPENING_HOURS" not in html
    tokyo = seen.replace(tzinfo=UTC).astimezone(ZoneInfo("Asia/Tokyo"))
    assert tokyo.strftime("%Y-%m-%d 10:30") in kiosk_row(html, "foyer")
    assert "(Asia/Tokyo)" in html


def test_a_kiosk_silent_outside_opening_hours_is_not_a_worry(curator, server, kiosk_client):
    now = stopped_clock(server, at=museum_time(server, 12))
    server.config.update(OPENING_HOURS="13:00-14:00", SILENCE_SECONDS=60)
    report_in(kiosk_client, enrol(server, "stairs"))
    station = db.session.scalar(select(KioskStation))
    station.last_seen = now - timedelta(minutes=20)
    db.session.commit()
    html = curator.get("/admin/kiosks").get_data(as_text=True)
    assert "Silent during opening hours" not in html
    assert "The museum is closed now" in html  # which is why nothing is flagged


def test_a_kiosk_silent_on_the_closed_day_is_not_a_worry_but_is_on_an_open_day(curator, server, kiosk_client):
    server.config.update(TIMEZONE="Asia/Tokyo", SILENCE_SECONDS=60)
    now = stopped_clock(server, at=museum_time(server, 0, 3))  # 3 minutes into a day in Tokyo
    today = now.replace(tzinfo=UTC).astimezone(ZoneInfo("Asia/Tokyo")).weekday()  # not UTC's day
    days = [DAY_NAMES[today], DAY_NAMES[(today - 1) % 7]]  # the silence began yesterday
    report_in(kiosk_client, enrol(server, "stairs"))
    station = db.session.scalar(select(KioskStation))
    station.last_seen = now - timedelta(minutes=5)
    db.session.commit()

    server.config.update(OPENING_HOURS=f"00:00-24:00; {days[0]} closed; {days[1]} closed")
    html = curator.get("/admin/kiosks").get_data(as_text=True)
    assert "Silent during opening hours" not in html and "The museum is closed now" in html
    server.config.update(OPENING_HOURS=f"{days[0]} 00:00-24:00; {days[1]} 00:00-24:00")
    html = curator.get("/admin/kiosks").get_data(as_text=True)
    assert "Silent during opening hours" in html and "The museum is closed now" not in html


def test_the_kiosk_list_comes_a_page_at_a_time(curator, server):
    for number in range(fleet.PER_PAGE + 12):
        db.session.add(KioskStation(name=f"k{number:03d}", label="", token_hash=f"{number:064x}"))
    db.session.commit()
    first = curator.get("/admin/kiosks").get_data(as_text=True)
    assert first.count('<tr id="kiosk-') == fleet.PER_PAGE and "Page 1 of 2" in first
    second = curator.get("/admin/kiosks?page=2").get_data(as_text=True)
    assert second.count('<tr id="kiosk-') == 12 and 'id="kiosk-k061"' in second


def opening_hours_rows(html: str) -> list[tuple[str, str]]:
    table = re.search(r"<table [^>]*data-opening-hours>.*?</table>", html, re.S).group(0)
    return re.findall(r'<tr><th scope="row">([^<]+)</th><td>([^<]+)</td></tr>', table)


def test_the_kiosks_page_shows_the_opening_hours_day_by_day_in_the_curators_language(curator, server):
    late_friday = "Mon closed; Tue-Fri 10:00-18:00; Thu 10:00-21:00; Sat-Sun 10:00-19:00; Fri 10:00-01:30"
    server.config.update(OPENING_HOURS=late_friday, TIMEZONE="Europe/London")
    html = curator.get("/admin/kiosks").get_data(as_text=True)
    assert opening_hours_rows(html) == [
        ("Monday", "Closed"),
        ("Tuesday–Wednesday", "10:00–18:00"),
        ("Thursday", "10:00–21:00"),
        ("Friday", "10:00–01:30 the next day"),
        ("Saturday–Sunday", "10:00–19:00"),
    ]
    assert "by the museum's clock (Europe/London)" in html
    curator.post("/admin/language", {"lang": "ru", "next": "/admin/kiosks"})
    rows = opening_hours_rows(curator.get("/admin/kiosks").get_data(as_text=True))
    assert rows[:2] == [("Понедельник", "Закрыто"), ("Вторник–среда", "10:00–18:00")]
    assert rows[3] == ("Пятница", "10:00–01:30 следующего дня")


def test_the_kiosks_page_says_when_the_museum_is_always_open(curator, server):
    server.config.update(OPENING_HOURS="")
    html = curator.get("/admin/kiosks").get_data(as_text=True)
    assert "Always open: a kiosk that stops reporting is flagged at any hour." in html
    assert "data-opening-hours>" in html and "The museum is closed now" not in html


def hours_form(html: str) -> dict:
    """The opening hours form as a browser would send it."""
    return form_values(html, "/admin/kiosks/opening-hours")


def test_an_administrator_sets_the_opening_hours_saved_by_the_writer_and_audited(administrator, server):
    server.config.update(OPENING_HOURS="09:00-18:00")
    form = hours_form(administrator.get("/admin/kiosks").get_data(as_text=True))
    assert (form["mon_opens"], form["mon_closes"]) == ("09:00", "18:00") and "mon_closed" not in form
    version = db.session.get(ContentState, 1).version
    form |= {"mon_closed": "y", "fri_closes": "01:30", "sun_opens": "10:00", "action": "save"}
    response = administrator.post("/admin/kiosks/opening-hours", form)
    assert response.status_code == 302
    html = administrator.get("/admin/kiosks").get_data(as_text=True)
    assert ("Monday", "Closed") in opening_hours_rows(html)
    assert ("Friday", "09:00–01:30 the next day") in opening_hours_rows(html)
    assert ("Sunday", "10:00–18:00") in opening_hours_rows(html)
    assert "Set by an administrator on this page." in html
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "settings.save"))
    detail = json.loads(entry.detail)
    assert entry.target == "opening_hours" and detail["before"] == {"opening_hours": None}
    assert detail["after"]["opening_hours"].startswith("Mon closed; Tue 09:00-18:00")
    assert db.session.get(ContentState, 1).version == version  # visitors never see them

    stale = form | {"tue_closed": "y"}  # loaded before the save above
    refused = administrator.post("/admin/kiosks/opening-hours", stale, follow_redirects=True)
    assert "Someone else saved the settings a moment ago" in refused.get_data(as_text=True)
    assert ("Tuesday–Thursday", "09:00–18:00") in opening_hours_rows(refused.get_data(as_text=True))

    fresh = hours_form(administrator.get("/admin/kiosks").get_data(as_text=True))
    administrator.post("/admin/kiosks/opening-hours", fresh | {"action": "default"})
    assert db.session.get(Setting, "opening_hours").value == "null"
    html = administrator.get("/admin/kiosks").get_data(as_text=True)
    assert opening_hours_rows(html) == [("Monday–Sunday", "09:00–18:00")]


def test_mistyped_opening_hours_are_explained_and_change_nothing(administrator):
    form = hours_form(administrator.get("/admin/kiosks").get_data(as_text=True))
    response = administrator.post(
        "/admin/kiosks/opening-hours", form | {"wed_opens": "9 am", "action": "save"}
    )
    assert response.status_code == 422
    assert "Enter a time like 09:30, or tick Closed." in response.get_data(as_text=True)
    assert db.session.get(Setting, "opening_hours") is None


def test_an_editor_cannot_change_the_opening_hours_or_the_kiosks(curator, server, kiosk_client):
    report_in(kiosk_client, enrol(server, "old-screen"))
    assert curator.post("/admin/kiosks/opening-hours", {"always_open": "y"}).status_code == 403
    assert curator.post("/admin/kiosks/add", {"name": "new"}).status_code == 403
    assert curator.post("/admin/kiosks/old-screen/forget").status_code == 403
    assert curator.post("/admin/kiosks/old-screen/revoke").status_code == 403
    html = curator.get("/admin/kiosks").get_data(as_text=True)
    assert "Add a kiosk" not in html and "Change the opening hours" not in html
    assert db.session.scalar(select(KioskStation.name)) == "old-screen"


def test_an_administrator_adds_a_kiosk_and_sees_its_start_address_once(administrator, kiosk_client):
    response = administrator.post("/admin/kiosks/add", {"name": "Gallery-3", "label": "Gallery 3"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    address = re.search(r'value="([^"]+)" data-start-address', html).group(1)
    assert address.startswith("http://localhost/?kiosk=gallery-3#token=")
    token = address.split("#token=")[1]
    assert report_in(kiosk_client, {"Authorization": f"Bearer {token}"}).status_code == 200
    assert token not in administrator.get("/admin/kiosks").get_data(as_text=True)
    assert token not in administrator.get("/admin/kiosks/gallery-3").get_data(as_text=True)
    assert (
        db.session.scalar(select(AuditEntry.target).where(AuditEntry.action == "kiosk.add"))
        == "kiosk gallery-3"
    )

    again = administrator.post("/admin/kiosks/gallery-3/new-address").get_data(as_text=True)
    assert "the one it had before no longer works" in again
    assert report_in(kiosk_client, {"Authorization": f"Bearer {token}"}).status_code == 401


def test_a_mistyped_kiosk_name_is_explained(administrator):
    response = administrator.post("/admin/kiosks/add", {"name": "gallery 3"})
    assert response.status_code == 422
    assert "Use 1 to 64 letters, digits, dots, dashes or underscores" in response.get_data(as_text=True)
    assert db.session.scalar(select(KioskStation)) is None


def test_an_administrator_approves_or_refuses_a_kiosk_that_asks(administrator, kiosk_client):
    for name, token in (("gallery-3", "a" * 32), ("unknown", "b" * 32)):
        kiosk_client.post(
            "/fleet/enrol",
            json={"kiosk": name},
            headers={"Authorization": f"Bearer {token}"},
            environ_base={"REMOTE_ADDR": "192.0.2.40"},
        )
    html = administrator.get("/admin/kiosks").get_data(as_text=True)
    assert "2 kiosks ask to report" in html and 'data-waiting="gallery-3"' in html and "192.0.2.40" in html
    waiting = {request.name: request.id for request in fleet.waiting_requests()}
    administrator.post(f"/admin/kiosks/requests/{waiting['gallery-3']}/approve")
    administrator.post(f"/admin/kiosks/requests/{waiting['unknown']}/refuse")
    assert report_in(kiosk_client, {"Authorization": "Bearer " + "a" * 32}).status_code == 200
    assert report_in(kiosk_client, {"Authorization": "Bearer " + "b" * 32}).status_code == 401
    assert fleet.waiting_requests() == []
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"kiosk.approve", "kiosk.refuse"} <= actions


def test_an_administrator_names_stops_and_removes_a_kiosk(administrator, server, kiosk_client):
    kiosk = enrol(server, "old-screen")
    report_in(kiosk_client, kiosk)
    administrator.post("/admin/kiosks/old-screen/rename", {"label": "By the stairs"})
    assert "By the stairs" in kiosk_row(
        administrator.get("/admin/kiosks").get_data(as_text=True), "old-screen"
    )
    administrator.post("/admin/kiosks/old-screen/revoke")
    assert report_in(kiosk_client, kiosk).status_code == 401
    assert "May not report" in kiosk_row(
        administrator.get("/admin/kiosks").get_data(as_text=True), "old-screen"
    )
    assert administrator.post("/admin/kiosks/old-screen/forget").status_code == 302
    assert db.session.scalar(select(KioskStation)) is None


def test_a_kiosks_page_lists_the_reports_refused_from_it(curator, server, kiosk_client, at_noon):
    kiosk = enrol(server, "foyer")
    send(kiosk_client, kiosk, [event("session-start", now_ms() - 1000), event("teleported", now_ms())])
    report_in(kiosk_client, kiosk)
    html = curator.get("/admin/kiosks").get_data(as_text=True)
    assert "1 report refused" in kiosk_row(html, "foyer") and "1 kiosk needs a look" in html
    page = curator.get("/admin/kiosks/foyer").get_data(as_text=True)
    assert "events[1].type must be one of" in page
    assert analytics.report(analytics.today(), analytics.today()).sessions == 1
