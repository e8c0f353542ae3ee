"""What an enrolled kiosk sends while visitors use it: visitor events in batches, and reports in
(heartbeats), with the token that enrols it."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Flask

from kiosk.extensions import db
from kiosk.models import utcnow
from kiosk.telemetry import fleet

from .fixture_timeline import FIXTURE

_ids = itertools.count(1)


def now_ms(moment: datetime | None = None) -> int:
    return int((moment or utcnow()).replace(tzinfo=UTC).timestamp() * 1000)


def event(kind: str, at: int, session: str = "a" * 32, **fields) -> dict:
    return {"id": f"{next(_ids):032x}", "session": session, "type": kind, "at": at} | fields


def a_visit(start: int, session: str = "a" * 32) -> list[dict]:
    """A visitor wakes the kiosk, reads two events (the first for 20 s, the record for 40 s), swipes once,
    walks away (their last touch 61.5 s after the first)."""
    return [
        event("session-start", start, session, subject="attract"),
        event("open", start + 1_000, session, subject=FIXTURE.birth_event, ms=20_000),
        event("swipe", start + 21_000, session, subject="next"),
        event("open", start + 21_500, session, subject=FIXTURE.record_event, ms=40_000),
        event("idle-reset", start + 171_500, session),
        event("session-end", start + 171_500, session, ms=61_500),
    ]


def museum_time(app: Flask, hour: int, minute: int = 0, days_ago: int = 0) -> datetime:
    """Today's (or an earlier day's) ``hour``:``minute`` on the museum's clock, as the server stores times
    (naive UTC)."""
    zone = ZoneInfo(app.config.get("TIMEZONE") or "UTC")
    day = datetime.now(zone).date() - timedelta(days=days_ago)
    return datetime.combine(day, time(hour, minute), zone).astimezone(UTC).replace(tzinfo=None)


def museum_noon(app: Flask) -> None:
    """The server's clock moved to today's noon on the museum's clock (and on with real time): visits a few
    minutes old stay today's, whenever the suite runs (just after midnight, too)."""
    shift = museum_time(app, 12) - utcnow()
    app.extensions["telemetry_clock"] = lambda: utcnow() + shift


def stopped_clock(*apps: Flask, at: datetime | None = None) -> datetime:
    """The servers' clocks stand still at ``at`` (naive UTC; now if not given): a minute, an hour or a day
    never turns in the middle of a test. Returns that moment."""
    moment = at or utcnow()
    for each in apps:
        each.extensions["telemetry_clock"] = lambda: moment
    return moment


def enrol(app: Flask, name: str = "gallery-3") -> dict[str, str]:
    """Enrol a kiosk as an administrator would; the headers its reports carry."""
    with app.app_context(), app.test_request_context():
        token = fleet.add_kiosk(name)
        db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def batch(events: list[dict], sent_at: int | None = None, **fields) -> dict:
    return {"sent_at": sent_at or now_ms(), "events": events} | fields


def send(client, kiosk: dict[str, str], events: list[dict], sent_at: int | None = None, **extra):
    headers = kiosk | extra.pop("headers", {})
    return client.post("/analytics/events", json=batch(events, sent_at), headers=headers, **extra)


def heartbeat(**fields) -> dict:
    return {
        "sent_at": now_ms(),
        "version": "6-abc",
        "screen": "1920x1080",
        "online": True,
        "queued": 4,
        "error": None,
    } | fields


def report_in(client, headers: dict[str, str], **fields):
    return client.post("/fleet/heartbeat", json=heartbeat(**fields), headers=headers)
