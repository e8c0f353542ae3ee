"""Analytics under load: 50 kiosks reporting (visitor events and heartbeats) while 2 curators save events.

Against a real gunicorn (kiosk/gunicorn_conf.py) on a migrated, seeded SQLite database. 2 curators save
events in a loop (each its own event) while a visitor's kiosk opens event fragments: alone; with 50
simulated kiosks at the real rate (a batch of 12 visitor events every 15 s, a report every 60 s); and with
the same 50 kiosks at 15 times that rate (a batch a second), a stress test that also piles up a busy day's
events in a few minutes. Prints curators' save latency and visitors' fragment latency in each phase, the
ingestion throughput, and the Analytics page's time over the events stored.
Goal: at the real rate, saves and visitor pages no slower in a way a person would notice (median within
+50 ms).
The kiosks are enrolled first (`flask kiosks add`), and send what an enrolled kiosk sends.
Run: .venv/bin/python bench/analytics_load.py [seconds of load, default 30]
"""

from __future__ import annotations

import http.cookiejar
import json
import random
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from _support import BIN, KIOSK_APP, ROOT, Gunicorn, machine, prepare_data_dir, temporary_folder

from tests.admin.conftest import form_values

KIOSKS = 50
SEND_SECONDS = 15  # as kiosks send by default (KIOSK_ANALYTICS_SEND_SECONDS); a report every 4 batches
STRESS = 15  # the stress phase's speed-up: a batch every second
EVENTS_PER_BATCH = 12
PASSWORD = "coal-seam lamp 1935 pick"
GOAL_EXTRA_MS = 50
SLUGS = ["born-in-lugovaya", "record-shift-102-tonnes", "declared-a-world-record", "hired-out-as-a-boy"]
FRAGMENT = "/events/record-shift-102-tonnes"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] if ordered else float("nan")


class Curator:
    """A curator's browser: signs in, then opens an event's form and saves it with a changed summary."""

    def __init__(self, base: str, username: str, event_id: int):
        self.base, self.event_id = base, event_id
        cookies = urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        self.opener = urllib.request.build_opener(cookies)
        page = self._open("/admin/login").read().decode()
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        form = {"username": username, "password": PASSWORD, "csrf_token": token}
        self._open("/admin/login", form)
        self.saves = 0

    def _open(self, path: str, form: dict | None = None):
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        return self.opener.open(self.base + path, data=data, timeout=60)

    def save(self) -> float:
        edit = f"/admin/events/{self.event_id}/edit"
        html = self._open(edit).read().decode()
        values = form_values(html, edit)
        token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
        self.saves += 1
        values |= {"csrf_token": token, "summary": f"Saved {self.saves} times under load.", "action": "save"}
        started = time.perf_counter()
        page = self._open(edit, values).read().decode()  # the save, and the form it returns to
        if "Saved “" not in page:
            raise RuntimeError("the save was not confirmed")
        return time.perf_counter() - started


def post_json(url: str, body: dict, token: str) -> int:
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


class SimulatedKiosk(threading.Thread):
    """Visitors come and go; their events are posted as a batch every ``period`` seconds, and the kiosk
    reports in every fourth time."""

    def __init__(self, base: str, number: int, period: float, stop: threading.Event, tally: dict, token: str):
        super().__init__(daemon=True)
        self.base, self.name, self.stop, self.tally = base, f"gallery-{number}", stop, tally
        self.token = token
        self.period = period
        self.random = random.Random(number)
        self.session = ""

    def visitor_events(self) -> list[dict]:
        now = int(time.time() * 1000)
        events = []
        for offset in range(EVENTS_PER_BATCH):
            if not self.session or self.random.random() < 0.08:
                self.session = f"{self.random.getrandbits(128):032x}"
                kind, subject, ms = "session-start", "attract", 0
            else:
                kind = self.random.choice(["open", "open", "swipe", "era", "preference"])
                subject = self.random.choice(SLUGS) if kind == "open" else "next"
                ms = self.random.randint(2_000, 90_000) if kind == "open" else 0
            event = {"id": f"{self.random.getrandbits(128):032x}", "session": self.session, "type": kind}
            events.append(event | {"at": now - 1000 + offset * 50, "subject": subject, "ms": ms})
        return events

    def run(self) -> None:
        beat = 0
        self.stop.wait(self.random.uniform(0, self.period))  # kiosks are not in step
        while not self.stop.is_set():
            started = time.monotonic()
            events = self.visitor_events()
            body = {"sent_at": int(time.time() * 1000), "events": events}
            status = post_json(self.base + "/analytics/events", body, self.token)
            with self.tally["lock"]:
                self.tally["batches" if status == 202 else "failed"] += 1
                self.tally["events"] += len(events) if status == 202 else 0
            if beat % 4 == 0:
                report = {
                    "sent_at": int(time.time() * 1000),
                    "version": "1-bench",
                    "screen": "1920x1080",
                    "online": True,
                    "queued": 0,
                    "error": None,
                }
                status = post_json(self.base + "/fleet/heartbeat", report, self.token)
                with self.tally["lock"]:
                    self.tally["heartbeats" if status == 200 else "failed"] += 1
            beat += 1
            self.stop.wait(max(0.0, self.period - (time.monotonic() - started)))


