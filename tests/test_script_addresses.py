"""The visitor addresses are declared once, in kiosk/timeline/addresses.py: the server routes them and the
kiosk's scripts (the service worker, the navigation) get them as regular expressions. Here both say the
same of every kind of address: which ones the offline copy looks after, which are events, which pages
carry their fragment, which never change, and which language an address names."""

from __future__ import annotations

import contextlib
import json
import subprocess

import pytest
from werkzeug.exceptions import HTTPException

from kiosk.languages import choice
from kiosk.timeline import addresses, for_scripts

from .fixture_timeline import FIXTURE
from .frontend import ROOT, node

# Any visitor page the scripts see names an offered language or none: their expressions cannot know
# which languages the museum offers (that is a setting), so /de/… is left to the server.
PATHS = [
    "/",
    "/ru/",
    "/uk/",
    f"/events/{FIXTURE.birth_event}",
    "/uk/events/x",
    f"/ru/events/{FIXTURE.record_event}",
    f"/eras/{FIXTURE.first_era}",
    f"/ru/eras/{FIXTURE.first_era}",
    "/places",
    "/uk/places",
    f"/places/{FIXTURE.places[0]}",
    f"/ru/places/{FIXTURE.donbas_places[1]}",
    "/speech.json",
    "/ru/speech.json",
    "/speech/0123456789abcdef0123456789abcdef.ogg",
    "/theme.css",
    "/media/abc123-large.webp",
    "/static/dist/build/js/kiosk.0123456789ab.js",
    "/static/build/js/kiosk.js",
    "/admin",
    "/admin/",
    "/admin/events",
    "/admin/login",
    "/version",
    "/sw.js",
    "/offline.json",
    "/healthz",
    "/analytics/events",
    "/fleet/heartbeat",
    "/events/x/more",
    "/nowhere",
    "/ru/admin",
]
LOOKED_AFTER = {"timeline.era_colours", "timeline.media", "timeline.speech_clip", "static"}


def server_verdict(app, path: str) -> dict:
    """What the routes make of a path: its endpoint, as Flask would route a GET for it."""
    endpoint, values = None, {}
    with contextlib.suppress(HTTPException):  # not found, or a redirect to another address
        endpoint, values = app.url_map.bind("kiosk.test").match(path, method="GET")
    return {
        "kept": endpoint in choice.LOCALIZED_ENDPOINTS or endpoint in LOOKED_AFTER,
        "event": endpoint == "timeline.event",
        "withFragment": endpoint in {"timeline.event", "timeline.place"},
        "unchanging": endpoint in {"timeline.media", "timeline.speech_clip"}
        or (endpoint == "static" and values["filename"].startswith("dist/")),
        "language": f"/{choice.prefix_of(path)}" if choice.prefix_of(path) else "",
    }


@pytest.fixture(scope="module")
def scripts() -> dict:
    result = subprocess.run(
        [node(), str(ROOT / "tests" / "script_addresses.mjs"), str(ROOT), json.dumps(PATHS)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout)


def test_the_scripts_and_the_server_agree_on_every_kind_of_address(app, scripts):
    with app.test_request_context():
        for path in PATHS:
            assert scripts["verdicts"][path] == server_verdict(app, path), path
    kept = [path for path in PATHS if scripts["verdicts"][path]["kept"]]
    assert "/uk/events/x" in kept and "/admin" not in kept  # the table holds both kinds


def test_the_scripts_mark_a_fragment_as_the_pages_do(scripts):
    assert scripts["fragment"] == {"start": addresses.FRAGMENT.start, "end": addresses.FRAGMENT.end}


def test_the_scripts_are_built_from_what_the_server_declares_today():
    written = json.loads((ROOT / "frontend" / "generated" / "addresses.json").read_text(encoding="utf-8"))
    assert written == for_scripts.expressions(), "run `make assets` to write it again"
