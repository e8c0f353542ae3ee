"""The Analytics and Kiosks pages: for every curator (not for anyone else), readable without JavaScript."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from kiosk.extensions import db
from kiosk.models import ContentState, KioskStation, utcnow
from kiosk.telemetry.fleet import DAY_NAMES

from ..fixture_timeline import FIXTURE
from ..visits import a_visit, heartbeat, now_ms, send


@pytest.mark.parametrize("path", ["/admin/analytics", "/admin/analytics.csv", "/admin/kiosks"])
def test_anonymous_visitors_are_sent_to_sign_in(visitor, path):
    response = visitor.get(path)
    assert response.status_code == 302
    assert "/admin/login" in response.headers["Location"]


def test_an_editor_reads_the_analytics_as_charts_and_tables(curator, client):
    send(client, a_visit(now_ms() - 600_000) + a_visit(now_ms() - 400_000, session="b" * 32))
    page = curator.get("/admin/analytics")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert re.search(r'data-figure="sessions">2<', html)
    assert re.search(r'data-figure="median">1 min 01 s<', html)
    assert re.search(r'data-figure="interruptions">2<', html)
    # Charts are images with a title and a description, drawn without script.
    charts = re.findall(r'<svg class="chart[^"]*" role="img" aria-labelledby="([\w-]+)-title \1-desc"', html)
    assert {"chart-days", "chart-hours", "chart-lengths", "chart-opened", "chart-read", "chart-last"} <= set(
        charts
    )
    row = re.search(rf'<tr data-event="{FIXTURE.record_event}">(.*?)</tr>', html, re.S).group(1)
    assert "102 tonnes in one night" in row and "data-opens>2<" in row and "1 min 20 s" in row
    assert 'id="table-last"' in html


def test_the_period_and_kiosk_filter_the_figures(curator, client):
    send(client, a_visit(now_ms() - 600_000), kiosk="gallery-3")
    send(client, a_visit(now_ms() - 600_000, session="c" * 32), kiosk="foyer")
    html = curator.get("/admin/analytics?kiosk=foyer").get_data(as_text=True)
    assert re.search(r'data-figure="sessions">1<', html)
    assert '<option value="foyer" selected>' in html
    yesterday = (utcnow() - timedelta(days=1)).date().isoformat()
    old = curator.get(f"/admin/analytics?since={yesterday}&until={yesterday}").get_data(as_text=True)
    assert re.search(r'data-figure="sessions">0<', old)


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


def test_the_csv_has_every_daily_total(curator, client):
    send(client, a_visit(now_ms() - 600_000))
    response = curator.get("/admin/analytics.csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    opens = {row["subject"]: row for row in rows if row["metric"] == "open"}
    assert opens[FIXTURE.birth_event]["count"] == "1"
    assert float(opens[FIXTURE.birth_event]["total_seconds"]) == 20.0
    assert {row["kiosk"] for row in rows} == {"gallery-3"}


def test_the_kiosks_page_warns_about_a_silent_kiosk_and_one_reporting_errors(curator, client, server):
    server.config.update(OPENING_HOURS="", SILENCE_SECONDS=300)
    client.post("/fleet/heartbeat", json=heartbeat(kiosk="foyer"))
    error = {"message": "TypeError: boom", "at": now_ms()}
    client.post("/fleet/heartbeat", json=heartbeat(kiosk="gallery-3", error=error))
    client.post("/fleet/heartbeat", json=heartbeat(kiosk="stairs"))
    station = db.session.scalar(select(KioskStation).where(KioskStation.name == "stairs"))
    station.last_seen = utcnow() - timedelta(minutes=20)
    db.session.get(ContentState, 1).changed_at = utcnow() - timedelta(hours=1)  # published long ago
    db.session.commit()

    html = curator.get("/admin/kiosks").get_data(as_text=True)
    assert "3 kiosks need a look" in html  # none shows the server's current version
    stairs = re.search(r'<tr id="kiosk-stairs".*?</tr>', html, re.S).group(0)
    assert "Silent during opening hours" in stairs
    gallery = re.search(r'<tr id="kiosk-gallery-3".*?</tr>', html, re.S).group(0)
    assert "Reports errors" in gallery and "TypeError: boom" in gallery
    foyer = re.search(r'<tr id="kiosk-foyer".*?</tr>', html, re.S).group(0)
    assert "Silent" not in foyer and "Shows an old version" in foyer


def test_a_kiosk_catching_up_with_a_fresh_publish_is_not_a_worry_yet(curator, client):
    client.post("/fleet/heartbeat", json=heartbeat(kiosk="foyer", version="1-old"))
    db.session.get(ContentState, 1).changed_at = utcnow() - timedelta(minutes=2)
    db.session.commit()
    html = curator.get("/admin/kiosks").get_data(as_text=True)
    assert "Updating after a publish" in html
    assert "need a look" not in html and "needs a look" not in html


def test_a_kiosk_silent_outside_opening_hours_is_not_a_worry(curator, client, server):
    now = utcnow()
    closed_from = (now + timedelta(hours=1)).strftime("%H:00")
    closed_until = (now + timedelta(hours=2)).strftime("%H:00")
    server.config.update(OPENING_HOURS=f"{closed_from}-{closed_until}", SILENCE_SECONDS=60)
    client.post("/fleet/heartbeat", json=heartbeat(kiosk="stairs"))
    station = db.session.scalar(select(KioskStation))
    station.last_seen = now - timedelta(minutes=20)
    db.session.commit()
    html = curator.get("/admin/kiosks").get_data(as_text=True)
    assert "Silent during opening hours" not in html
    assert "The museum is closed now" in html  # which is why nothing is flagged


def test_a_kiosk_silent_on_the_closed_day_is_not_a_worry_but_is_on_an_open_day(curator, client, server):
    server.config.update(TIMEZONE="Asia/Tokyo", SILENCE_SECONDS=60)
    today = datetime.now(ZoneInfo("Asia/Tokyo")).weekday()  # on the museum's clock, not UTC's
    days = [DAY_NAMES[today], DAY_NAMES[(today - 1) % 7]]  # the silence may have begun yesterday
    client.post("/fleet/heartbeat", json=heartbeat(kiosk="stairs"))
    station = db.session.scalar(select(KioskStation))
    station.last_seen = utcnow() - timedelta(minutes=5)
    db.session.commit()

    server.config.update(OPENING_HOURS=f"00:00-24:00; {days[0]} closed; {days[1]} closed")
    html = curator.get("/admin/kiosks").get_data(as_text=True)
    assert "Silent during opening hours" not in html and "The museum is closed now" in html
    server.config.update(OPENING_HOURS=f"{days[0]} 00:00-24:00; {days[1]} 00:00-24:00")
    html = curator.get("/admin/kiosks").get_data(as_text=True)
    assert "Silent during opening hours" in html and "The museum is closed now" not in html


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


def test_an_administrator_removes_a_kiosk_taken_out_of_service(administrator, client):
    client.post("/fleet/heartbeat", json=heartbeat(kiosk="old-screen"))
    assert administrator.post("/admin/kiosks/old-screen/forget").status_code == 302
    assert db.session.scalar(select(KioskStation)) is None


def test_an_editor_cannot_remove_a_kiosk(curator, client):
    client.post("/fleet/heartbeat", json=heartbeat(kiosk="old-screen"))
    assert curator.post("/admin/kiosks/old-screen/forget").status_code == 403
    assert db.session.scalar(select(KioskStation.name)) == "old-screen"
