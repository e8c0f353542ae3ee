"""What enrolled kiosks send: visitor events stored once each, summed as they arrive on the day their visit
started, bad events refused alone with their reason and kept, limits that hold across workers."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from kiosk.extensions import db
from kiosk.models import (
    AnalyticsDay,
    AnalyticsSession,
    DailyTotal,
    ReportCount,
    ReportRefusal,
    VisitorEvent,
    utcnow,
)
from kiosk.telemetry import analytics, contract

from .conftest import make_app
from .fixture_timeline import FIXTURE
from .visits import a_visit, batch, enrol, event, museum_noon, museum_time, now_ms, send, stopped_clock

RECORD_HEADLINE = "102 tonnes in one night"  # FIXTURE.record_event's


@pytest.fixture
def at_noon(app):
    """For the tests that read today's figures: a visit of a few minutes ago is today's at any hour."""
    museum_noon(app)


@pytest.fixture
def kiosk(app):
    return enrol(app)


def stored() -> int:
    return db.session.scalar(select(func.count(VisitorEvent.id)))


def refusals() -> list[ReportRefusal]:
    return list(db.session.scalars(select(ReportRefusal).order_by(ReportRefusal.id)))


def totals(day, kiosk: str = analytics.EVERY_KIOSK) -> dict[tuple[str, str], tuple[int, int]]:
    query = select(DailyTotal).where(DailyTotal.day == day, DailyTotal.kiosk == kiosk)
    return {(row.metric, row.subject): (row.count, row.total_ms) for row in db.session.scalars(query)}


def test_a_batch_is_stored_and_a_batch_sent_again_is_not_counted_twice(client, kiosk, at_noon):
    visit = a_visit(now_ms() - 200_000)
    first = send(client, kiosk, visit)
    assert first.status_code == 202
    assert first.json | {"server_time": 0} == {
        "stored": 6,
        "duplicates": 0,
        "expired": 0,
        "capped": 0,
        "clamped": 0,
        "refused": [],
        "server_time": 0,
    }
    again = send(client, kiosk, [*visit[:3], event("era", now_ms() - 1000, subject="the-record")])
    assert (again.json["stored"], again.json["duplicates"]) == (1, 3)
    assert stored() == 7
    assert analytics.report(analytics.today(), analytics.today()).sessions == 1
    assert "Set-Cookie" not in first.headers


def test_nothing_personal_is_stored(client, kiosk):
    send(client, kiosk, a_visit(now_ms() - 200_000), environ_base={"REMOTE_ADDR": "192.0.2.77"})
    columns = {column.name for column in VisitorEvent.__table__.columns}
    assert columns == {"id", "uid", "kiosk", "session", "type", "subject", "value_ms", "at", "day", "hour"}
    assert "192.0.2.77" not in json.dumps(
        [list(row) for row in db.session.execute(select(VisitorEvent)).all()], default=str
    )


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer " + "x" * 32}, {"Authorization": "Basic Z2FsbGVyeTpwYXNz"}],
    ids=["no token", "unknown token", "not a bearer token"],
)
def test_a_client_without_an_enrolled_token_gets_401_and_writes_nothing(client, headers):
    for path, body in (("/analytics/events", batch(a_visit(now_ms() - 200_000))), ("/fleet/heartbeat", {})):
        response = client.post(path, json=body, headers=headers)
        assert response.status_code == 401, path
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    for model in (VisitorEvent, DailyTotal, ReportCount, ReportRefusal, AnalyticsSession):
        assert db.session.scalar(select(func.count()).select_from(model)) == 0, model.__tablename__


def test_a_revoked_kiosk_can_no_longer_report(client, app, kiosk):
    from kiosk.telemetry import fleet

    assert send(client, kiosk, a_visit(now_ms() - 200_000)).status_code == 202
    fleet.revoke("gallery-3")
    db.session.commit()
    assert send(client, kiosk, a_visit(now_ms() - 100_000, session="b" * 32)).status_code == 401
    assert stored() == 6


BAD_EVENTS = {
    "unknown type": lambda at: event("clicked-an-ad", at),
    "personal field": lambda at: event("swipe", at) | {"email": "a@b.c"},
    "not an id": lambda at: event("swipe", at) | {"id": "'; DROP TABLE"},
    "subject with markup": lambda at: event("open", at, subject="<script>"),
    "negative reading time": lambda at: event("open", at, subject="x", ms=-5),
    "reading time over six hours": lambda at: event("open", at, subject="x", ms=6 * 3600 * 1000 + 1),
    "time as text": lambda at: event("swipe", at) | {"at": "yesterday"},
}


@pytest.mark.parametrize("problem", BAD_EVENTS)
def test_a_bad_event_is_refused_alone_with_its_reason_and_kept(client, kiosk, problem):
    good = a_visit(now_ms() - 200_000)
    bad = BAD_EVENTS[problem](now_ms() - 100)
    response = send(client, kiosk, [*good[:3], bad, *good[3:]])
    assert response.status_code == 202
    assert response.json["stored"] == 6
    [refused] = response.json["refused"]
    assert refused["reason"].startswith("events[3]")
    [kept] = refusals()
    assert (kept.kiosk, kept.records) == ("gallery-3", 1)
    assert json.loads(kept.body) == [bad] and kept.reason == refused["reason"]


@pytest.mark.parametrize(
    "body, reason",
    [
        (b"not json", "the body is not JSON"),
        (b'["a list"]', "must be object"),
        (b'{"sent_at": 1, "events": [{}], "extra": 1}', "must not contain"),
        (b'{"sent_at": 1, "events": []}', "events must contain at least 1 items"),
        (b'{"sent_at": 9007199254740992, "events": [{}]}', "sent_at must be smaller than or equal to"),
        (json.dumps({"sent_at": 1, "events": [{}] * 201}).encode(), "events must contain less"),
    ],
    ids=["not json", "a list", "an extra key", "no events", "sent_at past 2^53", "too many"],
)
def test_a_batch_wrong_as_a_whole_is_refused_with_the_reason_kept_and_never_a_server_error(
    client, kiosk, body, reason
):
    response = client.post("/analytics/events", data=body, content_type="application/json", headers=kiosk)
    assert response.status_code == 400
    assert reason in response.json["error"]
    assert stored() == 0
    [kept] = refusals()
    assert reason in kept.reason and kept.body == body.decode()[:8000]


@pytest.mark.parametrize(
    "body, content_type, status",
    [
        (b'{"sent_at": 1, "events": []}', "text/plain", 400),
        (b"{" + b" " * (contract.MAX_BODY_BYTES + 10) + b"}", "application/json", 413),
    ],
)
def test_a_body_that_is_not_json_or_too_large_is_refused_unread(client, kiosk, body, content_type, status):
    for path in ("/analytics/events", "/fleet/heartbeat"):
        response = client.post(path, data=body, content_type=content_type, headers=kiosk)
        assert response.status_code == status, path
        assert response.is_json
    assert stored() == 0


def test_reports_from_another_site_are_refused(client, kiosk):
    response = send(
        client,
        kiosk,
        a_visit(now_ms() - 200_000),
        headers={"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"},
    )
    assert response.status_code == 403
    assert stored() == 0


def test_the_limit_per_kiosk_holds_across_workers_and_a_refused_report_counts_nothing(
    app, data_dir, database_url, kiosk
):
    """Two workers (two apps on one database) share the count: 5 a minute means 5 in all."""
    other = make_app(data_dir, SQLALCHEMY_DATABASE_URI=database_url)
    for each in (app, other):
        each.config["REPORTS_PER_KIOSK_MINUTE"] = 5
    stopped_clock(app, other)
    clients = [app.test_client(), other.test_client()]
    answers = [send(clients[n % 2], kiosk, [event("swipe", now_ms() - 10)]).status_code for n in range(8)]
    assert answers == [202] * 5 + [429] * 3
    refused = send(clients[0], kiosk, [event("swipe", now_ms() - 10)])
    assert refused.headers["Retry-After"] and "reports a minute from this kiosk" in refused.json["error"]
    assert db.session.scalar(select(func.max(ReportCount.count))) == 5
    assert stored() == 5
    with other.app_context():
        db.engine.dispose()


def test_the_limit_per_address_counts_every_kiosk_behind_it(app, client, kiosk):
    app.config["REPORTS_PER_ADDRESS_MINUTE"] = 3
    stopped_clock(app)
    second = enrol(app, "foyer")
    answers = [
        send(client, (kiosk, second)[n % 2], [event("swipe", now_ms() - 10)]).status_code for n in range(5)
    ]
    assert answers == [202] * 3 + [429] * 2
    assert "from this address" in send(client, kiosk, [event("swipe", now_ms())]).json["error"]


def test_a_kiosk_with_a_wrong_clock_is_put_right(client, kiosk):
    """The kiosk's clock is an hour slow: its times are moved by the difference to ours."""
    slow = 3_600_000
    send(client, kiosk, [event("swipe", now_ms() - 5_000 - slow)], sent_at=now_ms() - slow)
    recorded = db.session.scalar(select(VisitorEvent.at))
    assert abs((utcnow() - recorded).total_seconds() - 5) < 3


