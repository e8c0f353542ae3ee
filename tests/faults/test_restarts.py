"""Restarts on a real gunicorn (`make run`'s command): a reload under load refuses nobody, and after a
crash of the master the port is free at once for the next `make run`. Timings are in bench/restarts.py."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time

import pytest

from kiosk import gunicorn_conf
from kiosk.web import failures

from ..conftest import TEST_SECRET
from .conftest import ROOT, Gunicorn, Load, alive, wait

pytestmark = [pytest.mark.gunicorn, pytest.mark.sqlite_only]
GRACEFUL_SECONDS = gunicorn_conf.graceful_timeout


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


def test_sigterm_under_load_answers_what_it_took_and_stops_within_the_grace_period(gunicorn):
    server: Gunicorn = gunicorn(workers=2)
    with Load(server.url, visitors=4) as load:
        load.wait_for(20)
        answered_before = len(load.answers)
        started = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        server.process.wait(timeout=30)
        took = time.monotonic() - started
    assert server.process.returncode == 0
    # Whatever was being answered was answered; after that, new connections are refused (the port is
    # closed), never answered with an error.
    assert {status for _started, _took, status in load.answers} == {200}
    assert len(load.answers) >= answered_before
    assert took < GRACEFUL_SECONDS + 5, f"SIGTERM took {took:.1f} s:\n{server.output()}"
    assert not (server.data_dir / "gunicorn.pid").exists()  # a clean stop leaves no pid file


def test_the_next_start_counts_a_killed_server_as_an_incident(gunicorn, data_dir):
    server: Gunicorn = gunicorn(workers=1)
    pid = int((data_dir / "gunicorn.pid").read_text())
    assert pid == server.process.pid
    server.process.kill()  # kill -9: the pid file stays behind
    server.process.wait()
    env = os.environ | {"KIOSK_DATA_DIR": str(data_dir), "KIOSK_SECRET_KEY": TEST_SECRET}
    subprocess.run([sys.executable, "-m", "kiosk.prepare"], cwd=ROOT, env=env, check=True, timeout=120)
    [incident] = failures.incidents(data_dir)
    assert incident["kind"] == failures.UNCLEAN_STOP and incident["count"] == 1
    assert f"pid {pid}" in incident["last"]["detail"]
    assert not (data_dir / "gunicorn.pid").exists()
    subprocess.run([sys.executable, "-m", "kiosk.prepare"], cwd=ROOT, env=env, check=True, timeout=120)
    assert failures.incidents(data_dir)[0]["count"] == 1  # counted once


def test_a_pid_file_naming_another_program_is_no_obstacle_to_starting(gunicorn, data_dir):
    # After a power cut the old master's number may belong to any other program.
    other = subprocess.Popen(["sleep", "60"])
    try:
        (data_dir / "gunicorn.pid").write_text(f"{other.pid}\n")
        env = os.environ | {"KIOSK_DATA_DIR": str(data_dir), "KIOSK_SECRET_KEY": TEST_SECRET}
        subprocess.run([sys.executable, "-m", "kiosk.prepare"], cwd=ROOT, env=env, check=True, timeout=120)
        assert failures.incidents(data_dir)[0]["kind"] == failures.UNCLEAN_STOP
        server: Gunicorn = gunicorn(workers=1)  # gunicorn refuses to start over a pid file naming a live pid
        assert int((data_dir / "gunicorn.pid").read_text()) == server.process.pid
    finally:
        other.kill()
        other.wait()
