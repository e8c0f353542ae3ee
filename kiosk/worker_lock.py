"""One worker of many does a background job: whichever takes the job's file lock first (an exclusive,
non-blocking ``flock``, so it also holds across gunicorn's workers and a second server on the same data
folder; the kernel lets go of it when the holder dies)."""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def taken_if_free(path: Path) -> Iterator[bool]:
    """Hold the lock at ``path`` while the block runs, if no other process holds it: True when taken."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
