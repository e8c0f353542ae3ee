"""The kiosk fleet: every kiosk reports in (frontend/js/analytics.js) with its name, the version it shows, its
screen, whether it can reach us and its last JavaScript error; the Kiosks page says which need a look.

A kiosk is named in its start URL (``/?kiosk=gallery-3``, docs/deployment.md). One that has not reported
for KIOSK_SILENCE_SECONDS while the museum is open (KIOSK_OPENING_HOURS, on the KIOSK_TIMEZONE clock) is
silent; one that reported a JavaScript error in the last day is erroring.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from babel.dates import get_day_names
from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from ..database import insert_or_ignore
from ..extensions import db
from ..models import ContentState, KioskStation, utcnow
from .analytics import BatchRefused, checked_name, clock_offset_ms, museum_zone, parse_json

ERRORS_RECENT = timedelta(days=1)
# A kiosk applies a publish when its visitor goes back to the timeline or walks away: only one still on the
# old version this long after the publish needs a look.
UPDATE_GRACE = timedelta(minutes=10)
SCREEN = re.compile(r"\d{1,5}x\d{1,5}")
VERSION = re.compile(r"[A-Za-z0-9._-]{0,80}")


class OpeningHoursInvalid(ValueError):
    pass


DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_A_DAY = 24 * 60
# One entry of KIOSK_OPENING_HOURS: optional days, then a range or "closed" ("Tue-Fri 10:00-18:00"). A dash
# may be the en dash the Kiosks page shows, so that hours copied from there still read.
DASH = re.compile(r"\s*[-\u2013]\s*")
ENTRY = re.compile(
    r"(?:(?P<days>[a-z][a-z,\s\u2013-]*?)\s+)?"
    r"(?:(?P<closed>closed)"
    r"|(?P<opens>\d{1,2}):(?P<opens_m>\d{2})\s*[-\u2013]\s*(?P<closes>\d{1,2}):(?P<closes_m>\d{2}))",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Opening:
    """One day's hours, in minutes after that day's midnight: a range past midnight closes after 1440."""

    opens: int
    closes: int

    @property
    def past_midnight(self) -> bool:
        return self.closes > MINUTES_A_DAY

    def clock(self) -> tuple[str, str]:
        """Opening and closing as the setting writes them ("10:00", "24:00"; "02:00" the next day)."""
        closes = self.closes - MINUTES_A_DAY if self.past_midnight else self.closes
        return f"{self.opens // 60:02d}:{self.opens % 60:02d}", f"{closes // 60:02d}:{closes % 60:02d}"


@dataclass(frozen=True)
class OpeningHours:
    """The week, Monday first: each day's Opening, or None when the museum is closed that day."""

    days: tuple[Opening | None, ...]

    def on(self, weekday: int) -> Opening | None:
        return self.days[weekday]

    def runs(self) -> list[tuple[int, int, Opening | None]]:
        """Consecutive days with the same hours (first and last weekday), as a timetable shows them."""
        runs: list[tuple[int, int, Opening | None]] = []
        for weekday, hours in enumerate(self.days):
            if runs and runs[-1][2] == hours:
                runs[-1] = (runs[-1][0], weekday, hours)
            else:
                runs.append((weekday, weekday, hours))
        return runs


def _invalid(problem: str) -> OpeningHoursInvalid:
    return OpeningHoursInvalid(f"KIOSK_OPENING_HOURS {problem}")


def _weekday(word: str) -> int:
    name = word.strip().lower()
    if name not in DAY_NAMES:
        raise _invalid(
            f"names a day it does not know, {word.strip()!r}: use Mon, Tue, Wed, Thu, Fri, Sat or Sun"
        )
    return DAY_NAMES.index(name)


def _days(text: str | None) -> list[int]:
    """ "Tue-Fri, Sun" → [1, 2, 3, 4, 6]; no days means every day. A run may wrap: "Sat-Mon"."""
    if text is None:
        return list(range(7))
    days: list[int] = []
    for part in text.split(","):
        run = DASH.split(part.strip())
        if len(run) > 2:
            raise _invalid(f"has a run of days it cannot read, {part.strip()!r}: write it like Tue-Fri")
        start, end = _weekday(run[0]), _weekday(run[-1])
        days += [(start + step) % 7 for step in range((end - start) % 7 + 1)]
    return days


