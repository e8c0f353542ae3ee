"""Upgrade the running server to the code now on disk, refusing nobody: after `git pull` (and `make setup`
for new dependencies and front-end files), run `python -m kiosk.upgrade` (systemd: `systemctl reload`).

1. The preparation `make run` does (kiosk/prepare.py) with the new code: migrations, default content,
   hashed static files. The old code keeps serving meanwhile; migrations only ever add, so it can.
2. SIGUSR2 to gunicorn's master: it starts a new master from the code on disk, on the same listening
   socket, so connections wait in the socket's queue instead of being refused.
3. Once every new worker has loaded the app and warmed up, the last of them stops the old master
   (kiosk/gunicorn_conf.py); its workers finish what they are answering.

If the new code cannot start, the old master never hears from it and keeps serving: this command waits at
most WAIT_SECONDS, says so, and exits 1. Prints one sentence either way.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

from . import prepare
from .config import data_dir

WAIT_SECONDS = 60


def _alive(pid: int) -> bool:
    """Running, and not merely a zombie waiting for its parent to notice."""
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in {"Z", "X"}


def _pid_in(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def upgrade(folder: Path, wait_seconds: float = WAIT_SECONDS) -> tuple[bool, str]:
    """(done, one sentence): hand the server in ``folder`` over to the code on disk."""
    pid_file = folder / prepare.PID_FILE
    old = _pid_in(pid_file)
    if old is None or not _alive(old):
        return (
            False,
            f"no kiosk server is running on {folder} ({pid_file} names none); start it with make run.",
        )
    if prepare.main() != 0:
        return False, "the new code cannot be prepared (see above); the running server is unchanged."
    os.kill(old, signal.SIGUSR2)
    new_pid_file = pid_file.with_name(pid_file.name + ".2")
    deadline = time.monotonic() + wait_seconds
    new = None
    while _alive(old):
        new = _pid_in(new_pid_file) or new
        if new is not None and not _alive(new):
            return False, (
                f"the new code did not start (its master, {new}, stopped: see the server log); "
                f"the old server ({old}) keeps serving."
            )
        if time.monotonic() > deadline:
            return False, (
                f"the new server did not take over within {wait_seconds:.0f} s; the old one ({old}) keeps "
                "serving (see the server log)."
            )
        time.sleep(0.1)
    while (current := _pid_in(pid_file)) in (None, old) and time.monotonic() < deadline + 5:
        time.sleep(0.05)  # the new master renames its pid file once it sees the old one gone
    return True, f"upgraded: the server {current} serves the code on disk; the old one ({old}) has stopped."


def main() -> int:
    done, sentence = upgrade(data_dir())
    print(("The kiosk was " if done else "The kiosk was not upgraded: ") + sentence, file=sys.stderr)
    return 0 if done else 1


if __name__ == "__main__":
    sys.exit(main())
