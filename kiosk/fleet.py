"""The kiosk fleet: every kiosk reports in (frontend/js/analytics.js) with its name, the version it shows, its
screen, whether it can reach us and its last JavaScript error; the Kiosks page says which need a look.

A kiosk is named in its start URL (``/?kiosk=gallery-3``, docs/deployment.md). One that has not reported
for KIOSK_SILENCE_SECONDS while the museum is open (KIOSK_OPENING_HOURS, on the KIOSK_TIMEZONE clock) is
silent; one that reported a JavaScript error in the last day is erroring.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from flask import current_app
from sqlalchemy import select

from .analytics import BatchRefused, checked_name, clock_offset_ms, museum_zone, parse_json
from .database import insert_or_ignore
from .extensions import db
from .models import ContentState, KioskStation, utcnow

ERRORS_RECENT = timedelta(days=1)
# A kiosk applies a publish when its visitor goes back to the timeline or walks away: only one still on the
# old version this long after the publish needs a look.
UPDATE_GRACE = timedelta(minutes=10)
HOURS = re.compile(r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})")
SCREEN = re.compile(r"\d{1,5}x\d{1,5}")
VERSION = re.compile(r"[A-Za-z0-9._-]{0,80}")


class OpeningHoursInvalid(ValueError):
    pass


def opening_hours(text: str | None = None) -> tuple[time, time] | None:
    """KIOSK_OPENING_HOURS ("09:00-18:00") as two times; "" means always open."""
    text = (current_app.config.get("OPENING_HOURS", "") if text is None else text).strip()
    if not text:
        return None
    match = HOURS.fullmatch(text)
    if not match:
        raise OpeningHoursInvalid(f"KIOSK_OPENING_HOURS must look like 09:00-18:00, not {text!r}")
    open_h, open_m, close_h, close_m = map(int, match.groups())
    if open_h > 23 or close_h > 24 or open_m > 59 or close_m > 59 or (close_h == 24 and close_m):
        raise OpeningHoursInvalid(f"KIOSK_OPENING_HOURS has an impossible time: {text!r}")
    closing = time.max if close_h == 24 else time(close_h, close_m)
    return time(open_h, open_m), closing


def open_during(start: datetime, end: datetime) -> bool:
    """Whether the museum was open at any moment between two stored (UTC) times."""
    hours = opening_hours()
    if hours is None:
        return True
    zone = museum_zone()
    local_start = start.replace(tzinfo=UTC).astimezone(zone)
    local_end = end.replace(tzinfo=UTC).astimezone(zone)
    day = local_start.date()
    while day <= local_end.date():
        opens = datetime.combine(day, hours[0], zone)
        closes = datetime.combine(day, hours[1], zone)
        if opens < local_end and local_start < closes:
            return True
        day += timedelta(days=1)
    return False


# ---------- A kiosk reporting in ----------


def _checked_error(value, offset_ms: int) -> tuple[str, datetime] | None:
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) != {"message", "at"}:
        raise BatchRefused("error must be null or an object with message and at")
    message, at = value["message"], value["at"]
    if not isinstance(message, str) or not 0 < len(message) <= 500:
        raise BatchRefused("error.message must be 1–500 characters")
    if isinstance(at, bool) or not isinstance(at, int) or at < 0:
        raise BatchRefused("error.at must be a time in milliseconds")
    moment = datetime.fromtimestamp((at + offset_ms) / 1000, UTC).replace(tzinfo=None)
    return "".join(char for char in message if char.isprintable()), moment


def read_report(body: bytes, now: datetime | None = None) -> dict:
    """A kiosk's report as the row it updates, or BatchRefused saying what is wrong."""
    now = now or utcnow()
    data = parse_json(body)
    expected = {"kiosk", "sent_at", "version", "screen", "online", "queued", "error"}
    if set(data) != expected:
        raise BatchRefused("a report has exactly " + ", ".join(sorted(expected)))
    offset = clock_offset_ms(data["sent_at"], now)
    if not isinstance(data["version"], str) or not VERSION.fullmatch(data["version"]):
        raise BatchRefused("version must be up to 80 letters, digits, dots or dashes")
    if not isinstance(data["screen"], str) or not SCREEN.fullmatch(data["screen"]):
        raise BatchRefused("screen must look like 1920x1080")
    if not isinstance(data["online"], bool):
        raise BatchRefused("online must be true or false")
    queued = data["queued"]
    if isinstance(queued, bool) or not isinstance(queued, int) or not 0 <= queued <= 10**7:
        raise BatchRefused("queued must be a whole number")
    row = {
        "name": checked_name(data["kiosk"]),
        "last_seen": now,
        "version": data["version"],
        "screen": data["screen"],
        "online": data["online"],
        "queued": queued,
    }
    error = _checked_error(data["error"], offset)
    if error:
        row["last_error"], row["last_error_at"] = error
    return row


def record_report(row: dict) -> None:
    """One statement: a new kiosk is added, a known one updated (its first_seen kept)."""
    statement = insert_or_ignore(KioskStation).values(row | {"first_seen": row["last_seen"]})
    updated = {key: statement.excluded[key] for key in row if key != "name"}
    db.session.execute(statement.on_conflict_do_update(index_elements=["name"], set_=updated))
    db.session.commit()


# ---------- The Kiosks page ----------


@dataclass
class KioskState:
    station: KioskStation
    current_version: bool
    silent: bool
    erroring: bool
    behind: bool  # still on an old version well after the publish

    @property
    def needs_a_look(self) -> bool:
        return self.silent or self.erroring or self.behind


def fleet(current_version: str, now: datetime | None = None) -> list[KioskState]:
    """Every kiosk that ever reported, those needing a look first, then by name."""
    now = now or utcnow()
    silence = timedelta(seconds=int(current_app.config.get("SILENCE_SECONDS", 300)))
    published_at = db.session.scalar(select(ContentState.changed_at).where(ContentState.id == 1))
    long_since_publish = published_at is None or now - published_at > UPDATE_GRACE
    states = []
    for station in db.session.scalars(select(KioskStation).order_by(KioskStation.name)):
        quiet_from = station.last_seen + silence
        states.append(
            KioskState(
                station=station,
                current_version=station.version == current_version,
                behind=station.version != current_version and long_since_publish,
                silent=quiet_from < now and open_during(quiet_from, now),
                erroring=bool(station.last_error_at and now - station.last_error_at < ERRORS_RECENT),
            )
        )
    return sorted(states, key=lambda state: not state.needs_a_look)


def forget(name: str) -> bool:
    """Remove a kiosk taken out of service from the list (it reappears if it reports again)."""
    station = db.session.scalar(select(KioskStation).where(KioskStation.name == name))
    if station is None:
        return False
    db.session.delete(station)
    db.session.commit()
    return True


def names() -> list[str]:
    return list(db.session.scalars(select(KioskStation.name).order_by(KioskStation.name)))
