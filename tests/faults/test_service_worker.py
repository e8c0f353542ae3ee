"""The service worker's install (frontend/js/sw.js as built, run in Node with an in-memory Cache API): one
failing address never stops the rest; the last good copy stands in for it; only a missing app shell keeps
the previous copy in charge; a page's fragment is kept as the page carries it."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from kiosk.timeline import addresses

from .. import frontend

HARNESS = Path(__file__).with_name("service_worker_harness.mjs")
ORIGIN = "http://kiosk.test"
MANIFEST = {
    "shell": ["/", "/theme.css?v=2", "/static/dist/build/css/kiosk.css"],
    "pages": ["/events/a-birth", "/events/record-shift"],
    "fragments": ["/eras/early-years?start=40"],
    "media": ["/media/aaa-large.webp", "/media/bbb-large.webp"],
}


@pytest.fixture(scope="module")
def service_worker(tmp_path_factory) -> Path:
    """Today's service worker, built as make builds it."""
    return frontend.build(tmp_path_factory.mktemp("build")) / "js" / "sw.js"


@pytest.fixture
def install(service_worker):
    """Runs the install against a scripted server, whose event pages carry their fragment between the
    marks the server declares; returns what was kept, asked for and reported."""

    def run(**scenario) -> dict:
        scenario = {"version": "2", "manifest": MANIFEST, "marks": list(addresses.FRAGMENT)} | scenario
        result = subprocess.run(
            [frontend.node(), str(HARNESS), str(service_worker), json.dumps(scenario)],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return json.loads(result.stdout)

    return run


def test_a_missing_image_is_reported_and_everything_else_is_kept(install):
    outcome = install(failing=["/media/bbb-large.webp"])
    assert outcome["installed"], outcome["error"]
    kept = outcome["kept"]["kiosk-2"]
    assert f"{ORIGIN}/media/aaa-large.webp" in kept and f"{ORIGIN}/media/bbb-large.webp" not in kept
    assert f"{ORIGIN}/events/record-shift" in kept
    # Each event asked for once, as a page; its fragment kept as the page carries it.
    assert kept[f"{ORIGIN}/events/a-birth?__fragment=1"] == (
        '<h2 class="event__headline" id="event-title">new /events/a-birth</h2>'
    )
    assert outcome["asked"].count(f"{ORIGIN}/events/a-birth") == 1
    assert outcome["messages"] == [
        {"type": "offline-incomplete", "failed": [f"{ORIGIN}/media/bbb-large.webp"]}
    ]
    assert "without 1 address" in outcome["warnings"][0]


@pytest.mark.parametrize("status", [404, 500, 503])
def test_the_previous_copy_stands_in_for_an_address_that_fails_now(install, status):
    outcome = install(
        failing=["/events/record-shift"],
        status=status,
        previous={"kiosk-1": [f"{ORIGIN}/events/record-shift", f"{ORIGIN}/events/record-shift?__fragment=1"]},
    )
    assert outcome["installed"] and outcome["messages"] == []
    assert outcome["kept"]["kiosk-2"][f"{ORIGIN}/events/record-shift"] == f"old {ORIGIN}/events/record-shift"


def test_without_the_timeline_itself_the_install_fails_and_the_previous_copy_stays(install):
    outcome = install(failing=["/"], status=503, previous={"kiosk-1": [f"{ORIGIN}/"]})
    assert not outcome["installed"] and "answered 503" in outcome["error"]
    assert outcome["kept"]["kiosk-1"] == {f"{ORIGIN}/": f"old {ORIGIN}/"}
