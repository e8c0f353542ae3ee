"""What a kiosk sends while visitors use it: visitor events in batches, and reports in (heartbeats)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from kiosk.models import utcnow

from .fixture_timeline import FIXTURE

_ids = itertools.count(1)


def now_ms(moment: datetime | None = None) -> int:
    return int((moment or utcnow()).replace(tzinfo=UTC).timestamp() * 1000)


def event(kind: str, at: int, session: str = "a" * 32, **fields) -> dict:
    return {"id": f"{next(_ids):032x}", "session": session, "type": kind, "at": at} | fields


def a_visit(start: int, session: str = "a" * 32) -> list[dict]:
    """A visitor wakes the kiosk, reads two events (the first for 20 s, the record for 40 s), swipes once,
    walks away."""
    return [
        event("session-start", start, session, subject="attract"),
        event("open", start + 1_000, session, subject=FIXTURE.birth_event, ms=20_000),
        event("swipe", start + 21_000, session, subject="next"),
        event("open", start + 21_500, session, subject=FIXTURE.record_event, ms=40_000),
        event("idle-reset", start + 171_500, session),
        event("session-end", start + 171_500, session, ms=61_500),
    ]


def send(client, events: list[dict], kiosk: str = "gallery-3", sent_at: int | None = None, **extra):
    body = {"kiosk": kiosk, "sent_at": sent_at or now_ms(), "events": events}
    return client.post("/analytics/events", json=body, **extra)


def heartbeat(**fields) -> dict:
    return {
        "kiosk": "gallery-3",
        "sent_at": now_ms(),
        "version": "6-abc",
        "screen": "1920x1080",
        "online": True,
        "queued": 4,
        "error": None,
    } | fields
