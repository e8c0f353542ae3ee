"""What kiosks send: visitor events stored once each, bad batches refused whole, days summed and expired."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from kiosk.extensions import db
from kiosk.models import AnalyticsDay, DailyTotal, KioskStation, VisitorEvent, utcnow
from kiosk.telemetry import analytics

from .fixture_timeline import FIXTURE
from .visits import a_visit, event, heartbeat, now_ms, send


def stored() -> int:
    return db.session.scalar(select(func.count(VisitorEvent.id)))


def test_a_batch_is_stored_and_a_batch_sent_again_is_not_counted_twice(client):
    visit = a_visit(now_ms() - 200_000)
    first = send(client, visit)
    assert first.status_code == 202
    assert first.json == {"stored": 6, "duplicates": 0, "expired": 0}
    again = send(client, [*visit[:3], event("era", now_ms() - 1000, subject=FIXTURE.record_era)])
    assert again.json == {"stored": 1, "duplicates": 3, "expired": 0}
    assert stored() == 7
    assert "Set-Cookie" not in first.headers


def test_nothing_personal_is_stored(client):
    send(client, a_visit(now_ms() - 200_000), environ_base={"REMOTE_ADDR": "192.0.2.77"})
    columns = {column.name for column in VisitorEvent.__table__.columns}
    assert columns == {"id", "uid", "kiosk", "session", "type", "subject", "value_ms", "at", "day", "hour"}
    assert "192.0.2.77" not in json.dumps(
        [list(row) for row in db.session.execute(select(VisitorEvent)).all()], default=str
    )


BAD_BATCHES = {
    "unknown type": lambda at: [event("clicked-an-ad", at)],
    "personal field": lambda at: [event("swipe", at) | {"email": "a@b.c"}],
    "not an id": lambda at: [event("swipe", at) | {"id": "'; DROP TABLE"}],
    "subject with markup": lambda at: [event("open", at, subject="<script>")],
    "negative reading time": lambda at: [event("open", at, subject="x", ms=-5)],
    "from the future": lambda at: [event("swipe", at + 3_600_000)],
    "too many": lambda at: [event("swipe", at) for _ in range(analytics.MAX_BATCH_EVENTS + 1)],
}


@pytest.mark.parametrize("problem", BAD_BATCHES)
def test_a_bad_batch_is_refused_whole_with_the_reason(client, problem):
    good = a_visit(now_ms() - 200_000)
    response = send(client, good + BAD_BATCHES[problem](now_ms() - 100))
    assert response.status_code == 400
    assert response.json["error"]
    assert stored() == 0


@pytest.mark.parametrize(
    "body, content_type",
    [
        (b"not json", "application/json"),
        (b'["a list"]', "application/json"),
        (b'{"kiosk": "x", "sent_at": 1, "events": [], "extra": 1}', "application/json"),
        (b'{"kiosk": "x", "sent_at": 1, "events": []}', "application/json"),
        (b'{"kiosk": "no spaces allowed", "sent_at": 1, "events": []}', "application/json"),
        (b'{"kiosk": "x", "sent_at": 1, "events": []}', "text/plain"),
        (b"{" + b" " * (analytics.MAX_BATCH_BYTES + 10) + b"}", "application/json"),
    ],
)
def test_malformed_bodies_are_refused_and_never_a_server_error(client, body, content_type):
    for path in ("/analytics/events", "/fleet/heartbeat"):
        response = client.post(path, data=body, content_type=content_type)
        assert response.status_code == 400, path
        assert response.is_json
    assert stored() == 0


def test_reports_from_another_site_are_refused(client):
    response = send(
        client,
        a_visit(now_ms() - 200_000),
        headers={"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"},
    )
    assert response.status_code == 403
    assert stored() == 0


def test_a_kiosk_sending_far_too_often_is_asked_to_wait(client):
    answers = [send(client, [event("swipe", now_ms() - 10)]).status_code for _ in range(70)]
    assert answers[:60] == [202] * 60
    assert 429 in answers[60:]


def test_a_kiosk_with_a_wrong_clock_is_put_right(client):
    """The kiosk's clock is an hour slow: its times are moved by the difference to ours."""
    slow = 3_600_000
    send(client, [event("swipe", now_ms() - 5_000 - slow)], sent_at=now_ms() - slow)
    recorded = db.session.scalar(select(VisitorEvent.at))
    assert abs((utcnow() - recorded).total_seconds() - 5) < 3


def test_events_older_than_the_retention_period_are_dropped_not_refused(client, app):
    app.config["ANALYTICS_RETENTION_DAYS"] = 10
    old = now_ms(utcnow() - timedelta(days=12))
    response = send(client, [event("swipe", old), event("swipe", now_ms() - 1_000)])
    assert response.json == {"stored": 1, "duplicates": 0, "expired": 1}


