"""Every unexpected error is logged once with its traceback and a request id, kept for admins, and shown
as a page in the design of where the person was; a curator's typed text survives it."""

from __future__ import annotations

import logging
import re

import pysqlite3.dbapi2 as sqlite
import pytest

from kiosk.content import settings_store
from kiosk.extensions import db
from kiosk.telemetry import analytics
from kiosk.web import failures
from kiosk.web.caching import SharedResponses

from ..conftest import make_app
from ..visits import enrol, event, now_ms, send
from .conftest import Explosion, signed_in

REQUEST_ID = re.compile(r"[0-9a-f]{16}")


def errors_logged(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.levelno >= logging.ERROR]


def test_every_answer_carries_a_request_id_of_its_own(shown_app):
    client = shown_app.test_client()
    ids = {client.get(url).headers["X-Request-Id"] for url in ("/", "/", "/version", "/nowhere")}
    assert len(ids) == 4 and all(REQUEST_ID.fullmatch(value) for value in ids)


def test_a_fault_on_a_visitor_page_is_logged_once_and_shown_in_the_kiosk_design(shown_app, caplog):
    response = shown_app.test_client().get("/explode")
    assert response.status_code == 500
    request_id = response.headers["X-Request-Id"]
    page = response.get_data(as_text=True)
    assert "kiosk-mode" in page and "Back to the timeline" in page
    [logged] = errors_logged(caplog)
    assert request_id in logged.getMessage() and "GET /explode" in logged.getMessage()
    assert logged.exc_info and logged.exc_info[0].__name__ == "Explosion"
    assert "Traceback" not in page and "planted" not in page  # the visitor is not shown internals


def test_a_fault_in_the_admin_gives_back_everything_the_curator_typed(shown_app, admin_of, caplog):
    story = "Line one of a long story\nwith <b>markup</b> & a second line"
    response = admin_of.post(
        "/admin/explode", {"headline": "Record shift", "body": story, "password": "never-echoed"}
    )
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    request_id = response.headers["X-Request-Id"]
    assert 'class="admin' in page and "Still there?" not in page  # the admin's design, no kiosk overlay
    assert "fault in the kiosk" in page and request_id in page
    assert (
        "Record shift" in page and "Line one of a long story\nwith &lt;b&gt;markup&lt;/b&gt; &amp; a" in page
    )
    assert "readonly" in page and "never-echoed" not in page
    assert response.headers["Cache-Control"] == "no-store"
    assert len(errors_logged(caplog)) == 1


def test_a_fault_behind_an_htmx_request_is_one_sentence_the_admin_script_shows(shown_app, admin_of):
    htmx = {"HX-Request": "true"}
    response = admin_of.post("/admin/explode", {"headline": "Kept on the page"}, headers=htmx)
    assert response.status_code == 500 and response.mimetype == "text/plain"
    assert response.get_data(as_text=True).endswith(f"Request number: {response.headers['X-Request-Id']}")


def test_a_fault_in_front_of_flask_still_gets_a_designed_page_and_a_logged_traceback(shown_app, caplog):
    def broken_version():
        raise ZeroDivisionError("a fault planted in the page cache layer")

    layer = shown_app.wsgi_app
    while not isinstance(layer, SharedResponses):  # RequestIds, WhiteNoise, then the page cache
        layer = getattr(layer, "wsgi_app", None) or layer.application
    layer.cache.read_version = broken_version
    response = shown_app.test_client().get("/")
    assert response.status_code == 500 and "having a rest" in response.get_data(as_text=True)
    [logged] = errors_logged(caplog)
    assert response.headers["X-Request-Id"] in logged.getMessage()
    assert logged.exc_info[0] is ZeroDivisionError


def test_a_fault_behind_a_kiosk_report_is_logged_with_its_id_and_answered_503_never_500(
    shown_app, data_dir, monkeypatch, caplog
):
    """A flood of failing reports must not push the admins' unexpected errors out of their list: the
    kiosk is told to try again (it keeps its records), the log has the traceback under the request id,
    and the Errors page counts them as incidents."""

    def explode(*_args):
        raise Explosion("a fault planted in the analytics intake")

    kiosk = enrol(shown_app)
    monkeypatch.setattr(analytics, "read_batch", explode)
    client = shown_app.test_client()
    for _ in range(3):
        response = send(client, kiosk, [event("swipe", now_ms() - 1000)])
        assert response.status_code == 503 and response.headers["Retry-After"]
        assert response.json["request_id"] == response.headers["X-Request-Id"]
    logged = [record for record in caplog.records if "Refused (report-refused)" in record.getMessage()]
    assert len(logged) == 3 and response.headers["X-Request-Id"] in logged[-1].getMessage()
    assert logged[-1].exc_info[0] is Explosion
    assert failures.recent(data_dir) == []  # no unexpected error pushed out
    [incident] = failures.incidents(data_dir)
    assert (incident["kind"], incident["count"]) == (failures.REPORT_REFUSED, 3)


