"""Everything `make run` does before serving, in one process: the preflight (kiosk.health), the hashed
static files, the database migrations and the default content (only into an empty database).

One process rather than four `flask` commands, because each would import the whole app again: after a
crash, `make run` must be serving within seconds, not waiting for four interpreters to start.
Run: python -m kiosk.prepare   (prints one sentence and exits 1 when the kiosk cannot start)
"""

from __future__ import annotations

import sys

from . import health


def main() -> int:
    problem = health.preflight()
    if problem:
        print(f"The kiosk cannot start: {problem}", file=sys.stderr)
        return 1
    from flask_migrate import upgrade

    from . import create_app
    from .cli import seed_command
    from .config import SettingInvalid

    try:
        app = create_app()  # builds the hashed static files as it starts
    except SettingInvalid as wrong:
        print(f"The kiosk cannot start: {wrong}", file=sys.stderr)
        return 1
    with app.app_context():
        upgrade()
        assert seed_command.callback is not None
        seed_command.callback()
    return 0


if __name__ == "__main__":
    sys.exit(main())
