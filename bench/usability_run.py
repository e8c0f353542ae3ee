"""The curators' eight everyday tasks in Chromium, counted: clicks and page loads for each.

    .venv/bin/python bench/usability_run.py

Plays tests/browser/usability.py (the same run tests/browser/test_usability_run.py holds to its counts)
on the tests' fixture timeline, in a data folder of its own, and prints each task's clicks and page loads
beside the counts of the usability test on main 2c2a107 where it gave them (typo fix 13 clicks, new
event 22). The counting is explained in tests/browser/usability.py.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from _support import CHROMIUM, CHROMIUM_ARGS, machine  # puts the project on the path
from flask_migrate import upgrade
from playwright.sync_api import sync_playwright

from kiosk import create_app
from kiosk.extensions import db
from tests.browser.conftest import LiveServer
from tests.browser.usability import Scene, run, set_the_scene
from tests.fixture_timeline import load_fixture_timeline

# What the usability test on main 2c2a107 counted (issue 25): the typo fix and the new event.
BEFORE = {1: 13, 2: 22}


def served(folder: Path):
    app = create_app(
        {
            "DATA_DIR": str(folder),
            "MEDIA_DIR": str(folder / "media"),
            "SECRET_KEY": "usability-run",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'kiosk.sqlite3'}",
            "PASSWORD_HASH_PROFILE": "fast",
        }
    )
    with app.app_context():
        upgrade()
        load_fixture_timeline()
        db.session.remove()
    set_the_scene(app)
    return app


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="kiosk-usability-") as name:
        folder = Path(name)
        server = LiveServer(served(folder))
        server.start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                counts = run(Scene(server.url, server.app, browser, str(folder)))
                browser.close()
        finally:
            server.stop()
    print(f"usability run — {machine()}")
    print(f"{'task':<64} {'clicks':>6} {'before':>6} {'page loads':>10}")
    for count in counts:
        before = BEFORE.get(count.task.number)
        print(
            f"{count.task.number}. {count.task.name:<61} {count.clicks:>6} "
            f"{before if before is not None else '–':>6} {count.loads:>10}"
        )
    total = sum(count.clicks for count in counts)
    print(f"{'all eight':<64} {total:>6} {'':>6} {sum(count.loads for count in counts):>10}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