def test_admins_read_the_last_errors_with_their_tracebacks(shown_app, admin_of):
    failed = shown_app.test_client().get("/explode")
    page = admin_of.get("/admin/errors").get_data(as_text=True)
    assert failed.headers["X-Request-Id"] in page
    assert "Explosion: a fault planted by the test" in page and "Traceback (most recent call last)" in page
    assert "GET /explode" in page


def test_editors_are_refused_the_error_log(shown_app):
    editor = signed_in(shown_app, "ed", "editor")
    assert editor.get("/admin/errors").status_code == 403


def test_only_the_last_errors_are_kept(tmp_path):
    for number in range(failures.KEEP + 5):
        assert failures.remember(tmp_path, {"request_id": f"{number:04}"})
    kept = failures.recent(tmp_path)
    assert len(kept) == failures.KEEP and kept[0]["request_id"] == f"{failures.KEEP + 4:04}"


@pytest.mark.sqlite_only
def test_a_save_while_another_writer_holds_the_lock_says_busy_and_keeps_the_typed_value(
    data_dir, monkeypatch, caplog
):
    app = make_app(data_dir, SHOW_ERROR_PAGES=True, DATABASE_LOCK_TIMEOUT_MS=200)
    admin = signed_in(app)
    with app.app_context():
        loaded = settings_store.fingerprint(settings_store.stored_many(*settings_store.KIOSK_SETTINGS))
    holder = sqlite.connect(str(data_dir / "kiosk.sqlite3"))
    holder.execute("BEGIN IMMEDIATE")  # a real write lock, held by another program
    try:
        response = admin.post("/admin/settings", {"idle_seconds": "147", "loaded": loaded})
    finally:
        holder.rollback()
        holder.close()
    assert response.status_code == 503 and response.headers["Retry-After"]
    page = response.get_data(as_text=True)
    assert "busy" in page.lower() and 'value="147"' in page
    # A refusal, not an unexpected error: logged with the request number the curator saw, and counted on
    # the admins' Errors page as an incident.
    request_id = response.headers["X-Request-Id"]
    assert request_id in page and errors_logged(caplog) == []
    [refused] = [
        record.getMessage() for record in caplog.records if record.getMessage().startswith("Refused (")
    ]
    assert refused.startswith("Refused (busy) POST /admin/settings") and request_id in refused
    errors_page = admin.get("/admin/errors").get_data(as_text=True)
    assert "Database busy" in errors_page and request_id in errors_page and "1 time, on 1 day" in errors_page
    assert failures.recent(data_dir) == []
    with app.app_context():
        db.engine.dispose()


def test_failures_are_told_apart_by_their_real_errors(tmp_path):
    locked = tmp_path / "locked.sqlite3"
    holder = sqlite.connect(str(locked))
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN IMMEDIATE")
    other = sqlite.connect(str(locked), timeout=0)
    with pytest.raises(sqlite.OperationalError) as busy:
        other.execute("INSERT INTO t VALUES (1)")
    (tmp_path / "garbage.sqlite3").write_bytes(b"not a database at all" * 100)
    reader = sqlite.connect(str(tmp_path / "garbage.sqlite3"))
    with pytest.raises(sqlite.DatabaseError) as garbage:
        reader.execute("SELECT * FROM sqlite_master")
    for connection in (holder, other, reader):
        connection.close()
    with open("/dev/full", "wb", buffering=0) as device, pytest.raises(OSError) as full:
        device.write(b"x")
    assert failures.kind_of(busy.value) == failures.BUSY
    assert failures.kind_of(garbage.value) == failures.UNAVAILABLE
    assert failures.kind_of(full.value) == failures.DISK_FULL
    assert failures.kind_of(KeyError("x")) == failures.BUG
