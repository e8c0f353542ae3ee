"""A real full disk and a real read-only disk (small tmpfs mounts): a clear message, no partial files,
visitors unaffected by a full disk, and a designed page and a reason when the database cannot be read."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time

import pytest

from kiosk.extensions import db

from ..admin.conftest import event_form
from ..conftest import TEST_SECRET, make_app
from ..fixture_timeline import FIXTURE
from ..helpers import photo
from .conftest import ROOT, Gunicorn, fill, free_port, get, read_only, signed_in

pytestmark = [pytest.mark.needs_root, pytest.mark.sqlite_only]


@pytest.fixture
def folder_on_small_disk(small_disk, seeded_database):
    folder = small_disk / "data"
    folder.mkdir(mode=0o700)
    seeded_database.copy_into(folder, postgres=None)
    return folder


@pytest.fixture
def app_on_small_disk(folder_on_small_disk):
    app = make_app(folder_on_small_disk, SHOW_ERROR_PAGES=True)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def leftovers(folder) -> list[str]:
    """Half-written files (the imports folder's empty .lock file is meant to stay)."""
    return sorted(
        str(path.relative_to(folder))
        for path in folder.rglob("*")
        if path.suffix in {".partial", ".tmp"} or (path.name.startswith(".") and path.name != ".lock")
    )


def test_a_full_disk_leaves_visitors_unaffected_and_curators_told(app_on_small_disk, small_disk):
    app, folder = app_on_small_disk, small_disk / "data"
    admin = signed_in(app)
    photograph = sorted((folder / "media").iterdir())  # the timeline's own, there before
    fill(small_disk)

    visitor = app.test_client()
    for url in ("/", f"/events/{FIXTURE.birth_event}", "/offline.json", "/version", "/theme.css?v=1"):
        assert visitor.get(url).status_code == 200, url
    assert admin.get("/admin/events").status_code == 200

    with app.app_context():
        typed = event_form(headline="Typed before the disk filled", image_alt="A lamp")
    response = admin.post(
        "/admin/events/new",
        typed | {"image": (io.BytesIO(photo()), "lamp.jpg")},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 503 and "disk is full" in page
    assert 'value="Typed before the disk filled"' in page and "lamp.jpg" in page
    assert leftovers(folder) == [] and sorted((folder / "media").iterdir()) == photograph

    imported = admin.post(
        "/admin/import",
        {"file": (io.BytesIO(b"Year,Headline\n1935,A record\n"), "t.csv")},
        content_type="multipart/form-data",
    )
    assert imported.status_code == 503 and "disk is full" in imported.get_data(as_text=True)
    assert leftovers(folder) == []

    health = visitor.get("/healthz")
    assert health.status_code == 503 and "full" in health.json["reason"]


def test_a_read_only_data_folder_gets_a_designed_page_and_a_reason(folder_on_small_disk, small_disk):
    read_only(small_disk)
    app = make_app(folder_on_small_disk, SHOW_ERROR_PAGES=True)
    client = app.test_client()
    for url in ("/", f"/events/{FIXTURE.birth_event}"):
        response = client.get(url)
        page = response.get_data(as_text=True)
        assert response.status_code == 503 and response.headers["Retry-After"], url
        # The page tries again by itself: the kiosk comes back on its own.
        assert "having a rest" in page and 'http-equiv="refresh"' in page and "Traceback" not in page
    fragment = client.get(f"/events/{FIXTURE.birth_event}", headers={"HX-Request": "true"})
    assert fragment.status_code == 503 and "having a rest" in fragment.get_data(as_text=True)
    health = client.get("/healthz")
    assert health.status_code == 503 and health.json["status"] == "unavailable"
    assert "cannot be opened or read" in health.json["reason"] or "read-only" in health.json["reason"]
    with app.app_context():
        db.engine.dispose()


def run_preflight(folder, *command, **settings):
    env = os.environ | {
        "KIOSK_DATA_DIR": str(folder),
        "KIOSK_SECRET_KEY": TEST_SECRET,
        "PORT": str(free_port()),
        **settings,
    }
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_make_run_says_in_one_sentence_why_it_cannot_start(folder_on_small_disk, small_disk):
    read_only(small_disk)
    result = run_preflight(folder_on_small_disk, "make", "--no-print-directory", "run")
    assert result.returncode != 0
    assert f"The kiosk cannot start: the data folder {folder_on_small_disk} is read-only" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_the_preflight_names_an_unreadable_database_and_a_missing_folder(tmp_path):
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    (damaged / "kiosk.sqlite3").write_bytes(b"this is not a database" * 200)
    result = run_preflight(damaged, sys.executable, "-m", "kiosk.health")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"The kiosk cannot start: the database {damaged / 'kiosk.sqlite3'} cannot be opened or read "
        "(file is not a database)."
    )
    missing = run_preflight("/proc/no-such-disk/data", sys.executable, "-m", "kiosk.health")
    assert "does not exist and cannot be created" in missing.stderr and len(missing.stderr.splitlines()) == 1


@pytest.mark.parametrize(
    ("setting", "value", "sentence"),
    [
        ("KIOSK_OPENING_HOURS", "Thur 10:00-18:00", "KIOSK_OPENING_HOURS names a day it does not know"),
        ("KIOSK_TIMEZONE", "Moon/Tranquility", "KIOSK_TIMEZONE must be a time zone like Europe/London"),
        ("KIOSK_IDLE_SECONDS", "ninety", "KIOSK_IDLE_SECONDS must be a whole number, not 'ninety'"),
    ],
)
def test_a_wrong_setting_stops_make_run_with_one_sentence(tmp_path, setting, value, sentence):
    result = run_preflight(tmp_path / "data", sys.executable, "-m", "kiosk.prepare", **{setting: value})
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"The kiosk cannot start: {sentence}")
    assert not (tmp_path / "data" / "kiosk.sqlite3").exists()  # nothing set up on a setting it refuses


def test_healthz_is_ok_with_a_readable_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json["status"] == "ok"
    assert json.loads(response.get_data())["content_version"]


@pytest.mark.gunicorn
def test_on_gunicorn_an_unreadable_database_is_a_designed_page_a_reason_and_a_logged_traceback(
    folder_on_small_disk, small_disk
):
    read_only(small_disk)
    server = Gunicorn(folder_on_small_disk, workers=1)
    server.log = small_disk.parent / "gunicorn.log"
    server.start(wait=False)
    try:
        status, body, headers = wait_for_answer(server.url + "/")
        assert status == 503 and b"having a rest" in body  # not gunicorn's bare "Internal Server Error"
        health_status, health, _ = get(server.url + "/healthz")
        assert health_status == 503 and json.loads(health)["status"] == "unavailable"
        log = server.output()
        assert f"Refused (unavailable) GET / [request {headers['X-Request-Id']}]" in log
        assert "Traceback (most recent call last)" in log
    finally:
        server.stop()


def wait_for_answer(url: str, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while True:
        try:
            return get(url)
        except OSError:
            assert time.monotonic() < deadline, "gunicorn never answered"
            time.sleep(0.05)
