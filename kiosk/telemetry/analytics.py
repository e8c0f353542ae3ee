"""Visitor analytics, on the box and anonymous: what kiosks record, how it is stored and summed up.

A kiosk records interaction events (frontend/js/kiosk.js, "Measuring use") under a random session id it
forgets when it resets, and sends them in batches; no cookie, no address and nothing personal is kept.
Each event carries an id made by the kiosk, so a batch sent twice is stored once. Raw events are kept
for KIOSK_ANALYTICS_RETENTION_DAYS; each finished day is summed into daily totals per kiosk (what the
Analytics page reads), and a day is summed again if late events (a kiosk that was offline) arrive for it.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import cast
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import CursorResult, Result, delete, select, update
from sqlalchemy.exc import IntegrityError

from ..database import insert_or_ignore
from ..extensions import db
from ..models import AnalyticsDay, DailyTotal, Event, VisitorEvent, utcnow

log = logging.getLogger(__name__)

MAX_BATCH_BYTES = 64 * 1024
MAX_BATCH_EVENTS = 200
MAX_READING_MS = 6 * 3600 * 1000
# The kinds of event a kiosk may send; anything else is refused.
EVENT_TYPES = frozenset(
    {
        "session-start",  # a visitor's first touch (subject "attract": it interrupted the attract screen)
        "open",  # an event read (subject: its slug, value: reading time in ms)
        "photo",  # a photograph opened full screen (subject: the event)
        "swipe",  # one swipe between events (subject: next or prev)
        "era",  # an era chip tapped (subject: the era)
        "scrub",  # the year scrubber moved (subject: the year)
        "preference",  # larger text or high contrast switched (subject e.g. text-large:on)
        "language",  # a language chosen (subject: its code)
        "start-again",  # the visitor tapped Start again
        "place",  # a place opened on the Places map (subject: its key, e.g. karaganda)
        "idle-continue",  # "Still there?" answered with a touch
        "idle-reset",  # nobody answered: the kiosk reset and the attract screen started
        "session-end",  # the session's last event, at the reset
    }
)
# What a visitor does, counted as interactions (the rest mark a session's beginning and end).
INTERACTIONS = EVENT_TYPES - {"session-start", "idle-reset", "session-end"}
SESSION_ENDS = {"idle-reset", "session-end"}
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
SUBJECT = re.compile(r"(?:[A-Za-z0-9][A-Za-z0-9._:-]{0,119})?")
ID = re.compile(r"[0-9A-Fa-f][0-9A-Fa-f-]{7,35}")
LENGTH_BUCKETS = (
    (30, _l("under 30 s")),
    (60, _l("30 s – 1 min")),
    (120, _l("1–2 min")),
    (300, _l("2–5 min")),
    (600, _l("5–10 min")),
)
LONGEST_BUCKET = _l("10 min or more")


class BatchRefused(ValueError):
    """A batch that does not follow the schema: refused whole, nothing stored."""


@dataclass
class Ingested:
    stored: int = 0
    duplicates: int = 0
    expired: int = 0


def museum_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("TIMEZONE") or "UTC")


def local_time(moment: datetime) -> datetime:
    """A stored (naive UTC) time on the museum's clock."""
    return moment.replace(tzinfo=UTC).astimezone(museum_zone())


def today() -> date:
    return local_time(utcnow()).date()


def retention_days() -> int:
    return max(1, int(current_app.config.get("ANALYTICS_RETENTION_DAYS", 90)))


# ---------- Reading a batch ----------


