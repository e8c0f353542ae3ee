"""Visitor analytics, on the box and anonymous: what enrolled kiosks record, how it is stored and summed.

A kiosk records interaction events (frontend/js/kiosk/measuring.js, frontend/js/analytics.js) under a
random session id it forgets when it starts again, and sends them in batches (their shape:
reports.schema.json); no cookie, no address and nothing personal is kept. Each event carries an id made
by the kiosk, so a batch sent twice is stored once.

Figures are summed **as events arrive**, in the transaction that stores them: every stored event adds to
its day's totals (per kiosk, and for every kiosk together, kiosk "*"), and a visit's own figures (its
length, where it ended) are added when the kiosk ends it. Nothing is summed later, so a late batch (a
kiosk that was offline) counts like any other, and the Analytics page reads a year's totals without
touching raw events. Every figure of a visit counts on the day and hour it **started**, on the museum's
clock (KIOSK_TIMEZONE): a visit past midnight is one visit of the day before.

Durations come from the kiosk's own clock: an open's ``ms`` is how long the event was on screen (until the
next event, the visitor closing it or the kiosk starting again), a session's ``ms`` its length from the
first touch to the last. Raw events and sessions are kept KIOSK_ANALYTICS_RETENTION_DAYS, daily totals
for good.
"""

from __future__ import annotations

import logging
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import CursorResult, Result, delete, func, select, text, update

from ..database import insert_or_ignore
from ..extensions import db
from ..models import AnalyticsDay, AnalyticsSession, DailyTotal, Event, VisitorEvent, utcnow
from . import contract

log = logging.getLogger(__name__)

EVERY_KIOSK = "*"  # the totals of every kiosk together (no kiosk's name can be "*")
EVENT_TYPES = contract.EVENT_TYPES
# What a visitor does, counted as interactions (the rest mark a session's beginning and end).
INTERACTIONS = EVENT_TYPES - {"session-start", "idle-reset", "session-end"}
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
# How far the kiosk's own measure of its clock offset may lie below the server's (the request's delay
# at most): a kiosk's report cannot move its events by more.
MAX_REQUEST_DELAY_MS = 60_000
LENGTH_BUCKETS = (
    (30, _l("under 30 s")),
    (60, _l("30 s – 1 min")),
    (120, _l("1–2 min")),
    (300, _l("2–5 min")),
    (600, _l("5–10 min")),
)
LONGEST_BUCKET = _l("10 min or more")
# The figures the report lists under "Other things visitors did", in this order.
OTHER_ACTIONS = ("swipe", "era", "scrub", "photo", "preference", "language", "start-again", "place")


@dataclass
class Ingested:
    """What became of a batch's events: stored, already stored (sent twice), too old to keep, over the
    kiosk's daily cap, refused (each with its reason), and how many had times the server moved back to
    the present (the kiosk's clock was set back between recording and sending)."""

    stored: int = 0
    duplicates: int = 0
    expired: int = 0
    capped: int = 0
    refused: list[tuple[Any, str]] = field(default_factory=list)
    clamped: int = 0

    def answer(self) -> dict:
        return {
            "stored": self.stored,
            "duplicates": self.duplicates,
            "expired": self.expired,
            "capped": self.capped,
            "clamped": self.clamped,
            "refused": [{"id": _id_of(item), "reason": reason} for item, reason in self.refused],
        }


def _id_of(item: Any) -> str | None:
    value = item.get("id") if isinstance(item, dict) else None
    return value if isinstance(value, str) and len(value) <= 36 else None


# ---------- Clocks ----------


def now() -> datetime:
    """The server's time (naive UTC). Tests move it through app.extensions["telemetry_clock"]."""
    clock = current_app.extensions.get("telemetry_clock")
    return clock() if clock else utcnow()


def museum_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("TIMEZONE") or "UTC")


def local_time(moment: datetime) -> datetime:
    """A stored (naive UTC) time on the museum's clock."""
    return moment.replace(tzinfo=UTC).astimezone(museum_zone())


def today() -> date:
    return local_time(now()).date()


def retention_days() -> int:
    return max(1, int(current_app.config.get("ANALYTICS_RETENTION_DAYS", 90)))


def events_per_kiosk_day() -> int:
    return max(1, int(current_app.config.get("ANALYTICS_EVENTS_PER_KIOSK_DAY", 100_000)))