def test_the_kiosks_own_measure_of_its_clock_leaves_the_requests_delay_out(client, kiosk):
    """A batch that took 3 s to arrive: without the kiosk's measure its times would be 3 s late."""
    delayed = now_ms() - 3_000
    body = batch([event("swipe", delayed - 1_000)], sent_at=delayed, clock_offset=0)
    assert client.post("/analytics/events", json=body, headers=kiosk).status_code == 202
    recorded = db.session.scalar(select(VisitorEvent.at))
    assert abs((utcnow() - recorded).total_seconds() - 4) < 1
    # A measure that would move events by more than the delay can be is not believed past it.
    body = batch([event("swipe", now_ms() - 1_000)], sent_at=now_ms(), clock_offset=10**9)
    client.post("/analytics/events", json=body, headers=kiosk)
    latest = db.session.scalar(select(func.max(VisitorEvent.at)))
    assert latest <= utcnow()


def test_fractional_times_are_rounded_and_a_clock_set_back_is_clamped(client, kiosk):
    sent = now_ms()
    events = [
        event("session-start", sent - 10_000.4, subject="attract"),  # after a reload: a fractional time
        event("swipe", sent + 5_000),  # recorded before the clock was set back 5 s, sent after
    ]
    response = send(client, kiosk, events, sent_at=sent)
    assert response.status_code == 202
    assert (response.json["stored"], response.json["clamped"]) == (2, 1)
    times = list(db.session.scalars(select(VisitorEvent.at).order_by(VisitorEvent.at)))
    assert times[1] <= utcnow() and (times[1] - times[0]).total_seconds() == pytest.approx(10, abs=1)


