"""Restarts under load on gunicorn with kiosk/gunicorn_conf.py: how long a reload and an upgrade
(`python -m kiosk.upgrade`, USR2) stall visitors and whether they refuse any, how long SIGTERM takes to
stop the server, and how soon `make run` serves again after the master is killed (-9).
tests/faults/test_restarts.py and test_upgrade.py assert the behaviour; this measures it.
Goals: a reload and an upgrade refuse nothing and stall < 2 s; SIGTERM stops < 5 s; `make run` serves
again < 5 s after a crash.
Run: .venv/bin/python bench/restarts.py [--config path/to/gunicorn_conf.py]   (to compare another config)
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

from _support import BIN, ROOT, fetch, free_port, machine, prepare_data_dir, temporary_folder

VISITORS = 4


class Load:
    def __init__(self, url: str):
        self.url, self.done, self.refused = url, [], 0
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self.visit, daemon=True) for _ in range(VISITORS)]

    def visit(self) -> None:
        while not self.stop.is_set():
            started = time.monotonic()
            try:
                status, _ = fetch(self.url + "/")
            except OSError:
                self.refused += 1
                time.sleep(0.01)
                continue
            self.done.append((started, time.monotonic(), status))

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join()

    def worst_wait(self, since: float) -> float:
        return max((end - start for start, end, _status in self.done if end >= since), default=0.0)


def serve(config: Path, data_dir: Path, port: int) -> subprocess.Popen:
    env = os.environ | {"KIOSK_DATA_DIR": str(data_dir), "PORT": str(port), "KIOSK_WORKERS": "3"}
    command = [BIN / "gunicorn", "--config", config, "--bind", f"127.0.0.1:{port}", "kiosk:create_app()"]
    return subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def until_serving(url: str, timeout: float = 60) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            if fetch(url + "/")[0] == 200:
                return time.monotonic() - started
        except OSError:
            time.sleep(0.02)
    raise RuntimeError("not serving")


def children(pid: int) -> set[int]:
    return set(map(int, Path(f"/proc/{pid}/task/{pid}/children").read_text().split()))


def reload_under_load(config: Path, data_dir: Path) -> tuple[float, float, int]:
    """The longest wait of any request in the seconds a reload takes, that of the seconds before it (the
    same load without a reload, for comparison on a busy machine), and how many requests were refused."""
    port = free_port()
    master = serve(config, data_dir, port)
    url = f"http://127.0.0.1:{port}"
    try:
        until_serving(url)
        time.sleep(2)
        old = children(master.pid)
        with Load(url) as load:
            time.sleep(1)
            quiet = time.monotonic()
            time.sleep(4)
            sent = time.monotonic()
            master.send_signal(signal.SIGHUP)
            while old & children(master.pid):
                time.sleep(0.05)
            time.sleep(2)
        baseline = max(
            (end - start for start, end, _ in load.done if quiet <= start and end < sent), default=0
        )
        return load.worst_wait(sent), baseline, load.refused
    finally:
        master.terminate()
        master.wait()


def upgrade_under_load(config: Path, data_dir: Path) -> tuple[float, float, int]:
    """The longest wait of any request while `python -m kiosk.upgrade` hands over to a new master, how
    long the command took, and how many requests were refused."""
    port = free_port()
    master = serve(config, data_dir, port)
    url = f"http://127.0.0.1:{port}"
    env = os.environ | {"KIOSK_DATA_DIR": str(data_dir), "PORT": str(port)}
    try:
        until_serving(url)
        time.sleep(2)
        with Load(url) as load:
            time.sleep(1)
            sent = time.monotonic()
            subprocess.run([BIN / "python", "-m", "kiosk.upgrade"], env=env, cwd=ROOT, check=True)
            took = time.monotonic() - sent
            time.sleep(1)
        return load.worst_wait(sent), took, load.refused
    finally:
        newest = int((data_dir / "gunicorn.pid").read_text())
        os.kill(newest, signal.SIGTERM)
        while Path(f"/proc/{newest}").exists():
            time.sleep(0.05)
        master.wait()


def sigterm_under_load(config: Path, data_dir: Path) -> float:
    """Seconds from SIGTERM to the master's exit while visitors keep asking."""
    port = free_port()
    master = serve(config, data_dir, port)
    until_serving(f"http://127.0.0.1:{port}")
    with Load(f"http://127.0.0.1:{port}"):
        time.sleep(2)
        sent = time.monotonic()
        master.send_signal(signal.SIGTERM)
        master.wait()
        return time.monotonic() - sent


def make_run_after_a_crash(config: Path, data_dir: Path) -> float:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    master = serve(config, data_dir, port)
    until_serving(url)
    with Load(url):
        time.sleep(1)
        master.kill()
        master.wait()
        killed = time.monotonic()
    env = os.environ | {"KIOSK_DATA_DIR": str(data_dir), "PORT": str(port)}
    command = ["make", "--no-print-directory", "run"]
    if config != ROOT / "kiosk" / "gunicorn_conf.py":
        command.append(f"GUNICORN_CONF={config}")
    successor = subprocess.Popen(
        command,
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        until_serving(url)
        return time.monotonic() - killed
    finally:
        os.killpg(successor.pid, signal.SIGTERM)
        successor.wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", type=Path, default=ROOT / "kiosk" / "gunicorn_conf.py")
    config = parser.parse_args().config.resolve()
    print(f"Machine: {machine()}; load average {os.getloadavg()[0]:.1f}; {VISITORS} visitors asking for /")
    print(f"Config: {config}")
    with temporary_folder() as folder:
        data_dir = prepare_data_dir(folder / "data")
        stall, baseline, refused = reload_under_load(config, data_dir)
        print(
            f"SIGHUP under load: longest wait {stall:.2f} s (without a reload: {baseline:.2f} s), "
            f"{refused} refused   (goal < 2 s, 0 refused)"
        )
        stall, took, refused = upgrade_under_load(config, data_dir)
        print(
            f"python -m kiosk.upgrade under load: longest wait {stall:.2f} s, the command took {took:.2f} s, "
            f"{refused} refused   (goal < 2 s, 0 refused)"
        )
        stopped = sigterm_under_load(config, data_dir)
        print(f"SIGTERM under load: the master exited after {stopped:.2f} s   (goal < 5 s)")
        back = make_run_after_a_crash(config, data_dir)
        print(f"kill -9 of the master, then make run: serving again after {back:.2f} s   (goal < 5 s)")


if __name__ == "__main__":
    main()