def _ms(moment: datetime) -> int:
    return int(moment.replace(tzinfo=UTC).timestamp() * 1000)


def _moment(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC).replace(tzinfo=None)


def clock_offset(sent_at: float, kiosk_offset: float | None, at: datetime) -> int:
    """Milliseconds to add to the kiosk's times to put them on the server's clock.

    ``at`` minus ``sent_at`` over-states it by the request's delay; the kiosk's own measure (half its
    reports' round trip, kiosk_offset) is believed within MAX_REQUEST_DELAY_MS below that, never above."""
    naive = _ms(at) - round(sent_at)
    if kiosk_offset is None:
        return naive
    return min(naive, max(naive - MAX_REQUEST_DELAY_MS, round(kiosk_offset)))


# ---------- Reading a batch ----------


@dataclass
class Batch:
    """A batch's events as rows on the server's clock (their day and hour come with their session)."""

    rows: list[dict]
    result: Ingested


def read_batch(kiosk: str, data: Any, received_at: datetime | None = None) -> Batch:
    """The batch's events as rows, or contract.ReportRefused when the batch is wrong as a whole. An event
    that is wrong on its own is refused alone; one dated after the batch was received (a clock set back)
    is moved to that moment; one older than the retention period is dropped."""
    checked = contract.check_batch(data)
    received_at = received_at or now()
    result = Ingested(refused=checked.refused)
    offset = clock_offset(checked.sent_at, checked.clock_offset, received_at)
    latest, oldest_kept = _ms(received_at), today() - timedelta(days=retention_days())
    rows: dict[str, dict] = {}
    for item in checked.events:
        at = round(item["at"]) + offset
        if at > latest:
            at, result.clamped = latest, result.clamped + 1
        if at < 0:
            result.refused.append((item, "at is before 1970 on the server's clock"))
            continue
        moment = _moment(at)
        if local_time(moment).date() <= oldest_kept:
            result.expired += 1
            continue
        uid = item["id"].lower()
        rows.setdefault(
            uid,
            {
                "uid": uid,
                "kiosk": kiosk,
                "session": item["session"].lower(),
                "type": item["type"],
                "subject": item.get("subject", ""),
                "value_ms": round(item.get("ms", 0)),
                "at": moment,
            },
        )
    return Batch(sorted(rows.values(), key=_event_order), result)


def _event_order(row: dict) -> tuple:
    """Time order; at the same moment, a session's start first and its end last."""
    rank = {"session-start": 0, "idle-reset": 2, "session-end": 3}.get(row["type"], 1)
    return (row["at"], rank)


# ---------- Storing, and summing as events arrive ----------


class _Totals:
    """Increments to daily totals, written in one statement per kiosk key."""

    def __init__(self, kiosk: str):
        self.kiosk = kiosk
        self.added: dict[tuple[date, str, str], list[int]] = defaultdict(lambda: [0, 0])

    def add(self, day: date, metric: str, subject: str = "", count: int = 1, total_ms: int = 0) -> None:
        entry = self.added[(day, metric, subject)]
        entry[0] += count
        entry[1] += total_ms

    def write(self) -> None:
        # In one order everywhere: two batches adding to the same totals (every kiosk's, "*") take their
        # rows' locks in the same order, so neither waits for the other in a circle (PostgreSQL).
        changes = sorted(item for item in self.added.items() if item[1] != [0, 0])
        if not changes:
            return
        for kiosk in (self.kiosk, EVERY_KIOSK):
            rows = [
                {"kiosk": kiosk, "day": d, "metric": m, "subject": s, "count": c, "total_ms": t}
                for (d, m, s), (c, t) in changes
            ]
            statement = insert_or_ignore(DailyTotal).values(rows)
            db.session.execute(
                statement.on_conflict_do_update(
                    index_elements=["kiosk", "day", "metric", "subject"],
                    set_={
                        "count": DailyTotal.count + statement.excluded.count,
                        "total_ms": DailyTotal.total_ms + statement.excluded.total_ms,
                    },
                )
            )


def whole_seconds(ms: int) -> int:
    """Milliseconds to whole seconds, a half rounded up (15,500 ms is 16 s): how lengths are counted."""
    return (ms + 500) // 1000


