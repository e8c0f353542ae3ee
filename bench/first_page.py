"""`make run` on a checkout that is already set up: seconds until its first page (`/` answering 200).

Each round starts `make run` (its checks, kiosk/prepare.py, then gunicorn with kiosk/gunicorn_conf.py)
on a data folder that was set up before, and times the way there: when gunicorn's master starts
(make's checks and the preparation are behind it) and when `/` first answers 200. The workers warm up
beside serving. Then the same again with every core kept busy by a CPU-bound process beside it (a busy
museum server, or another program on the kiosk PC).
Goals: the first page within 3 s, and within 5 s with both cores busy.
Run: .venv/bin/python bench/first_page.py [rounds]
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import time

from _support import ROOT, fetch, free_port, machine, prepare_data_dir, temporary_folder

GOAL_SECONDS, BUSY_GOAL_SECONDS = 3.0, 5.0
BUSY_LOOP = "while True: pass"


class BusyCores:
    """One CPU-bound process per core, at normal priority, for as long as the block lasts."""

    def __enter__(self):
        self.loops = [subprocess.Popen([sys.executable, "-c", BUSY_LOOP]) for _ in range(os.cpu_count() or 2)]
        time.sleep(1)  # let them take the cores
        return self

    def __exit__(self, *exc):
        for loop in self.loops:
            loop.kill()
            loop.wait()


def one_start(data_dir) -> tuple[float, float]:
    port = free_port()
    env = os.environ | {"KIOSK_DATA_DIR": str(data_dir), "PORT": str(port)}
    started = time.monotonic()
    make = subprocess.Popen(
        ["make", "--no-print-directory", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    master = None
    assert make.stdout is not None
    os.set_blocking(make.stdout.fileno(), False)
    try:
        while time.monotonic() - started < 60:
            line = make.stdout.readline()
            if master is None and "Starting gunicorn" in (line or ""):
                master = time.monotonic() - started
            try:
                if fetch(f"http://127.0.0.1:{port}/")[0] == 200:
                    return master or float("nan"), time.monotonic() - started
            except OSError:
                time.sleep(0.02)
        raise RuntimeError("make run served nothing within 60 s")
    finally:
        os.killpg(make.pid, signal.SIGTERM)
        make.wait(timeout=30)


def report(label: str, timings: list[tuple[float, float]], goal: float) -> None:
    firsts = [first for _, first in timings]
    print(
        f"make run, already set up, {label} ({len(timings)} starts): gunicorn's master after "
        f"{statistics.median(m for m, _ in timings):.2f} s (median); first page after median "
        f"{statistics.median(firsts):.2f} s, slowest {max(firsts):.2f} s   "
        f"ratio to goal {max(firsts) / goal:.2f}  (goal <= {goal:.0f} s)"
    )


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    print(f"Machine: {machine()}")
    with temporary_folder() as folder:
        data_dir = prepare_data_dir(folder / "data")
        one_start(data_dir)  # the first run of this data folder builds what is missing
        quiet = [one_start(data_dir) for _ in range(rounds)]
        with BusyCores():
            busy = [one_start(data_dir) for _ in range(rounds)]
    report("quiet", quiet, GOAL_SECONDS)
    report(f"every core busy ({os.cpu_count()} CPU-bound processes beside it)", busy, BUSY_GOAL_SECONDS)


if __name__ == "__main__":
    main()
