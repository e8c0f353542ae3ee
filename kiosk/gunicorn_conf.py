"""Gunicorn settings used by `make run` (override any of them with GUNICORN_CMD_ARGS).

Restarts never refuse a visitor (docs/deployment.md):
- A reload (SIGHUP, `systemctl reload`) hands over worker by worker: each new worker accepts as soon as
  it has loaded the app, warms up (templates, page cache) beside serving, then retires one worker of the
  old generation, so something warm is always accepting.
- Workers die with the master (PR_SET_PDEATHSIG), so after a crash of the master no orphan keeps the port
  and an immediate `make run` can bind it again.
- The control socket is this instance's own, in its data folder.
- The master loads the third-party libraries once (on_starting) and every worker inherits them, so a
  worker boots in a fraction of a second: a reload or a restart after a crash barely shows. The kiosk's
  own code is still imported by each worker, so a reload picks up a code upgrade (a dependency upgrade,
  a new requirements.lock, needs a restart).
"""

import contextlib
import ctypes
import importlib
import multiprocessing
import os
import signal
import threading
from dataclasses import dataclass, field
from pathlib import Path

bind = f"127.0.0.1:{os.environ.get('PORT', '5000')}"
# Two workers per core (plus one) keep a dozen polling kiosks and a curator busy without queueing.
workers = int(os.environ.get("KIOSK_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("KIOSK_THREADS", 2))
timeout = 30
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then, so a slow leak can never take the kiosk down. Not too often: a new
# worker costs ~0.45 s of CPU (loading the app, then warming its page cache), which every 5,000 requests
# came to ~90 µs a request, half of what serving a cached page costs (bench/README.md, throughput).
max_requests = 50000
max_requests_jitter = 5000
# The heartbeat file in memory: a slow disk can never make the master think a worker hung.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# Each worker builds its own app (no preload): a recycled worker starts clean, and no database
# connection is ever shared across a fork.
preload_app = False
accesslog = "-"
errorlog = "-"

_data_dir = Path(os.environ.get("KIOSK_DATA_DIR") or Path(__file__).resolve().parent.parent / "instance")
_control = _data_dir.resolve() / "gunicorn.ctl"
# One control socket per instance (the default is one per user, shared by every kiosk it runs); a Unix
# socket path has at most 107 bytes, so a deeply nested data folder goes without one.
control_socket = str(_control)
control_socket_disable = len(str(_control).encode()) > 100

PR_SET_PDEATHSIG = 1
# Never the kiosk package itself: its modules register listeners on library classes (SQLAlchemy's
# Session), which a worker importing them again would register twice.
PRELOADED = (
    "flask",
    "flask_babel",
    "flask_htmx",
    "flask_login",
    "flask_migrate",
    "flask_sqlalchemy",
    "flask_wtf",
    "sqlalchemy.orm",
    "pysqlite3.dbapi2",
    "wtforms",
    "PIL.Image",
    "brotli",
    "nh3",
    "markdown_it",
    "argon2",
    "zxcvbn",
    "whitenoise",
    "alembic.runtime.migration",
)


@dataclass
class Handover:
    """A reload's hand-over from the old generation of workers to the new one."""

    old: list[int] = field(default_factory=list)  # master: old workers no new worker has taken on yet
    retiring: set[int] = field(default_factory=set)  # master: old workers still to go
    retire: int | None = None  # a new worker: the old worker it retires once warm
    forked: int = 0  # master: workers forked so far (a worker inherits its own number)


_handover = Handover()
# At a cold start the first worker loads the app alone and the others wait for it (at most
# FIRST_WORKER_PATIENCE seconds): on a small box they would share its cores, and the first visitor
# waits for the first worker, not for all of them.
_first_worker_ready = multiprocessing.Event()
FIRST_WORKER_PATIENCE = 10


def on_starting(server) -> None:
    for name in PRELOADED:
        try:
            importlib.import_module(name)
        except ImportError:  # a slower boot, nothing worse
            server.log.warning("Could not preload %s", name)


def on_reload(server) -> None:
    """Keep the old generation serving until each new worker is ready to take its place."""
    _handover.old = list(server.WORKERS)
    _handover.retiring = set(_handover.old)
    server.num_workers += len(_handover.old)


def pre_fork(server, worker) -> None:
    # Runs in the master just before the fork: the new worker inherits the old worker it will retire.
    _handover.retire = _handover.old.pop() if _handover.old else None
    _handover.forked += 1


def child_exit(server, worker) -> None:
    if worker.pid in _handover.retiring:
        _handover.retiring.discard(worker.pid)
        server.num_workers = max(server.num_workers - 1, server.cfg.workers)


def post_fork(server, worker) -> None:
    """A worker whose master died (kill -9, a crash) quits at once instead of holding the port."""
    # Not Linux? gunicorn's own parent check still applies, only later.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGQUIT)
    if os.getppid() != worker.ppid:  # the master died before the line above took effect
        os.kill(os.getpid(), signal.SIGQUIT)
    if _handover.forked > 1:
        _first_worker_ready.wait(FIRST_WORKER_PATIENCE)


def post_worker_init(worker) -> None:
    """Ready to accept: warm up beside serving, then retire the old worker this one replaces (if any), so
    that during a reload visitors are served by warm workers of either generation."""
    _first_worker_ready.set()
    warm_up = getattr(worker.wsgi, "extensions", {}).get("warm_up")
    threading.Thread(
        target=_warm_up_and_take_over, args=(worker, warm_up), name="warm-up", daemon=True
    ).start()


def _warm_up_and_take_over(worker, warm_up) -> None:
    try:
        if warm_up:
            warm_up()
    except Exception:  # a cold cache is slower, never a reason not to serve
        worker.log.exception("Warming up failed; serving cold.")
    if _handover.retire:
        with contextlib.suppress(ProcessLookupError):
            os.kill(_handover.retire, signal.SIGTERM)
