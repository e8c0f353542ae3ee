"""Every refusal a person meets (busy, disk full, database unavailable, a rate limit, a kiosk's report
refused) is logged with its request id and counted for admins as an incident, apart from the unexpected
errors, which a flood of refusals never pushes out. (A busy save: tests/faults/test_errors.py.)"""

from __future__ import annotations

import logging
import shutil

import pysqlite3.dbapi2 as sqlite
import pytest
from sqlalchemy.exc import OperationalError

from kiosk.telemetry import analytics
from kiosk.web import failures

from ..helpers import make_user
from ..visits import enrol, event, now_ms, send
from .conftest import Browser

pytestmark = pytest.mark.filterwarnings("error")


def refusals_logged(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.getMessage().startswith("Refused (")]


@pytest.fixture
def no_fallback(data_dir):
    """The counts kept in memory when the data folder refuses are this test's own."""
    shutil.rmtree(failures._fallback_folder(data_dir), ignore_errors=True)
    yield
    shutil.rmtree(failures._fallback_folder(data_dir), ignore_errors=True)


def test_a_flood_of_refusals_is_one_counted_line_and_keeps_the_unexpected_errors(
    shown_app, admin_of, data_dir, no_fallback
):
    failed = shown_app.test_client().get("/explode")  # a bug
    for number in range(failures.KEEP * 3):
        failures.record_incident(failures.BUSY, f"refusal {number}", data_dir=data_dir)
    page = admin_of.get("/admin/errors").get_data(as_text=True)
    assert "150 times, on 1 day" in page and "Database busy" in page and "refusal 149" in page
    assert failed.headers["X-Request-Id"] in page and "Explosion: a fault planted by the test" in page
    [busy] = failures.incidents(data_dir)
    assert busy["count"] == failures.KEEP * 3 and len(failures.recent(data_dir)) == 1


def test_a_paused_sign_in_is_counted_as_a_rate_limit(shown_app, data_dir, caplog, no_fallback):
    shown_app.config |= {"LOGIN_FAILURES_PER_ACCOUNT": 2}
    with shown_app.app_context():
        make_user("curator")
    visitor = Browser(shown_app.test_client())
    for _attempt in range(2):
        visitor.sign_in(password="guessing wrongly")
    blocked = visitor.sign_in()
    assert blocked.status_code == 429
    [incident] = failures.incidents(data_dir)
    assert incident["kind"] == failures.RATE_LIMITED and incident["count"] == 1
    assert incident["last"]["request_id"] == blocked.headers["X-Request-Id"]
    assert "curator" in incident["last"]["detail"]


def test_a_kiosk_report_the_database_refused_is_an_incident(shown_app, data_dir, monkeypatch, no_fallback):
    def refuse(*_args):
        raise OperationalError("INSERT", {}, sqlite.OperationalError("database is locked"))

    kiosk = enrol(shown_app, "gallery-3")
    monkeypatch.setattr(analytics, "ingest", refuse)
    response = send(shown_app.test_client(), kiosk, [event("swipe", now_ms())])
    assert response.status_code == 503
    [incident] = failures.incidents(data_dir)
    assert incident["kind"] == failures.REPORT_REFUSED
    assert incident["last"]["request_id"] == response.headers["X-Request-Id"]
    assert "gallery-3" in incident["last"]["detail"] and "busy" in incident["last"]["detail"]


def test_incidents_are_counted_in_memory_when_the_data_folder_refuses(tmp_path, no_fallback, data_dir):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the data folder should be")
    failures.record_incident(failures.UNAVAILABLE, "first", data_dir=blocked)
    failures.record_incident(failures.UNAVAILABLE, "second", data_dir=blocked)
    try:
        [incident] = failures.incidents(blocked)
        assert incident["count"] == 2 and incident["last"]["detail"] == "second"
        assert failures._fallback_folder(blocked).is_dir()
    finally:
        shutil.rmtree(failures._fallback_folder(blocked), ignore_errors=True)


def test_recording_an_incident_never_raises(monkeypatch, tmp_path, caplog):
    monkeypatch.setattr(failures, "_count", lambda *args: 1 / 0)
    with caplog.at_level(logging.WARNING):
        assert failures.record_incident(failures.BUSY, "x", data_dir=tmp_path) == ""
    assert any("Counting incident busy failed" in record.getMessage() for record in caplog.records)
