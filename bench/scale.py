"""Scale: `/` with 5,000 events against `/` with the default content, and each worker's memory.

Two data folders (the default 30 events; the same plus generated ones, 5,000 in all), each served by
gunicorn with kiosk/gunicorn_conf.py. `/` is timed as rendered (the page cache off: the cost after every
publish) and as visitors usually get it (cache on). Then every era and a sample of event pages are
requested and each worker's resident memory read from /proc.
Goals: ratio <= 3; every worker < 150 MB.   Run: .venv/bin/python bench/scale.py
"""

from __future__ import annotations

import re
import statistics

from _support import (
    KIOSK_APP,
    Gunicorn,
    fetch,
    machine,
    median_seconds,
    prepare_data_dir,
    resident_mb,
    temporary_folder,
)

TOTAL_EVENTS = 5000
DEFAULT_EVENTS = 30
GOAL_RATIO = 3
GOAL_MB = 150


def index_times(small, large, cache: bool, repeat: int = 40) -> tuple[float, float, int, int]:
    """Both servers run at once and the requests alternate, so that other work on the machine falls on
    both alike; each figure is the median of its requests."""
    env = {"KIOSK_PAGE_CACHE": "1" if cache else "0"}
    with Gunicorn(KIOSK_APP, small, **env) as first, Gunicorn(KIOSK_APP, large, **env) as second:
        sizes = [len(fetch(server.url + "/")[1]) for server in (first, second)]
        timings: tuple[list[float], list[float]] = ([], [])
        for _ in range(repeat):
            for server, bucket in zip((first, second), timings, strict=True):
                bucket.append(median_seconds(server.url + "/", repeat=1))
    return statistics.median(timings[0]), statistics.median(timings[1]), *sizes


def worker_memory(data_dir) -> list[float]:
    """Walk the whole timeline as a visitor scrolling to its end would (every era's every run, as htmx
    fragments and as pages), open a sample of events, then read each worker's resident memory."""
    with Gunicorn(KIOSK_APP, data_dir) as server:
        _, page = fetch(server.url + "/")
        runs = list(re.findall(rb'class="card card--more" href="([^"]+)"', page))
        events = set(re.findall(rb'href="(/events/[^"#]+)"', page))
        requested = 0
        while runs:
            link = runs.pop().decode().replace("&amp;", "&")
            _, fragment = fetch(server.url + link, {"HX-Request": "true"})
            fetch(server.url + link)
            requested += 2
            runs += re.findall(rb'class="card card--more" href="([^"]+)"', fragment)
            events.update(re.findall(rb'href="(/events/[^"#]+)"', fragment))
        for link in sorted(events)[::20]:
            for headers in ({}, {"HX-Request": "true"}):
                fetch(server.url + link.decode(), headers)
                requested += 1
        print(f"  walked {requested} era runs and event pages; the timeline links {len(events)} events")
        return [resident_mb(pid) for pid in server.worker_pids()]


def main() -> None:
    print(f"Machine: {machine()}")
    with temporary_folder() as folder:
        small = prepare_data_dir(folder / "default")
        large = prepare_data_dir(folder / "large", extra_events=TOTAL_EVENTS - DEFAULT_EVENTS)
        for cache in (False, True):
            small_time, large_time, small_size, large_size = index_times(small, large, cache)
            label = "cached" if cache else "rendered"
            print(
                f"/ {label:<8}: default {small_time * 1000:6.1f} ms ({small_size / 1024:.0f} KB), "
                f"{TOTAL_EVENTS} events {large_time * 1000:7.1f} ms ({large_size / 1024:.0f} KB)   "
                f"ratio {large_time / small_time:.2f}  (goal <= {GOAL_RATIO})"
            )
        memory = worker_memory(large)
    print(
        f"worker memory with {TOTAL_EVENTS} events: "
        + ", ".join(f"{mb:.0f} MB" for mb in memory)
        + f"   largest/goal {max(memory) / GOAL_MB:.2f}  (goal < {GOAL_MB} MB each)"
    )


if __name__ == "__main__":
    main()