def _whole_number(value, where: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise BatchRefused(f"{where} must be a whole number from {low} to {high}")
    return value


def checked_name(value, where: str = "kiosk") -> str:
    if not isinstance(value, str) or not NAME.fullmatch(value):
        raise BatchRefused(f"{where} must be 1–64 letters, digits, dots, dashes or underscores")
    return value.lower()


def parse_json(body: bytes) -> dict:
    if len(body) > MAX_BATCH_BYTES:
        raise BatchRefused(f"a batch is at most {MAX_BATCH_BYTES} bytes")
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # not JSON, not UTF-8, a number of thousands of digits, nested deep
        raise BatchRefused("the body is not JSON") from None
    if not isinstance(data, dict):
        raise BatchRefused("the body must be a JSON object")
    return data


def clock_offset_ms(sent_at, now: datetime) -> int:
    """How far the kiosk's clock is behind ours: added to its times, so a wrong kiosk clock is harmless."""
    now_ms = int(now.replace(tzinfo=UTC).timestamp() * 1000)
    return now_ms - _whole_number(sent_at, "sent_at", 0, 2**53)


def _checked_event(item, where: str, offset_ms: int, sent_at: int) -> dict:
    if not isinstance(item, dict) or not set(item) <= {"id", "session", "type", "at", "subject", "ms"}:
        raise BatchRefused(f"{where} must be an object with id, session, type, at, subject and ms")
    for key in ("id", "session"):
        if not isinstance(item.get(key), str) or not ID.fullmatch(item[key]):
            raise BatchRefused(f"{where}.{key} must be a random id (8–36 hex digits and dashes)")
    if item.get("type") not in EVENT_TYPES:
        raise BatchRefused(f"{where}.type is not a kind of event the kiosk records")
    at = _whole_number(item.get("at"), f"{where}.at", 0, sent_at)
    subject = item.get("subject", "")
    if not isinstance(subject, str) or not SUBJECT.fullmatch(subject):
        raise BatchRefused(f"{where}.subject must be up to 120 letters, digits, dots, dashes or colons")
    moment = datetime.fromtimestamp((at + offset_ms) / 1000, UTC)
    local = moment.astimezone(museum_zone())
    return {
        "uid": item["id"].lower(),
        "session": item["session"].lower(),
        "type": item["type"],
        "subject": subject,
        "value_ms": _whole_number(item.get("ms", 0), f"{where}.ms", 0, MAX_READING_MS),
        "at": moment.replace(tzinfo=None),
        "day": local.date(),
        "hour": local.hour,
    }


def read_batch(body: bytes, now: datetime | None = None) -> tuple[str, list[dict]]:
    """The kiosk's name and its events as rows, or BatchRefused saying what is wrong."""
    data = parse_json(body)
    if set(data) != {"kiosk", "sent_at", "events"}:
        raise BatchRefused("a batch has exactly kiosk, sent_at and events")
    kiosk = checked_name(data["kiosk"])
    offset = clock_offset_ms(data["sent_at"], now or utcnow())
    items = data["events"]
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_BATCH_EVENTS:
        raise BatchRefused(f"events must be a list of 1 to {MAX_BATCH_EVENTS} events")
    rows: dict[str, dict] = {}
    for number, item in enumerate(items):
        row = _checked_event(item, f"events[{number}]", offset, data["sent_at"])
        rows.setdefault(row["uid"], row | {"kiosk": kiosk})
    return kiosk, list(rows.values())


# ---------- Storing ----------


def ingest(rows: list[dict]) -> Ingested:
    """Store a batch in one INSERT; events already stored (the same ids) are left as they are."""
    oldest_kept = today() - timedelta(days=retention_days())
    kept = [row for row in rows if row["day"] > oldest_kept]
    result = Ingested(expired=len(rows) - len(kept))
    if not kept:
        return result
    statement = insert_or_ignore(VisitorEvent).values(kept).on_conflict_do_nothing(index_elements=["uid"])
    # RETURNING lists the rows written (not those already there) on SQLite and PostgreSQL alike.
    result.stored = len(db.session.execute(statement.returning(VisitorEvent.id)).all())
    result.duplicates = len(kept) - result.stored
    if result.stored:
        _mark_stale({row["day"] for row in kept})
    db.session.commit()
    return result


def _changed(result: Result) -> int:
    """Rows an INSERT, UPDATE or DELETE wrote (an executed DML statement's result is a CursorResult)."""
    return cast(CursorResult, result).rowcount or 0


def _mark_stale(days: set[date]) -> None:
    """These days have new events: their totals must be summed (again)."""
    statement = insert_or_ignore(AnalyticsDay).values([{"day": day, "stale": True} for day in sorted(days)])
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=["day"], set_={"stale": True}, where=AnalyticsDay.stale.is_(False)
        )
    )


# ---------- Summing up a day ----------


@dataclass
class _Session:
    kiosk: str
    start: datetime
    end: datetime
    hour: int
    interactions: int = 0
    last_open: tuple[datetime, str] | None = None


def _add(totals: dict, kiosk: str, metric: str, subject: str, count: int = 1, total_ms: int = 0) -> None:
    entry = totals[(kiosk, metric, subject)]
    entry[0] += count
    entry[1] += total_ms