def _sessions(kiosk: str, rows: list[dict]) -> tuple[dict[str, AnalyticsSession], set[str]]:
    """The sessions of ``rows``: those already known (locked for this transaction), and new ones made
    from their first event here (its start, ideally), not yet added to the database."""
    uids = {row["session"] for row in rows}
    known = {
        session.uid: session
        for session in db.session.scalars(
            select(AnalyticsSession)
            .where(AnalyticsSession.kiosk == kiosk, AnalyticsSession.uid.in_(uids))
            .with_for_update()
        )
    }
    found, new = dict(known), set()
    for row in rows:  # in time order, a start before the rest of its moment
        if row["session"] in found:
            continue
        local = local_time(row["at"])
        found[row["session"]] = AnalyticsSession(
            kiosk=kiosk,
            uid=row["session"],
            day=local.date(),
            hour=local.hour,
            started_at=row["at"],
            interactions=0,
            last_open="",
        )
        new.add(row["session"])
    return found, new


def _cap(kiosk: str, rows: list[dict], result: Ingested) -> list[dict]:
    """At most KIOSK_ANALYTICS_EVENTS_PER_KIOSK_DAY records a kiosk and day: the rest are not kept."""
    cap, kept = events_per_kiosk_day(), []
    days = {row["day"] for row in rows}
    stored = dict(
        db.session.execute(
            select(DailyTotal.day, DailyTotal.count).where(
                DailyTotal.kiosk == kiosk, DailyTotal.metric == "records", DailyTotal.day.in_(days)
            )
        ).all()
    )
    for row in rows:
        if stored.get(row["day"], 0) >= cap:
            result.capped += 1
            continue
        stored[row["day"]] = stored.get(row["day"], 0) + 1
        kept.append(row)
    return kept


def ingest(kiosk: str, batch: Batch) -> Ingested:
    """Store a batch's events (each once) and add them to the totals, in the caller's transaction."""
    result = batch.result
    if not batch.rows:
        return result
    sessions, new = _sessions(kiosk, batch.rows)
    for row in batch.rows:
        row["day"] = sessions[row["session"]].day
        row["hour"] = local_time(row["at"]).hour
    rows = _cap(kiosk, batch.rows, result)
    if not rows:
        return result
    statement = insert_or_ignore(VisitorEvent).values(rows).on_conflict_do_nothing(index_elements=["uid"])
    # RETURNING lists the rows written (not those already there) on SQLite and PostgreSQL alike.
    written = set(db.session.scalars(statement.returning(VisitorEvent.uid)))
    stored = [row for row in rows if row["uid"] in written]
    result.stored, result.duplicates = len(stored), len(rows) - len(stored)
    _add_up(kiosk, stored, sessions, new)
    return result


def _add_up(kiosk: str, rows: list[dict], sessions: dict[str, AnalyticsSession], new: set[str]) -> None:
    """Add newly stored events (in time order) to their sessions and their sessions' days' totals."""
    totals = _Totals(kiosk)
    for uid in sorted({row["session"] for row in rows} & new):
        session = sessions[uid]
        db.session.add(session)
        totals.add(session.day, "sessions")
        totals.add(session.day, "session-hour", f"{session.hour:02d}")
    for row in rows:
        session, kind = sessions[row["session"]], row["type"]
        day = session.day
        totals.add(day, "records")
        totals.add(day, kind, row["subject"], 1, row["value_ms"] if kind == "open" else 0)
        if kind in INTERACTIONS:
            session.interactions += 1
            totals.add(day, "interactions")
        if kind == "open":
            _opened(session, row, totals)
        elif kind == "session-end" and session.length_ms is None:
            session.length_ms = min(row["value_ms"], contract.MAX_DURATION_MS)
            totals.add(day, "sessions", "", 0, session.length_ms)
            totals.add(day, "session-length", str(whole_seconds(session.length_ms)))
            if session.last_open:
                totals.add(day, "last", session.last_open)
    db.session.flush()
    totals.write()


def _opened(session: AnalyticsSession, row: dict, totals: _Totals) -> None:
    """The latest event a session opened is where it ended; a late-arriving later one moves it."""
    if session.last_open_at is not None and row["at"] < session.last_open_at:
        return
    if session.length_ms is not None and session.last_open and session.last_open != row["subject"]:
        totals.add(session.day, "last", session.last_open, -1)
        totals.add(session.day, "last", row["subject"])
    elif session.length_ms is not None and not session.last_open:
        totals.add(session.day, "last", row["subject"])
    session.last_open, session.last_open_at = row["subject"], row["at"]