def _minutes(hours: str, minutes: str, entry: str, closing: bool) -> int:
    hour, minute = int(hours), int(minutes)
    if minute > 59 or hour > 24 or (hour == 24 and (minute or not closing)):
        raise _invalid(f"has an impossible time in {entry!r}: hours run from 00 to 24 (24:00 only to close)")
    return hour * 60 + minute


def _opening(match: re.Match[str], entry: str) -> Opening:
    opens = _minutes(match["opens"], match["opens_m"], entry, closing=False)
    closes = _minutes(match["closes"], match["closes_m"], entry, closing=True)
    if opens == closes:
        raise _invalid(f"opens and closes at the same time in {entry!r}: for a whole day write 00:00-24:00")
    return Opening(opens, closes if closes > opens else closes + MINUTES_A_DAY)


@functools.lru_cache(maxsize=8)
def parse_opening_hours(text: str) -> OpeningHours | None:
    """KIOSK_OPENING_HOURS as the week's hours; None means always open ("" or every day 00:00-24:00).

    Entries are separated by semicolons, and a later entry overrides earlier ones for its days:
    "09:00-18:00" (every day), "Mon closed; Tue-Fri 10:00-18:00; Thu 10:00-21:00; Sat-Sun 10:00-19:00".
    A day no entry names is closed. A range past midnight ("Fri 18:00-02:00") belongs to the day it opens.
    """
    week: list[Opening | None] = [None] * 7
    entries = [entry.strip() for entry in text.split(";") if entry.strip()]
    if not entries:
        return None
    for entry in entries:
        match = ENTRY.fullmatch(entry)
        if not match:
            raise _invalid(
                f"must be entries like 09:00-18:00, Tue-Fri 10:00-18:00 or Mon closed, separated by "
                f"semicolons, not {entry!r}"
            )
        hours = None if match["closed"] else _opening(match, entry)
        for weekday in _days(match["days"]):
            week[weekday] = hours
    if all(hours == Opening(0, MINUTES_A_DAY) for hours in week):
        return None
    return OpeningHours(tuple(week))


def opening_hours(text: str | None = None) -> OpeningHours | None:
    """The configured opening hours (KIOSK_OPENING_HOURS), or OpeningHoursInvalid saying what is wrong."""
    return parse_opening_hours(current_app.config.get("OPENING_HOURS", "") if text is None else text)


def open_during(start: datetime, end: datetime) -> bool:
    """Whether the museum was open at any moment between two stored (UTC) times, on its own clock."""
    hours = opening_hours()
    if hours is None:
        return True
    zone = museum_zone()
    local_start = start.replace(tzinfo=UTC).astimezone(zone)
    local_end = end.replace(tzinfo=UTC).astimezone(zone)
    day = local_start.date() - timedelta(days=1)  # the day before may be open past midnight
    while day <= local_end.date():
        opening = hours.on(day.weekday())
        if opening:
            midnight = datetime.combine(day, time(), zone)
            opens = midnight + timedelta(minutes=opening.opens)
            closes = midnight + timedelta(minutes=opening.closes)
            if opens <= local_end and local_start < closes:
                return True
        day += timedelta(days=1)
    return False


def open_now(now: datetime | None = None) -> bool:
    moment = now or utcnow()
    return open_during(moment, moment)


def timetable() -> list[tuple[str, str]]:
    """The opening hours as the Kiosks page shows them: days in the curator's language, then the hours."""
    hours = opening_hours()
    if hours is None:
        return []
    names = get_day_names("wide", context="stand-alone", locale=get_locale())
    rows = []
    for first, last, opening in hours.runs():
        days = names[first] if first == last else f"{names[first]}–{names[last]}"
        days = days[:1].upper() + days[1:]  # "Вторник–среда": Russian and Ukrainian write days in lower case
        if opening is None:
            rows.append((days, _("Closed")))
            continue
        opens, closes = opening.clock()
        if opening.past_midnight:
            rows.append((days, _("%(opens)s–%(closes)s the next day", opens=opens, closes=closes)))
        else:
            rows.append((days, f"{opens}–{closes}"))
    return rows


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