def day_totals(day: date) -> list[dict]:
    """A day's figures per kiosk, summed from its raw events: one row per (kiosk, metric, subject)."""
    totals: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    sessions: dict[str, _Session] = {}
    query = (
        select(
            VisitorEvent.kiosk,
            VisitorEvent.session,
            VisitorEvent.type,
            VisitorEvent.subject,
            VisitorEvent.value_ms,
            VisitorEvent.at,
            VisitorEvent.hour,
        )
        .where(VisitorEvent.day == day)
        .order_by(VisitorEvent.at)
        .execution_options(yield_per=2000)
    )
    for kiosk, session_id, kind, subject, value_ms, at, hour in db.session.execute(query):
        _add(totals, kiosk, kind, subject, 1, value_ms)
        session = sessions.get(session_id)
        if session is None:
            session = sessions[session_id] = _Session(kiosk, at, at, hour)
        if kind not in SESSION_ENDS:
            session.end = max(session.end, at + timedelta(milliseconds=value_ms if kind == "open" else 0))
        if kind in INTERACTIONS:
            session.interactions += 1
        if kind == "open" and (session.last_open is None or at >= session.last_open[0]):
            session.last_open = (at, subject)
    for session in sessions.values():
        length_ms = int((session.end - session.start).total_seconds() * 1000)
        _add(totals, session.kiosk, "sessions", "", 1, length_ms)
        _add(totals, session.kiosk, "session-hour", f"{session.hour:02d}")
        _add(totals, session.kiosk, "session-length", str(length_ms // 1000))
        _add(totals, session.kiosk, "interactions", "", session.interactions)
        if session.last_open:
            _add(totals, session.kiosk, "last", session.last_open[1])
    return [
        {"day": day, "kiosk": kiosk, "metric": metric, "subject": subject, "count": count, "total_ms": total}
        for (kiosk, metric, subject), (count, total) in totals.items()
    ]


def roll_up_day(day: date) -> int:
    """(Re)write a finished day's totals from its raw events, in one transaction."""
    rows = day_totals(day)
    db.session.execute(delete(DailyTotal).where(DailyTotal.day == day))
    if rows:
        db.session.execute(insert_or_ignore(DailyTotal).values(rows))
    db.session.execute(
        update(AnalyticsDay).where(AnalyticsDay.day == day).values(stale=False, rolled_at=utcnow())
    )
    return len(rows)


@dataclass
class RollUp:
    days: list[date] = field(default_factory=list)
    expired_events: int = 0


def roll_up() -> RollUp:
    """Sum every finished day with new events, then drop raw events older than the retention period.

    Safe to run at any time and from several workers at once (the Analytics page runs it before it reads,
    `flask analytics rollup` from a timer): a day another worker summed meanwhile is simply left to it.
    """
    done = RollUp()
    stale = db.session.scalars(
        select(AnalyticsDay.day).where(AnalyticsDay.stale.is_(True), AnalyticsDay.day < today())
    ).all()
    for day in stale:
        try:
            roll_up_day(day)
            db.session.commit()
            done.days.append(day)
        except IntegrityError:
            db.session.rollback()
            log.info("Analytics for %s were summed by another worker meanwhile", day)
    oldest_kept = today() - timedelta(days=retention_days())
    done.expired_events = _changed(
        db.session.execute(delete(VisitorEvent).where(VisitorEvent.day <= oldest_kept))
    )
    db.session.commit()
    return done


# ---------- The report ----------


@dataclass
class Report:
    since: date
    until: date
    kiosk: str
    sessions_per_day: list[tuple[date, int]]
    sessions_per_hour: list[int]
    session_lengths: list[tuple[str, int]]
    median_session_seconds: float | None
    sessions: int
    interactions: int
    top_opened: list[dict]
    top_read: list[dict]
    last_seen: list[dict]
    attract_interruptions: int
    attract_starts: int
    still_there_answered: int
    other_actions: list[tuple[str, str, int]]
    rows: list[dict]

    @property
    def interactions_per_session(self) -> float:
        return self.interactions / self.sessions if self.sessions else 0.0


def totals_between(since: date, until: date, kiosk: str = "") -> list[dict]:
    """Daily totals for [since, until]: stored ones for finished days, today's summed on the spot."""
    roll_up()
    query = select(DailyTotal).where(DailyTotal.day >= since, DailyTotal.day <= until)
    if kiosk:
        query = query.where(DailyTotal.kiosk == kiosk)
    rows = [
        {
            "day": total.day,
            "kiosk": total.kiosk,
            "metric": total.metric,
            "subject": total.subject,
            "count": total.count,
            "total_ms": total.total_ms,
        }
        for total in db.session.scalars(query.order_by(DailyTotal.day, DailyTotal.kiosk, DailyTotal.metric))
    ]
    current = today()
    if since <= current <= until:
        rows += [row for row in day_totals(current) if not kiosk or row["kiosk"] == kiosk]
    return rows


def _median_from_histogram(histogram: Counter) -> float | None:
    total = sum(histogram.values())
    if not total:
        return None
    ordered = sorted(histogram.items())

    def nth(position: int) -> int:
        seen = 0
        for seconds, count in ordered:
            seen += count
            if seen > position:
                return seconds
        return ordered[-1][0]

    return (nth((total - 1) // 2) + nth(total // 2)) / 2


def _length_buckets(histogram: Counter) -> list[tuple[str, int]]:
    """Sessions by length, in the buckets the page shows (labels in the curator's language)."""
    limits = [limit for limit, _label in LENGTH_BUCKETS]
    counts = [0] * (len(limits) + 1)
    for seconds, count in histogram.items():
        counts[next((index for index, limit in enumerate(limits) if seconds < limit), len(limits))] += count
    labels = [str(label) for _limit, label in LENGTH_BUCKETS] + [str(LONGEST_BUCKET)]
    return list(zip(labels, counts, strict=True))


def headlines(slugs) -> dict[str, str]:
    """Headlines for event slugs (trashed events included), so the figures read as the kiosk does."""
    slugs = set(slugs)
    if not slugs:
        return {}
    return dict(db.session.execute(select(Event.slug, Event.headline).where(Event.slug.in_(slugs))).all())


def report(since: date, until: date, kiosk: str = "", top: int = 10) -> Report:
    rows = totals_between(since, until, kiosk)
    by_metric: dict[str, Counter] = defaultdict(Counter)
    reading: Counter = Counter()
    per_day: Counter = Counter()
    for row in rows:
        by_metric[row["metric"]][row["subject"]] += row["count"]
        if row["metric"] == "open":
            reading[row["subject"]] += row["total_ms"]
        if row["metric"] == "sessions":
            per_day[row["day"]] += row["count"]
    opens = by_metric["open"]
    names = headlines(set(opens) | set(by_metric["last"]))

    def described(slug: str) -> dict:
        count = opens[slug]
        return {
            "slug": slug,
            "headline": names.get(slug, slug),
            "opens": count,
            "reading_seconds": reading[slug] / 1000,
            "mean_seconds": reading[slug] / 1000 / count if count else 0.0,
        }

    histogram = Counter({int(seconds): count for seconds, count in by_metric["session-length"].items()})
    days = [since + timedelta(days=offset) for offset in range((until - since).days + 1)]
    other = [
        (kind, subject, count)
        for kind in ("swipe", "era", "scrub", "photo", "preference", "language", "start-again", "place")
        for subject, count in sorted(by_metric[kind].items(), key=lambda item: -item[1])
    ]
    return Report(
        since=since,
        until=until,
        kiosk=kiosk,
        sessions_per_day=[(day, per_day[day]) for day in days],
        sessions_per_hour=[by_metric["session-hour"][f"{hour:02d}"] for hour in range(24)],
        session_lengths=_length_buckets(histogram),
        median_session_seconds=_median_from_histogram(histogram),
        sessions=sum(by_metric["sessions"].values()),
        interactions=sum(by_metric["interactions"].values()),
        top_opened=[described(slug) for slug, _count in opens.most_common(top)],
        top_read=[described(slug) for slug, _ms in reading.most_common(top)],
        last_seen=[
            {"slug": slug, "headline": names.get(slug, slug), "sessions": count}
            for slug, count in by_metric["last"].most_common(top)
        ],
        attract_interruptions=by_metric["session-start"]["attract"],
        attract_starts=sum(by_metric["idle-reset"].values()),
        still_there_answered=sum(by_metric["idle-continue"].values()),
        other_actions=other,
        rows=rows,
    )


def known_kiosks() -> set[str]:
    """Every kiosk with figures: in the daily totals, or only today so far."""
    summed = db.session.scalars(select(DailyTotal.kiosk).distinct())
    today_only = db.session.scalars(select(VisitorEvent.kiosk).where(VisitorEvent.day == today()).distinct())
    return set(summed) | set(today_only)