def test_events_older_than_the_retention_period_are_dropped_not_refused(client, app, kiosk):
    app.config["ANALYTICS_RETENTION_DAYS"] = 10
    old = now_ms(utcnow() - timedelta(days=12))
    response = send(client, kiosk, [event("swipe", old), event("swipe", now_ms() - 1_000)])
    assert (response.json["stored"], response.json["expired"]) == (1, 1)


def test_a_kiosk_may_send_so_many_records_a_day_and_no_more(client, app, kiosk):
    app.config["ANALYTICS_EVENTS_PER_KIOSK_DAY"] = 4
    response = send(client, kiosk, a_visit(now_ms() - 200_000))
    assert (response.json["stored"], response.json["capped"]) == (4, 2)
    assert send(client, kiosk, [event("swipe", now_ms() - 10)]).json["capped"] == 1
    assert stored() == 4


def test_the_report_counts_sessions_reading_and_where_visitors_leave(client, kiosk, at_noon):
    start = now_ms() - 600_000
    send(client, kiosk, a_visit(start) + a_visit(start + 200_000, session="b" * 32))
    report = analytics.report(analytics.today(), analytics.today())
    assert report.sessions == 2
    assert report.median_session_seconds == 62  # the kiosk's 61.5 s, a half second rounded up
    assert dict(report.session_lengths)["1–2 min"] == 2
    assert report.attract_interruptions == 2 and report.attract_starts == 2
    opened = {item["slug"]: item for item in report.top_opened}
    assert opened[FIXTURE.record_event]["opens"] == 2
    assert opened[FIXTURE.record_event]["reading_seconds"] == 80
    assert opened[FIXTURE.record_event]["headline"] == RECORD_HEADLINE
    assert report.top_read[0]["slug"] == FIXTURE.record_event
    assert report.last_seen == [{"slug": FIXTURE.record_event, "headline": RECORD_HEADLINE, "sessions": 2}]
    assert report.interactions == 6  # two opens and a swipe each
    assert ("swipe", "next", 2) in report.other_actions


