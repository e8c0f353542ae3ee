"""Importing a large file: a 5 MB TimelineJS file of 16,000 events, into the default content.

    .venv/bin/python bench/import_large.py [events]

Prints how long the dry run, the import and a second import that updates every event take, and, for
each, how long another curator's small save had to wait at worst meanwhile: a probe thread saves a
setting (its own session and transaction) over and over while the import runs, so its longest wait is
the longest time the import held the write lock. A dry run should hold it not at all; an import should
hold it for at most about 2 s.
"""

from __future__ import annotations

import json
import os
import random
import sys
import threading
import time

from _support import machine, prepare_data_dir, temporary_folder
from generate_events import sentence

from kiosk import create_app
from kiosk.content import settings_store
from kiosk.extensions import db
from kiosk.interchange import importers
from kiosk.models import Era, Event


def timelinejs_file(count: int, eras: list[Era], wording: str = "", seed: int = 1935) -> bytes:
    """A TimelineJS document of ``count`` events spread over the eras, ~330 bytes of JSON each."""
    rng = random.Random(seed)
    events = []
    for number in range(count):
        era = eras[number % len(eras)]
        text = sentence(rng, 22)
        events.append(
            {
                "unique_id": f"imported-{number}",
                "start_date": {"year": str(rng.randint(era.start_year, era.end_year)), "month": "5"},
                "text": {
                    "headline": f"Shift report {number}{wording}",
                    "text": f"<p>{text}</p>",
                },
                "group": era.name,
            }
        )
    return json.dumps({"title": {"text": {"headline": "Stakhanov"}}, "events": events}).encode()


class Probe(threading.Thread):
    """Another curator saving something small again and again; records how long each save took."""

    def __init__(self, app):
        super().__init__(daemon=True)
        self.app, self.waits, self.running = app, [], True

    def run(self) -> None:
        with self.app.app_context():
            number = 0
            while self.running:
                number += 1
                started = time.perf_counter()
                settings_store.put("bench_probe", number)
                db.session.commit()
                self.waits.append(time.perf_counter() - started)
                time.sleep(0.02)
            db.session.remove()


def measured(app, label: str, work) -> None:
    probe = Probe(app)
    probe.start()
    time.sleep(0.2)
    started = time.perf_counter()
    report = work()
    took = time.perf_counter() - started
    probe.running = False
    probe.join()
    print(
        f"{label:<34} {took:7.2f} s   {report.summary()}\n"
        f"{'':<34} another save waited at most {max(probe.waits):.2f} s ({len(probe.waits)} saves meanwhile)"
    )


def main(count: int) -> None:
    print(f"Importing {count:,} events. Machine: {machine()}")
    with temporary_folder() as folder:
        prepare_data_dir(folder)
        os.environ["KIOSK_DATA_DIR"] = str(folder)
        app = create_app()
        with app.app_context():
            eras = list(db.session.scalars(db.select(Era).order_by(Era.position)))
            data = timelinejs_file(count, eras)
            changed = timelinejs_file(count, eras, wording=" (revised)")
            print(f"File: {len(data):,} bytes of TimelineJS JSON")
            measured(app, "Dry run", lambda: importers.run(data, source="large.json", dry_run=True))
            measured(app, "Import (all new, drafts)", lambda: importers.run(data, source="large.json"))
            measured(
                app, "Import again (every event updated)", lambda: importers.run(changed, source="large.json")
            )
            total = db.session.scalar(db.select(db.func.count(Event.id)))
            print(f"Events in the database afterwards: {total:,}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 16000)
