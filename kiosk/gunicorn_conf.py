"""Gunicorn settings used by `make run` (override any of them with GUNICORN_CMD_ARGS)."""

import multiprocessing
import os

bind = f"127.0.0.1:{os.environ.get('PORT', '5000')}"
# Two workers per core (plus one) keep a dozen polling kiosks and a curator busy without queueing.
workers = int(os.environ.get("KIOSK_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("KIOSK_THREADS", 2))
timeout = 30
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then, so a slow leak can never take the kiosk down.
max_requests = 5000
max_requests_jitter = 500
# The heartbeat file in memory: a slow disk can never make the master think a worker hung.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# Each worker builds its own app (no preload): a recycled worker starts clean, and no database
# connection is ever shared across a fork.
preload_app = False
accesslog = "-"
errorlog = "-"


def post_worker_init(worker) -> None:
    """Let the app warm up (compile templates, fill its page cache) before the worker takes requests."""
    warm_up = getattr(worker.wsgi, "extensions", {}).get("warm_up")
    if warm_up:
        try:
            warm_up()
        except Exception:  # a cold cache is slower, never a reason not to serve
            worker.log.exception("Warming up failed; serving cold.")
