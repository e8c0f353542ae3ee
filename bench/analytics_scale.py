"""A year of a busy museum: 20 kiosks × 2,000 sessions a day, and how the Analytics page, its CSV and the
Kiosks page cope.

Today's visits go through the real intake code (kiosk.telemetry.analytics.read_batch and ingest, in this
process, a batch of 100 events at a time, as kiosks send them), which sums them as they arrive; the 364 days
before are today's daily totals copied back day by day (the database copies them: what summing as events
arrive would have left, without a year of raw events the server no longer keeps after 90 days). Then,
against gunicorn (kiosk/gunicorn_conf.py): the Analytics page for the year (every kiosk, and one), for the
last 30 days, the CSV of the year (time to the first byte, in all, its size, the worker's memory), and the
Kiosks page with 5,000 kiosks on the list.
Goal: the Analytics page under 1 s for the year; the CSV streamed (the worker's memory does not grow with
it).
Run: .venv/bin/python bench/analytics_scale.py [sessions a kiosk a day, default 2000] [days, default 365]
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from datetime import timedelta

from _support import KIOSK_APP, Gunicorn, machine, prepare_data_dir, resident_mb, temporary_folder
from analytics_load import Curator, make_curators

KIOSKS = 20
BATCH = 100
GOAL_SECONDS = 1.0


def visits(rng: random.Random, slugs: list[str], eras: list[str], start_ms: int, count: int, spread_ms: int):
    """``count`` visits of one kiosk, spread over ``spread_ms`` from ``start_ms``: each wakes the kiosk,
    opens a few events (on screen 5 s to 3 min each), swipes, now and then jumps to an era, chooses a
    language or larger text, and walks away."""
    events: list[dict] = []

    def add(session: str, at: int, kind: str, subject: str = "", ms: int = 0) -> None:
        event = {"id": f"{rng.getrandbits(128):032x}", "session": session, "type": kind, "at": at}
        events.append(event | ({"subject": subject} if subject else {}) | ({"ms": ms} if ms else {}))

    for number in range(count):
        session = f"{rng.getrandbits(128):032x}"
        at = began = start_ms + number * spread_ms // count
        add(session, at, "session-start", "attract" if rng.random() < 0.7 else "")
        for _ in range(rng.randint(1, 6)):
            if rng.random() < 0.2:
                add(session, at, "era", rng.choice(eras))
            if rng.random() < 0.1:
                add(session, at, "language", rng.choice(["ru", "uk"]))
            if rng.random() < 0.05:
                add(session, at, "preference", "text-large:on")
            reading = rng.randint(5_000, 180_000)
            add(session, at, "open", rng.choice(slugs), reading)
            at += reading
            add(session, at, "swipe", rng.choice(["next", "prev"]))
        add(session, at, "idle-reset")
        add(session, at, "session-end", "", at - began)
    return events


def fill_today(sessions: int) -> tuple[float, int]:
    """Every kiosk's visits of today through the intake's own code; (seconds, events)."""
    from kiosk.extensions import db
    from kiosk.models import Era, Event
    from kiosk.telemetry import analytics, fleet

    slugs = list(db.session.scalars(db.select(Event.slug)))
    eras = [f"era-{slug}" for slug in db.session.scalars(db.select(Era.slug))]
    zone_midnight = analytics.local_time(analytics.now()).replace(hour=0, minute=0, second=0, microsecond=0)
    start_ms = int(zone_midnight.timestamp() * 1000)
    spread_ms = max(60_000, int(analytics.now().timestamp() * 1000) - start_ms - 4 * 3_600_000)
    rng, stored, began = random.Random(7), 0, time.perf_counter()
    for number in range(1, KIOSKS + 1):
        name = f"gallery-{number}"
        fleet.add_kiosk(name)
        db.session.commit()
        events = visits(rng, slugs, eras, start_ms, sessions, spread_ms)
        for first in range(0, len(events), BATCH):
            body = {"sent_at": int(time.time() * 1000), "events": events[first : first + BATCH]}
            stored += analytics.ingest(name, analytics.read_batch(name, body)).stored
            db.session.commit()
    return time.perf_counter() - began, stored


def copy_back(days: int) -> int:
    """Today's totals, as those of each of the ``days`` - 1 days before (copied by the database)."""
    from kiosk.extensions import db
    from kiosk.telemetry import analytics

    today = analytics.today()
    columns = "kiosk, day, metric, subject, count, total_ms"
    for back in range(1, days):
        db.session.execute(
            db.text(
                f"INSERT INTO analytics_daily_total ({columns}) SELECT kiosk, :day, metric, subject, count, "
                "total_ms FROM analytics_daily_total WHERE day = :today"
            ),
            {"day": today - timedelta(days=back), "today": today},
        )
    db.session.commit()
    return db.session.scalar(db.text("SELECT COUNT(*) FROM analytics_daily_total"))