# ---------- Summing a day again from its raw events ----------


def _lock_totals() -> None:
    """Hold off every batch until this transaction ends: SQLite's first write takes its one write lock;
    PostgreSQL locks the three tables a batch writes, in the order a batch first touches them, and waits
    for batches under way (reads go on)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            text("LOCK TABLE analytics_session, visitor_event, analytics_daily_total IN EXCLUSIVE MODE")
        )


def sum_again(day: date) -> int:
    """Rewrite a day's totals and sessions from its raw events, in one transaction (batches for that
    day wait meanwhile); the events a day had before totals were kept as events arrive. Returns the
    number of raw events read. The caller commits."""
    _lock_totals()
    db.session.execute(delete(DailyTotal).where(DailyTotal.day == day))
    db.session.execute(delete(AnalyticsSession).where(AnalyticsSession.day == day))
    query = (
        select(
            VisitorEvent.uid,
            VisitorEvent.kiosk,
            VisitorEvent.session,
            VisitorEvent.type,
            VisitorEvent.subject,
            VisitorEvent.value_ms,
            VisitorEvent.at,
            VisitorEvent.day,
        )
        .where(VisitorEvent.day == day)
        .order_by(VisitorEvent.kiosk, VisitorEvent.at)
    )
    by_kiosk: dict[str, list[dict]] = defaultdict(list)
    for row in db.session.execute(query).mappings():
        by_kiosk[row["kiosk"]].append(dict(row))
    for kiosk, rows in by_kiosk.items():
        rows.sort(key=_event_order)
        sessions, new = _sessions(kiosk, rows)
        for uid in new:  # counted on the day its events were stored under
            sessions[uid].day = day
        _add_up(kiosk, rows, sessions, new)
    db.session.execute(
        update(AnalyticsDay).where(AnalyticsDay.day == day).values(stale=False, rolled_at=utcnow())
    )
    return sum(len(rows) for rows in by_kiosk.values())


@dataclass
class Tidied:
    days: list[date] = field(default_factory=list)
    expired_events: int = 0


def _changed(result: Result) -> int:
    """Rows an INSERT, UPDATE or DELETE wrote (an executed DML statement's result is a CursorResult)."""
    return cast(CursorResult, result).rowcount or 0


def tidy() -> Tidied:
    """Sum again the days marked for it, then drop raw events and sessions past the retention period.

    Safe at any time and from several workers at once (the Analytics page, the kiosks' batches now and
    then, `flask analytics rollup` from a timer)."""
    done = Tidied()
    oldest_kept = today() - timedelta(days=retention_days())
    for day in db.session.scalars(select(AnalyticsDay.day).where(AnalyticsDay.stale.is_(True))).all():
        if day > oldest_kept:
            sum_again(day)
            done.days.append(day)
        else:  # its raw events are gone: the totals it has are all it will have
            db.session.execute(update(AnalyticsDay).where(AnalyticsDay.day == day).values(stale=False))
        db.session.commit()
    done.expired_events = _changed(
        db.session.execute(delete(VisitorEvent).where(VisitorEvent.day <= oldest_kept))
    )
    db.session.execute(delete(AnalyticsSession).where(AnalyticsSession.day <= oldest_kept))
    db.session.commit()
    return done


def days_to_sum_again() -> bool:
    return (
        db.session.scalar(select(AnalyticsDay.day).where(AnalyticsDay.stale.is_(True)).limit(1)) is not None
    )


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

    @property
    def interactions_per_session(self) -> float:
        return self.interactions / self.sessions if self.sessions else 0.0


def _summed(since: date, until: date, kiosk: str) -> dict[str, dict[str, tuple[int, int]]]:
    """The period's totals by figure and subject, summed by the database."""
    query = (
        select(
            DailyTotal.metric, DailyTotal.subject, func.sum(DailyTotal.count), func.sum(DailyTotal.total_ms)
        )
        .where(DailyTotal.kiosk == (kiosk or EVERY_KIOSK), DailyTotal.day >= since, DailyTotal.day <= until)
        .group_by(DailyTotal.metric, DailyTotal.subject)
    )
    summed: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
    for metric, subject, count, total_ms in db.session.execute(query):
        summed[metric][subject] = (int(count or 0), int(total_ms or 0))
    return summed


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
    if days_to_sum_again():
        tidy()
    summed = _summed(since, until, kiosk)
    counts: dict[str, Counter] = defaultdict(Counter)
    for metric, subjects in summed.items():
        counts[metric] = Counter({subject: count for subject, (count, _ms) in subjects.items()})
    opens = counts["open"]
    reading = Counter({slug: total for slug, (_count, total) in summed.get("open", {}).items()})
    names = headlines(set(opens) | set(counts["last"]))

    def described(slug: str) -> dict:
        count = opens[slug]
        return {
            "slug": slug,
            "headline": names.get(slug, slug),
            "opens": count,
            "reading_seconds": reading[slug] / 1000,
            "mean_seconds": reading[slug] / 1000 / count if count else 0.0,
        }

    per_day_query = select(DailyTotal.day, DailyTotal.count).where(
        DailyTotal.kiosk == (kiosk or EVERY_KIOSK),
        DailyTotal.metric == "sessions",
        DailyTotal.day >= since,
        DailyTotal.day <= until,
    )
    per_day = dict(db.session.execute(per_day_query).all())
    histogram = Counter({int(seconds): count for seconds, count in counts["session-length"].items()})
    days = [since + timedelta(days=offset) for offset in range((until - since).days + 1)]
    other = [
        (kind, subject, count)
        for kind in OTHER_ACTIONS
        for subject, count in sorted(counts[kind].items(), key=lambda item: (-item[1], item[0]))
        if count
    ]
    return Report(
        since=since,
        until=until,
        kiosk=kiosk,
        sessions_per_day=[(day, per_day.get(day, 0)) for day in days],
        sessions_per_hour=[counts["session-hour"][f"{hour:02d}"] for hour in range(24)],
        session_lengths=_length_buckets(histogram),
        median_session_seconds=_median_from_histogram(histogram),
        sessions=counts["sessions"][""],
        interactions=counts["interactions"][""],
        top_opened=[described(slug) for slug, _count in _top(opens, top)],
        top_read=[described(slug) for slug, _ms in _top(reading, top)],
        last_seen=[
            {"slug": slug, "headline": names.get(slug, slug), "sessions": count}
            for slug, count in _top(counts["last"], top)
        ],
        attract_interruptions=counts["session-start"]["attract"],
        attract_starts=sum(counts["idle-reset"].values()),
        still_there_answered=sum(counts["idle-continue"].values()),
        other_actions=other,
    )


def _top(counter: Counter, top: int) -> list[tuple[str, int]]:
    """The largest first, ties in name order (so the page and a test agree on which ten are shown)."""
    return sorted(((key, value) for key, value in counter.items() if value > 0), key=lambda i: (-i[1], i[0]))[
        :top
    ]


CSV_FIELDS = ("day", "kiosk", "metric", "subject", "count", "total_seconds")


def csv_rows(since: date, until: date, kiosk: str = "") -> Iterator[tuple]:
    """Every daily total of the period, per kiosk (the totals of every kiosk together are left out: they
    are the sums of these), read from the database a few thousand at a time."""
    query = select(
        DailyTotal.day,
        DailyTotal.kiosk,
        DailyTotal.metric,
        DailyTotal.subject,
        DailyTotal.count,
        DailyTotal.total_ms,
    ).where(DailyTotal.day >= since, DailyTotal.day <= until)
    query = query.where(DailyTotal.kiosk == kiosk) if kiosk else query.where(DailyTotal.kiosk != EVERY_KIOSK)
    query = query.order_by(DailyTotal.kiosk, DailyTotal.day, DailyTotal.metric, DailyTotal.subject)
    for day, name, metric, subject, count, total_ms in db.session.execute(
        query.execution_options(yield_per=5000)
    ):
        yield day.isoformat(), name, metric, subject, count, total_ms / 1000


def known_kiosks() -> list[str]:
    """Every kiosk with figures, found by stepping through the totals' index from one name to the next
    (a plain DISTINCT would read every total of every day)."""
    found = text(
        "WITH RECURSIVE names(name) AS ("
        " SELECT MIN(kiosk) FROM analytics_daily_total"
        " UNION ALL SELECT (SELECT MIN(kiosk) FROM analytics_daily_total WHERE kiosk > names.name)"
        " FROM names WHERE names.name IS NOT NULL)"
        " SELECT name FROM names WHERE name IS NOT NULL"
    )
    return sorted(name for name in db.session.scalars(found) if name != EVERY_KIOSK)