def test_the_report_counts_sessions_reading_and_where_visitors_leave(client):
    start = now_ms() - 600_000
    send(client, a_visit(start) + a_visit(start + 200_000, session="b" * 32))
    report = analytics.report(analytics.today(), analytics.today())
    assert report.sessions == 2
    assert report.median_session_seconds == 61  # first touch to the end of the last read, in whole seconds
    assert dict(report.session_lengths) == {
        "under 30 s": 0,
        "30 s – 1 min": 0,
        "1–2 min": 2,
        "2–5 min": 0,
        "5–10 min": 0,
        "10 min or more": 0,
    }
    assert report.attract_interruptions == 2 and report.attract_starts == 2
    opened = {item["slug"]: item for item in report.top_opened}
    record = FIXTURE.record_event
    assert opened[record]["opens"] == 2
    assert opened[record]["reading_seconds"] == 80
    assert opened[record]["headline"] == "102 tonnes in one night"
    assert report.top_read[0]["slug"] == record
    assert report.last_seen == [{"slug": record, "headline": "102 tonnes in one night", "sessions": 2}]
    assert report.interactions == 6  # two opens and a swipe each
    assert ("swipe", "next", 2) in report.other_actions


def test_finished_days_are_summed_once_and_again_when_late_events_arrive(client, app):
    yesterday = utcnow() - timedelta(days=1)
    send(client, a_visit(now_ms(yesterday)))
    day = analytics.local_time(yesterday).date()
    assert analytics.roll_up().days == [day]
    assert analytics.roll_up().days == []  # nothing new: nothing to do
    sessions = select(DailyTotal.count).where(DailyTotal.day == day, DailyTotal.metric == "sessions")
    assert db.session.scalar(sessions) == 1

    # A kiosk that was offline sends yesterday's second visitor today.
    send(client, a_visit(now_ms(yesterday) + 300_000, session="c" * 32))
    assert db.session.get(AnalyticsDay, day).stale
    assert analytics.roll_up().days == [day]
    assert db.session.scalar(sessions) == 2
    assert analytics.report(day, day).sessions == 2


def test_raw_events_past_the_retention_period_leave_their_daily_totals_behind(client, app):
    long_ago = utcnow() - timedelta(days=5)
    send(client, a_visit(now_ms(long_ago)))
    app.config["ANALYTICS_RETENTION_DAYS"] = 3
    done = analytics.roll_up()
    assert done.expired_events == 6
    assert stored() == 0
    day = analytics.local_time(long_ago).date()
    report = analytics.report(day, day)
    assert report.sessions == 1
    assert report.top_opened[0]["reading_seconds"] in (20, 40)


def test_the_rollup_command(client, runner):
    send(client, a_visit(now_ms(utcnow() - timedelta(days=2))))
    result = runner.invoke(args=["analytics", "rollup"])
    assert result.exit_code == 0, result.output
    assert "Summed 1 day" in result.output


def test_a_kiosk_reporting_in_is_listed_and_updated(client):
    assert client.post("/fleet/heartbeat", json=heartbeat()).json == {
        "heartbeat_seconds": 60,
        "send_seconds": 15,
    }
    error = {"message": "TypeError: x is undefined (kiosk.js:12)", "at": now_ms() - 1_000}
    response = client.post("/fleet/heartbeat", json=heartbeat(error=error, queued=0))
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    station = db.session.scalar(select(KioskStation))
    assert (station.name, station.queued, station.screen) == ("gallery-3", 0, "1920x1080")
    assert station.last_error == "TypeError: x is undefined (kiosk.js:12)"
    assert station.first_seen <= station.last_seen


@pytest.mark.parametrize(
    "fields",
    [
        {"screen": "huge"},
        {"online": "yes"},
        {"version": "<b>"},
        {"error": {"message": "", "at": 1}},
        {"queued": -1},
    ],
)
def test_a_bad_report_is_refused_and_changes_nothing(client, fields):
    response = client.post("/fleet/heartbeat", json=heartbeat(**fields))
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(KioskStation.id))) == 0


def test_visitor_pages_still_set_no_cookie_and_load_the_analytics_script_later(client):
    page = client.get("/?kiosk=gallery-3")
    assert "Set-Cookie" not in page.headers
    html = page.get_data(as_text=True)
    assert 'data-analytics="/static/' in html
    assert html.count("<script") == 2  # htmx and kiosk.js; analytics.js comes after the first paint
    assert any("analytics" in url for url in client.get("/offline.json").json["shell"])