def local_ms(day, hour: int, minute: int, second: int = 0) -> int:
    moment = datetime.combine(day, time(hour, minute, second), analytics.museum_zone())
    return int(moment.astimezone(UTC).timestamp() * 1000)


def test_a_visit_past_midnight_is_one_visit_of_the_day_it_started(client, app, kiosk):
    app.config["TIMEZONE"] = "Europe/Kyiv"
    day = analytics.today() - timedelta(days=2)  # a day whose midnight is well past
    start = local_ms(day, 23, 59, 0)
    visit = [
        event("session-start", start, subject="attract"),
        event("open", start + 30_000, subject=FIXTURE.birth_event, ms=50_000),  # until 00:00:20
        event("open", start + 80_000, subject=FIXTURE.record_event, ms=40_000),  # after midnight
        event("idle-reset", start + 230_000),
        event("session-end", start + 230_000, ms=100_000),
    ]
    assert send(client, kiosk, visit).json["stored"] == 5
    before, after = (
        analytics.report(day, day),
        analytics.report(day + timedelta(days=1), day + timedelta(days=1)),
    )
    assert (before.sessions, before.median_session_seconds, before.sessions_per_hour[23]) == (1, 100, 1)
    assert {item["slug"]: item["opens"] for item in before.top_opened} == {
        FIXTURE.birth_event: 1,
        FIXTURE.record_event: 1,
    }
    assert before.last_seen[0]["slug"] == FIXTURE.record_event
    assert (after.sessions, after.top_opened, after.median_session_seconds) == (0, [], None)


def test_a_visit_sent_in_pieces_over_days_counts_whole_on_its_day(client, kiosk):
    """A kiosk offline overnight sends the end of yesterday's visit today: it counts at once, in full."""
    yesterday = utcnow() - timedelta(days=1)
    visit = a_visit(now_ms(yesterday))
    send(client, kiosk, visit[:2])
    day = analytics.local_time(yesterday).date()
    assert analytics.report(day, day).median_session_seconds is None  # not over yet
    send(client, kiosk, visit[2:])
    report = analytics.report(day, day)
    assert (report.sessions, report.median_session_seconds, report.interactions) == (1, 62, 3)
    assert report.last_seen[0]["slug"] == FIXTURE.record_event


def test_an_open_arriving_after_its_visits_end_moves_where_the_visit_ended(client, kiosk, at_noon):
    start = now_ms() - 600_000
    visit = a_visit(start)
    send(client, kiosk, [visit[0], visit[1], visit[4], visit[5]])  # the later open arrives last
    send(client, kiosk, [visit[3]])
    report = analytics.report(analytics.today(), analytics.today())
    assert report.last_seen == [{"slug": FIXTURE.record_event, "headline": RECORD_HEADLINE, "sessions": 1}]