def many_kiosks(count: int) -> None:
    from kiosk.extensions import db
    from kiosk.models import KioskStation, utcnow

    now = utcnow()
    rows = [
        {
            "name": f"screen-{n:05d}",
            "label": "",
            "token_hash": f"{n:064x}",
            "last_seen": now - timedelta(seconds=n),
        }
        for n in range(count)
    ]
    db.session.execute(db.insert(KioskStation), rows)
    db.session.commit()


def timed_get(curator: Curator, path: str, repeat: int = 5) -> tuple[float, float, int]:
    """(first, median of the rest) in seconds, and the page's bytes."""
    timings, size = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        size = len(curator._open(path).read())
        timings.append(time.perf_counter() - started)
    return timings[0], statistics.median(timings[1:]), size


def streamed_csv(curator: Curator, path: str) -> tuple[float, float, int, int]:
    """(seconds to the first byte, seconds in all, bytes, rows) of a download read as it arrives."""
    started = time.perf_counter()
    response = curator._open(path)
    first = response.read(1)
    first_byte = time.perf_counter() - started
    size, lines = len(first), first.count(b"\n")
    while chunk := response.read(1 << 16):
        size += len(chunk)
        lines += chunk.count(b"\n")
    return first_byte, time.perf_counter() - started, size, lines - 1


def main() -> None:
    sessions = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    days = int(sys.argv[2]) if len(sys.argv) > 2 else 365
    print(f"Machine: {machine()}")
    with temporary_folder() as folder:
        data_dir = prepare_data_dir(folder / "data")
        os.environ["KIOSK_DATA_DIR"] = str(data_dir)
        from kiosk import create_app

        app = create_app()
        with app.app_context():
            seconds, stored = fill_today(sessions)
            print(
                f"today: {KIOSKS} kiosks x {sessions} sessions, {stored:,} events through the intake in "
                f"{seconds:.1f} s ({stored / seconds:,.0f} events/s, summed as they arrive)"
            )
            started = time.perf_counter()
            totals = copy_back(days)
            copied = time.perf_counter() - started
            print(f"{days} days of daily totals: {totals:,} rows (copied in {copied:.1f} s)")
            from kiosk.telemetry import analytics

            today = analytics.today()
        size_mb = (data_dir / "kiosk.sqlite3").stat().st_size / 1_000_000
        print(f"database: {size_mb:,.1f} MB")
        make_curators(data_dir)
        with Gunicorn(KIOSK_APP, data_dir) as server:
            curator = Curator(server.url, "anna", 1)
            year = f"since={(today - timedelta(days=days - 1)).isoformat()}&until={today.isoformat()}"
            checks = {
                "the year, every kiosk": f"/admin/analytics?{year}",
                "the year, one kiosk": f"/admin/analytics?{year}&kiosk=gallery-7",
                "the last 30 days": "/admin/analytics",
            }
            for label, path in checks.items():
                first, median, size = timed_get(curator, path)
                verdict = "met" if median < GOAL_SECONDS else "NOT met"
                print(
                    f"analytics page, {label:<22} first {first:.2f} s, then median {median:.3f} s "
                    f"({size:,} bytes) [{verdict}]"
                )
            pids = server.worker_pids()
            before = max(resident_mb(pid) for pid in pids)
            first_byte, total, size, rows = streamed_csv(curator, f"/admin/analytics.csv?{year}")
            after = max(resident_mb(pid) for pid in pids)
            print(
                f"CSV of the year: first byte after {first_byte:.2f} s, all {rows:,} rows "
                f"({size / 1_000_000:,.1f} MB) in {total:.1f} s; largest worker {before:.0f} MB before, "
                f"{after:.0f} MB after"
            )
        with app.app_context():
            many_kiosks(5000)
        with Gunicorn(KIOSK_APP, data_dir) as server:
            curator = Curator(server.url, "anna", 1)
            first, median, size = timed_get(curator, "/admin/kiosks")
            print(
                f"kiosks page, 5,020 kiosks: first {first:.2f} s, then median {median:.3f} s "
                f"({size:,} bytes, 50 a page)"
            )
    print(f"goal: the Analytics page under {GOAL_SECONDS:.0f} s for a year; the CSV streamed")


if __name__ == "__main__":
    main()
