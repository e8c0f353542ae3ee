"""What the benchmarks share: a data folder, the app under gunicorn, a load generator, Chromium."""

from __future__ import annotations

import contextlib
import http.client
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CHROMIUM = os.environ.get("KIOSK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
KIOSK_APP = "kiosk:create_app()"
HELLO_APP = "hello_app:app"

sys.path.insert(0, str(ROOT))


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, {platform.system()}"


def prepare_data_dir(folder: Path, extra_events: int = 0) -> Path:
    """A migrated database with the default content (plus generated events), as `make setup` builds."""
    env = os.environ | {"KIOSK_DATA_DIR": str(folder), "FLASK_APP": "kiosk"}
    for command in (["db", "upgrade"], ["seed"]):
        subprocess.run([BIN / "flask", *command], env=env, check=True, capture_output=True, cwd=ROOT)
    if extra_events:
        subprocess.run(
            [sys.executable, ROOT / "bench" / "generate_events.py", str(extra_events)],
            env=env,
            check=True,
            cwd=ROOT,
        )
    return folder


@contextlib.contextmanager
def temporary_folder():
    folder = Path(tempfile.mkdtemp(prefix="kiosk-bench-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """An app served by gunicorn with the repository's kiosk/gunicorn_conf.py, as `make run` does."""

    def __init__(self, app: str, data_dir: Path, **env: str):
        self.app, self.data_dir, self.env = app, data_dir, env
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Gunicorn:
        env = os.environ | {"KIOSK_DATA_DIR": str(self.data_dir), "PORT": str(self.port)} | self.env
        command = [
            BIN / "gunicorn",
            "--config",
            ROOT / "kiosk" / "gunicorn_conf.py",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--pythonpath",
            f"{ROOT},{ROOT / 'bench'}",
            self.app,
        ]
        self.process = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                status, _ = fetch(self.url + "/")
                if status == 200:
                    # Every worker has imported the app once the master lists them all and one answered.
                    time.sleep(1.0)
                    return self
            time.sleep(0.2)
        self.__exit__(None, None, None)
        raise RuntimeError(f"gunicorn did not start for {self.app}")

    def __exit__(self, *_exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text()
        return [int(pid) for pid in children.split()]


def resident_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024


def fetch(url: str, headers: dict | None = None) -> tuple[int, bytes]:
    host, port_path = url.removeprefix("http://").split(":", 1)
    port, _, path = port_path.partition("/")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.request("GET", "/" + path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def requests_per_second(
    url: str, headers: dict | None = None, seconds: float = 8, connections: int = 16
) -> float:
    """wrk when installed (`make bench` installs Debian's), else a small threaded generator."""
    if shutil.which("wrk"):
        header_args = [arg for name, value in (headers or {}).items() for arg in ("-H", f"{name}: {value}")]
        output = subprocess.run(
            ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", *header_args, url],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        if "Non-2xx" in output:
            raise RuntimeError(f"errors while loading {url}:\n{output}")
        return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    return _threaded_load(url, headers or {}, seconds, connections)


def _threaded_load(url: str, headers: dict, seconds: float, connections: int) -> float:
    host, port_path = url.removeprefix("http://").split(":", 1)
    port, _, path = port_path.partition("/")
    done = [0] * connections
    stop_at = time.monotonic() + seconds

    def worker(index: int) -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        while time.monotonic() < stop_at:
            connection.request("GET", "/" + path, headers=headers)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{url} answered {response.status}")
            done[index] += 1
        connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / (time.monotonic() - started)


def median_seconds(url: str, repeat: int = 30, headers: dict | None = None) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        status, _ = fetch(url, headers)
        timings.append(time.perf_counter() - started)
        if status != 200:
            raise RuntimeError(f"{url} answered {status}")
    return statistics.median(timings)


@contextlib.contextmanager
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextlib.contextmanager
def kiosk_in_chromium():
    """The kiosk on its default content under gunicorn, and a Chromium to load it."""
    with (
        temporary_folder() as folder,
        Gunicorn(KIOSK_APP, prepare_data_dir(folder / "data")) as server,
        chromium() as browser,
    ):
        yield server, browser