def measure(base: str, curators: list[Curator], seconds: float) -> tuple[list[float], list[float]]:
    """Curators save in a loop and a visitor's kiosk opens a fragment every 100 ms, for ``seconds``."""
    saves: list[float] = []
    fragments: list[float] = []
    until = time.monotonic() + seconds

    def curate(curator: Curator) -> None:
        while time.monotonic() < until:
            saves.append(curator.save())

    def visit() -> None:
        while time.monotonic() < until:
            request = urllib.request.Request(base + FRAGMENT, headers={"HX-Request": "true"})
            started = time.perf_counter()
            with urllib.request.urlopen(request, timeout=60) as response:
                response.read()
            fragments.append(time.perf_counter() - started)
            time.sleep(0.1)

    threads = [threading.Thread(target=curate, args=(curator,)) for curator in curators]
    threads.append(threading.Thread(target=visit))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return saves, fragments


def make_curators(data_dir: Path) -> None:
    env = {"KIOSK_DATA_DIR": str(data_dir), "FLASK_APP": "kiosk"}
    for name in ("anna", "ben"):
        command = [BIN / "flask", "users", "create", name]
        subprocess.run(command, input=PASSWORD, text=True, env=env, cwd=ROOT, check=True, capture_output=True)


def summary(timings: list[float]) -> str:
    median, p95 = statistics.median(timings) * 1000, percentile(timings, 0.95) * 1000
    return f"median {median:6.1f} ms, p95 {p95:7.1f} ms ({len(timings):3d})"


def enrol_kiosks(data_dir: Path) -> list[str]:
    """Each simulated kiosk's token, as `flask kiosks add` gives an administrator its start address."""
    env = {"KIOSK_DATA_DIR": str(data_dir), "FLASK_APP": "kiosk"}
    tokens = []
    for number in range(1, KIOSKS + 1):
        command = [BIN / "flask", "kiosks", "add", f"gallery-{number}"]
        address = subprocess.run(
            command, env=env, cwd=ROOT, check=True, capture_output=True, text=True
        ).stdout
        tokens.append(address.strip().split("#token=")[1])
    return tokens


def under_load(base: str, curators: list[Curator], seconds: float, speed: float, tokens: list[str]) -> tuple:
    stop = threading.Event()
    tally = {"lock": threading.Lock(), "batches": 0, "events": 0, "heartbeats": 0, "failed": 0}
    period = SEND_SECONDS / speed
    kiosks = [
        SimulatedKiosk(base, number, period, stop, tally, tokens[number - 1])
        for number in range(1, KIOSKS + 1)
    ]
    started = time.monotonic()
    for kiosk in kiosks:
        kiosk.start()
    timings = measure(base, curators, seconds)
    stop.set()
    for kiosk in kiosks:
        kiosk.join()
    return timings, tally, time.monotonic() - started


def main() -> None:
    load_seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 30
    print(f"Machine: {machine()}")
    with temporary_folder() as folder:
        data_dir = prepare_data_dir(folder / "data")
        make_curators(data_dir)
        tokens = enrol_kiosks(data_dir)
        # Fifty kiosks from one address here; on a museum's network each has its own.
        with Gunicorn(KIOSK_APP, data_dir, KIOSK_REPORTS_PER_ADDRESS_MINUTE="100000") as server:
            curators = [Curator(server.url, "anna", 1), Curator(server.url, "ben", 2)]
            phases = {"alone": (measure(server.url, curators, load_seconds), None, 0.0)}
            phases["50 kiosks"] = under_load(server.url, curators, load_seconds, 1, tokens)
            phases[f"50 kiosks x{STRESS}"] = under_load(server.url, curators, load_seconds, STRESS, tokens)
            page_started = time.perf_counter()
            curators[0]._open("/admin/analytics").read()
            page_seconds = time.perf_counter() - page_started

    alone_save, alone_fragment = (statistics.median(timings) for timings in phases["alone"][0])
    stored = 0
    for name, ((saves, fragments), tally, elapsed) in phases.items():
        extra_save = (statistics.median(saves) - alone_save) * 1000
        extra_fragment = (statistics.median(fragments) - alone_fragment) * 1000
        print(
            f"{name:<15} curator save {summary(saves)}   visitor fragment {summary(fragments)}"
            + (f"   extra medians {extra_save:+.1f} / {extra_fragment:+.1f} ms" if tally else "")
        )
        if tally:
            stored += tally["events"]
            rates = {key: tally[key] / elapsed for key in ("batches", "events", "heartbeats")}
            print(
                f"{'':<15} ingestion {rates['batches']:5.1f} batches/s, {rates['events']:4.0f} events/s, "
                f"{rates['heartbeats']:4.1f} reports/s; {tally['failed']} refused or failed"
            )
    print(f"goal: at the real rate, extra medians <= +{GOAL_EXTRA_MS} ms")
    print(f"analytics page over today's {stored} raw events: {page_seconds * 1000:.0f} ms")


if __name__ == "__main__":
    main()
