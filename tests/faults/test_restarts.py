"""Restarts on a real gunicorn (`make run`'s command): a reload under load refuses nobody, and after a
crash of the master the port is free at once for the next `make run`. Timings are in bench/restarts.py."""

from __future__ import annotations

import os
import signal
import stat
import threading
import time

import pytest

from .conftest import Gunicorn, alive, get

pytestmark = [pytest.mark.gunicorn, pytest.mark.sqlite_only]


class Load:
    """Visitors asking for the timeline over fresh connections, as fast as the server answers."""

    def __init__(self, url: str, visitors: int = 3):
        self.url, self.answers, self.failures = url, [], []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._visit, daemon=True) for _ in range(visitors)]

    def _visit(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                status = get(self.url + "/", timeout=15)[0]
            except OSError as error:  # refused, reset, timed out
                self.failures.append(repr(error))
                continue
            self.answers.append((started, time.monotonic() - started, status))

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=20)

    def wait_for(self, count: int, timeout: float = 30) -> None:
        target = len(self.answers) + count
        deadline = time.monotonic() + timeout
        while len(self.answers) < target and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.answers) >= target, f"only {len(self.answers)} answers; failures: {self.failures[:3]}"


def wait(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def test_a_reload_under_load_refuses_no_request(gunicorn):
    server: Gunicorn = gunicorn(workers=2)
    old = server.workers_pids()
    assert len(old) == 2
    with Load(server.url) as load:
        load.wait_for(10)
        server.process.send_signal(signal.SIGHUP)
        wait(
            lambda: not (old & server.workers_pids()) and len(server.workers_pids()) == 2,
            timeout=40,
            what=f"the old workers were not all replaced:\n{server.output()}",
        )
        load.wait_for(20)
    assert load.failures == []
    assert {status for _started, _took, status in load.answers} == {200}


def test_after_the_master_is_killed_its_workers_go_and_a_new_server_takes_the_port(gunicorn, data_dir):
    server: Gunicorn = gunicorn(workers=2)
    workers = server.workers_pids()
    with Load(server.url, visitors=2) as load:
        load.wait_for(5)
        server.process.kill()  # kill -9: no graceful anything
        server.process.wait()
        wait(lambda: not any(alive(pid) for pid in workers), timeout=10, what="orphaned workers kept running")
    successor = Gunicorn(data_dir, port=server.port).start(wait=False)
    try:
        successor.wait_until_serving(timeout=30)
        assert "Connection in use" not in successor.output()
    finally:
        successor.stop()


def test_each_instance_has_its_own_control_socket(gunicorn, data_dir):
    gunicorn(workers=1)
    assert stat.S_ISSOCK(os.stat(data_dir / "gunicorn.ctl").st_mode)