def test_totals_summed_as_events_arrive_equal_the_day_summed_again_from_its_raw_events(
    client, app, kiosk, at_noon
):
    start = now_ms() - 900_000
    foyer = enrol(app, "foyer")
    send(client, kiosk, a_visit(start) + a_visit(start + 100_000, session="b" * 32))
    send(client, foyer, a_visit(start + 50_000, session="c" * 32)[:4])
    day = analytics.today()
    summed = {kiosk: totals(day, kiosk) for kiosk in ("*", "gallery-3", "foyer")}
    analytics.sum_again(day)
    db.session.commit()
    assert {kiosk: totals(day, kiosk) for kiosk in ("*", "gallery-3", "foyer")} == summed
    assert summed["*"][("sessions", "")] == (3, 123_000)


def test_days_recorded_before_totals_were_kept_as_events_arrive_are_summed_once(
    client, kiosk, runner, at_noon
):
    """As after the upgrade: raw events with no totals, their day marked stale."""
    start = now_ms() - 600_000
    send(client, kiosk, a_visit(start))
    day = analytics.today()
    db.session.execute(DailyTotal.__table__.delete())
    db.session.execute(AnalyticsSession.__table__.delete())
    db.session.add(AnalyticsDay(day=day, stale=True))
    db.session.commit()
    result = runner.invoke(args=["analytics", "rollup"])
    assert result.exit_code == 0, result.output
    assert f"Summed again 1 day(s): {day.isoformat()}" in result.output
    assert analytics.report(day, day).sessions == 1
    assert not db.session.get(AnalyticsDay, day).stale


def test_raw_events_past_the_retention_period_leave_their_daily_totals_behind(client, app, kiosk):
    long_ago = utcnow() - timedelta(days=5)
    send(client, kiosk, a_visit(now_ms(long_ago)))
    app.config["ANALYTICS_RETENTION_DAYS"] = 3
    done = analytics.tidy()
    assert done.expired_events == 6
    assert stored() == 0 and db.session.scalar(select(func.count(AnalyticsSession.id))) == 0
    day = analytics.local_time(long_ago).date()
    report = analytics.report(day, day)
    assert report.sessions == 1
    assert report.top_opened[0]["reading_seconds"] in (20, 40)


def test_batches_for_a_past_day_posted_from_several_workers_while_it_is_summed_again_all_count(
    app, data_dir, database_url
):
    """Late batches race each other and a summing of their day: every visit is counted, once."""
    kiosk = enrol(app)
    workers = [make_app(data_dir, SQLALCHEMY_DATABASE_URI=database_url) for _ in range(3)]
    day_before = museum_time(app, 12, days_ago=2)  # its visits' starts all well inside that day
    day = analytics.local_time(day_before).date()
    visits = [a_visit(now_ms(day_before) + number * 1_000, session=f"{number:032x}") for number in range(24)]
    answers: list[int] = []

    def post(worker, mine) -> None:
        client = worker.test_client()
        for visit in mine:
            answers.append(send(client, kiosk, visit).status_code)

    def sum_again(worker) -> None:
        with worker.app_context():
            for _ in range(4):
                analytics.sum_again(day)
                db.session.commit()

    threads = [threading.Thread(target=post, args=(workers[n % 2], visits[n::4])) for n in range(4)]
    threads.append(threading.Thread(target=sum_again, args=(workers[2],)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [202] * 24
    db.session.expire_all()
    report = analytics.report(day, day)
    assert (report.sessions, report.attract_starts, report.median_session_seconds) == (24, 24, 62)
    assert db.session.scalar(select(func.count(VisitorEvent.id))) == 24 * 6
    for worker in workers:
        with worker.app_context():
            db.engine.dispose()


def test_visitor_pages_set_no_cookie_and_load_the_analytics_script_later(client):
    page = client.get("/?kiosk=gallery-3")
    assert "Set-Cookie" not in page.headers
    html = page.get_data(as_text=True)
    assert 'data-analytics="/static/' in html
    assert html.count("<script") == 2  # htmx and kiosk.js; analytics.js comes after the first paint
    assert any("analytics" in url for url in client.get("/offline.json").json["shell"])
