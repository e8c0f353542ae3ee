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
- An upgrade (`python -m kiosk.upgrade`, kiosk/upgrade.py) goes further without refusing anyone: USR2
  starts a new master from the code now on disk, dependencies included, on the same listening socket;
  once all its workers have loaded the app and warmed up, the last of them tells the old master to stop
  (SIGTERM), whose workers finish what they are answering. The new master writes the pid file and, under
  systemd, tells it that it is now the service's main process.
- SIGTERM stops within a second or two: kiosk requests are short (graceful_timeout), and a worker that
  has finished leaves without tearing down its interpreter (worker_exit).
- Proxy headers are believed only as KIOSK_TRUSTED_PROXIES says, in the request stack (kiosk/web/stack.py):
  gunicorn itself trusts none (forwarded_allow_ips), not even from 127.0.0.1.
"""

import contextlib
import ctypes
import importlib
import multiprocessing
import os
import signal
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

bind = f"127.0.0.1:{os.environ.get('PORT', '5000')}"
# X-Forwarded-Proto and friends are read by the request stack's ProxyFix, and only with
# KIOSK_TRUSTED_PROXIES > 0; gunicorn's own default would believe them from any local process.
forwarded_allow_ips = ""
# Two workers per core (plus one) keep a dozen polling kiosks and a curator busy without queueing.
workers = int(os.environ.get("KIOSK_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("KIOSK_THREADS", 2))
timeout = 30
# Kiosk requests are short (the longest, a large import, holds a worker ~2 s): on SIGTERM, whatever is
# still running after this long is cut off, so a restart never leaves visitors refused for long.
graceful_timeout = 5
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
# The master's pid, for `python -m kiosk.upgrade`; gunicorn removes it when it shuts down, so one left
# behind tells kiosk/prepare.py that the last server never did (kill -9, a crash, a power cut).
# A read-only data folder goes without: the kiosk must still answer with its "having a rest" page.
pidfile = str(_data_dir.resolve() / "gunicorn.pid") if os.access(_data_dir, os.W_OK) else None

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
# At a cold start the first worker loads the app and renders the first pages (its warm-up) alone, and
# the others wait for it (at most FIRST_WORKER_PATIENCE seconds): on a small box they would share its
# cores, and the first visitor waits for the first worker, not for all of them. (Letting them start once
# the first had merely loaded the app cost the first page 1.3 s on 2 cores: bench/first_page.py.)
_first_worker_ready = multiprocessing.Event()
FIRST_WORKER_PATIENCE = 10
# During an upgrade (a master started by USR2): how many of the new master's workers are warm. Shared
# by the workers the new master forks; the one that completes the count retires the old master.
_upgrade_warm = multiprocessing.Value("i", 0)
OLD_MASTER = "GUNICORN_PID"  # gunicorn's own: set in a master started by USR2 until it is promoted


def when_ready(server) -> None:
    """A master started by USR2 tells systemd (when it runs us) that it is the service's main process
    now, so that the old master's exit is not taken for the service's."""
    if os.environ.get(OLD_MASTER) and os.environ.get("NOTIFY_SOCKET"):
        from gunicorn import systemd  # type: ignore[import-untyped]

        systemd.sd_notify(f"MAINPID={os.getpid()}\nREADY=1", server.log)


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
        # Until it has loaded the app this worker serves nothing: a stop meanwhile ends it at once (it
        # still has the master's handlers, which would only queue the signal while it waits here).
        for stop in (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT):
            signal.signal(stop, _leave_before_serving)
        _first_worker_ready.wait(FIRST_WORKER_PATIENCE)


def _leave_before_serving(_signal, _frame) -> None:
    os._exit(0)


def post_worker_init(worker) -> None:
    """Ready to accept: start the backup and speech timers, warm up beside serving, then retire the old
    worker this one replaces (if any), so that during a reload visitors are served by warm workers of
    either generation."""
    extensions = getattr(worker.wsgi, "extensions", {})
    warm_up = extensions.get("warm_up")
    if "start_backup_timer" in extensions:  # scheduled backups (kiosk/interchange/scheduled_backups.py)
        extensions["start_backup_timer"]()
    if "start_speech_timer" in extensions:  # audio mode's clips kept up to date (kiosk/speech/service.py)
        extensions["start_speech_timer"]()
    threading.Thread(
        target=_warm_up_and_take_over, args=(worker, warm_up), name="warm-up", daemon=True
    ).start()


def _warm_up_and_take_over(worker, warm_up) -> None:
    try:
        if warm_up:
            warm_up()
    except Exception:  # a cold cache is slower, never a reason not to serve
        worker.log.exception("Warming up failed; serving cold.")
    finally:
        # Only now may the other workers load the app: the first page has been rendered (by the warm-up,
        # or by the first visitor beside it) without them taking the cores.
        _first_worker_ready.set()
    if _handover.retire:
        with contextlib.suppress(ProcessLookupError):
            os.kill(_handover.retire, signal.SIGTERM)
    old_master = os.environ.get(OLD_MASTER)
    if old_master:
        with _upgrade_warm.get_lock():
            _upgrade_warm.value += 1
            everyone = _upgrade_warm.value == worker.cfg.workers
        if everyone:
            worker.log.info("Upgrade: every new worker is warm; stopping the old master %s", old_master)
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(old_master), signal.SIGTERM)


def worker_exit(server, worker) -> None:
    """A worker that finished cleanly leaves at once: everything it served is answered and its database
    connections are closed by the kernel with it. Tearing down the interpreter (every module and object of
    the app) would take another 1-1.5 s, which SIGTERM and every reload would wait for."""
    leaving = sys.exc_info()[1]
    if isinstance(leaving, SystemExit) and leaving.code in (0, None):
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(0)
