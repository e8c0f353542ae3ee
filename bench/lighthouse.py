"""Lighthouse (npm, pinned in package.json) on `/` and an event page, with Debian's Chromium headless.

Lighthouse's defaults: a mobile device on a slow 4G network with its CPU slowed 4x (simulated), a cold
cache. Goal: 100 for performance, accessibility and best practices on both pages.
Run: .venv/bin/python bench/lighthouse.py
"""

from __future__ import annotations

import json
import os
import subprocess

from _support import CHROMIUM, KIOSK_APP, ROOT, Gunicorn, machine, prepare_data_dir, temporary_folder

LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices")
PAGES = {"/": "the timeline", "/events/record-shift-102-tonnes": "an event"}


def lighthouse(url: str, report, attempts: int = 3) -> dict:
    """One Lighthouse run; again when Lighthouse itself fails to record the page (it says so, e.g.
    NO_NAVSTART on a busy machine, and asks to be run again)."""
    for attempt in range(1, attempts + 1):
        try:
            return lighthouse_once(url, report)
        except subprocess.CalledProcessError:
            if attempt == attempts:
                raise
            print(f"  (Lighthouse failed to record {url}; running it again)")
    raise AssertionError("unreachable")


def lighthouse_once(url: str, report) -> dict:
    subprocess.run(
        [
            LIGHTHOUSE,
            url,
            f"--only-categories={','.join(CATEGORIES)}",
            "--chrome-flags=--headless --no-sandbox",
            "--output=json",
            f"--output-path={report}",
            "--quiet",
        ],
        env=os.environ | {"CHROME_PATH": CHROMIUM},
        check=True,
        timeout=300,
    )
    return json.loads(report.read_text())


def shortfalls(result: dict) -> list[str]:
    """Audits that cost points, with what Lighthouse says about them."""
    return [
        f"{name} ({audit.get('displayValue', '')})"
        for name, audit in result["audits"].items()
        if audit.get("score") is not None and audit["score"] < 1 and audit.get("scoreDisplayMode") == "binary"
    ]


def main() -> None:
    print(f"Machine: {machine()}")
    with (
        temporary_folder() as folder,
        Gunicorn(KIOSK_APP, prepare_data_dir(folder / "data")) as server,
    ):
        for path, name in PAGES.items():
            result = lighthouse(server.url + path, folder / "report.json")
            scores = {name: round(result["categories"][name]["score"] * 100) for name in CATEGORIES}
            metrics = {
                key: result["audits"][key]["displayValue"]
                for key in ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time")
            }
            print(
                f"lighthouse {name:<12} "
                + ", ".join(f"{category} {score}" for category, score in scores.items())
                + "  (goal: 100 each)   "
                + ", ".join(f"{key.replace('-', ' ')} {value}" for key, value in metrics.items())
            )
            for note in shortfalls(result):
                print(f"  failed audit: {note}")


if __name__ == "__main__":
    main()
