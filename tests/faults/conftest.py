"""Faults made real: an app that shows its error pages (as in production), a gunicorn server on a random
port over a throwaway data folder, and small tmpfs disks that fill up or turn read-only."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from kiosk.extensions import db
from kiosk.models import Role

from ..admin.conftest import Curator
from ..conftest import TEST_SECRET, make_app
from ..helpers import make_user

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"


class Explosion(RuntimeError):
    pass


def explode():
    raise Explosion("a fault planted by the test")


@pytest.fixture
def shown_app(data_dir, database_url):
    """The app as it runs in production: unexpected errors get their pages instead of propagating."""
    app = make_app(data_dir, SQLALCHEMY_DATABASE_URI=database_url, SHOW_ERROR_PAGES=True)
    # A fault in our own code, where a curator and where a visitor would meet it.
    app.add_url_rule("/admin/explode", "admin.explode", explode, methods=["GET", "POST"])
    app.add_url_rule("/explode", "explode", explode)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


class Browser(Curator):
    """A curator's browser on an app of its own; the test reads the database through that app itself."""

    @staticmethod
    def _seen(response):
        return response


def signed_in(app, username: str = "boss", role: str = "admin") -> Browser:
    with app.app_context():
        make_user(username, Role(role))
    person = Browser(app.test_client())
    assert person.sign_in(username).status_code == 302
    return person


@pytest.fixture
def admin_of(shown_app):
    """An admin signed in to ``shown_app``."""
    return signed_in(shown_app)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str, timeout: float = 10, headers: dict | None = None) -> tuple[int, bytes, dict]:
    """Status, body and headers; HTTP errors are answers too (a refused connection raises)."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


class Gunicorn:
    """`make run`'s server command on a port of its own, its output kept for the assertions."""

    def __init__(self, data_dir: Path, port: int | None = None, workers: int = 2, root: Path = ROOT):
        self.data_dir, self.port, self.workers, self.root = data_dir, port or free_port(), workers, root
        self.process: subprocess.Popen | None = None
        self.log = data_dir.parent / f"gunicorn-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, wait: bool = True) -> Gunicorn:
        env = os.environ | {
            "KIOSK_DATA_DIR": str(self.data_dir),
            "KIOSK_SECRET_KEY": TEST_SECRET,
            "KIOSK_WORKERS": str(self.workers),
            "PORT": str(self.port),
        }
        with open(self.log, "ab") as log:  # the server keeps its own copy of the descriptor
            self.process = subprocess.Popen(
                [
                    str(GUNICORN),
                    "--config",
                    "kiosk/gunicorn_conf.py",
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--access-logfile",
                    "/dev/null",
                    "kiosk:create_app()",
                ],
                cwd=self.root,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        if wait:
            self.wait_until_serving()
        return self

    def wait_until_serving(self, timeout: float = 30) -> float:
        """Seconds until / answers 200 (the server's first sign of life)."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            try:
                if get(self.url + "/", timeout=2)[0] == 200:
                    return time.monotonic() - started
            except OSError:
                time.sleep(0.05)
        raise AssertionError(f"gunicorn did not serve within {timeout} s:\n{self.output()}")

    def workers_pids(self) -> set[int]:
        return children_of(self.process.pid)

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=25)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def children_of(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture
def gunicorn(data_dir):
    servers: list[Gunicorn] = []

    def start(**options) -> Gunicorn:
        server = Gunicorn(data_dir, **options)
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.stop()


def _can_mount() -> bool:
    return os.geteuid() == 0 and shutil.which("mount") is not None


@pytest.fixture
def small_disk(tmp_path):
    """An 8 MB tmpfs of our own: a real disk that fills up or turns read-only (needs root)."""
    if not _can_mount():
        pytest.skip("making a real full or read-only disk needs root (mount -t tmpfs)")
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8M,mode=0700", "tmpfs", str(mount_point)], check=True)
    yield mount_point
    subprocess.run(["umount", "-l", str(mount_point)], check=False)


def fill(disk: Path) -> None:
    """Fill ``disk`` to the last byte."""
    with open(disk / "filler", "wb") as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        except OSError:
            pass
    # Whatever a 64 KiB block could not take, single bytes can.
    with open(disk / "filler-end", "wb", buffering=0) as handle:
        try:
            while True:
                handle.write(b"\0" * 512)
        except OSError:
            pass


def read_only(disk: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)


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
