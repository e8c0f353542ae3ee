"""Which kiosks may report (a token an administrator gave, or approved; the first kiosk on the server's own
machine by itself), and what an enrolled kiosk's report may say."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from kiosk.extensions import db
from kiosk.models import AuditEntry, KioskRequest, KioskStation, ReportRefusal, utcnow
from kiosk.telemetry import fleet

from .visits import enrol, now_ms, report_in

KIOSK_TOKEN = "0123456789abcdef0123456789abcdef"  # one a kiosk made itself


def ask(client, name: str = "gallery-3", token: str = KIOSK_TOKEN, address: str = "192.0.2.10", **headers):
    return client.post(
        "/fleet/enrol",
        json={"kiosk": name},
        headers={"Authorization": f"Bearer {token}"} | headers,
        environ_base={"REMOTE_ADDR": address},
    )


def station(name: str = "gallery-3") -> KioskStation | None:
    db.session.expire_all()
    return db.session.scalar(select(KioskStation).where(KioskStation.name == name))


def test_an_enrolled_kiosk_reporting_in_is_listed_and_updated(client, app):
    kiosk = enrol(app)
    answer = report_in(client, kiosk)
    assert answer.status_code == 200
    assert answer.json | {"server_time": 0} == {"heartbeat_seconds": 60, "send_seconds": 15, "server_time": 0}
    error = {"message": "TypeError: x is undefined (kiosk.js:12)", "at": now_ms() - 1_000}
    response = report_in(client, kiosk, error=error, queued=0)
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    found = station()
    assert (found.queued, found.screen) == (0, "1920x1080")
    assert found.last_error == "TypeError: x is undefined (kiosk.js:12)"
    assert found.published_at is None  # "6-abc" is not the content the server has now
    assert found.first_seen <= found.last_seen


@pytest.mark.parametrize(
    "fields, reason",
    [
        ({"screen": "huge"}, "screen must match pattern"),
        ({"screen": "99999x99999"}, "screen must be 1 to 16384 pixels a side"),
        ({"online": "yes"}, "online must be boolean"),
        ({"version": "<b>"}, "version must match pattern"),
        ({"error": {"message": "", "at": 1}}, "error.message must be longer than or equal to 1"),
        ({"error": {"message": "boom", "at": 1e20}}, "error.at must be smaller than or equal to"),
        ({"queued": -1}, "queued must be bigger than or equal to 0"),
        ({"queued": 10_000_000}, "queued must be smaller than or equal to 20000"),
        ({"sent_at": 2**53, "error": {"message": "boom", "at": 0}}, "sent_at must be smaller than or equal"),
        ({"kiosk": "gallery-3"}, "must not contain"),
    ],
)
def test_a_bad_report_is_refused_with_the_reason_kept_and_changes_nothing(client, app, fields, reason):
    kiosk = enrol(app)
    response = report_in(client, kiosk, **fields)
    assert response.status_code == 400
    assert reason in response.json["error"]
    assert station().last_seen is None
    [kept] = db.session.scalars(select(ReportRefusal))
    assert reason in kept.reason


def test_times_after_the_report_arrived_are_moved_back_to_it(client, app):
    kiosk = enrol(app)
    far_ahead = now_ms() + 80 * 365 * 24 * 3600 * 1000
    report_in(client, kiosk, error={"message": "boom", "at": far_ahead})
    found = station()
    assert found.last_error_at <= found.last_seen


def test_the_first_kiosk_on_the_servers_own_machine_enrols_itself(client):
    response = ask(client, address="127.0.0.1")
    assert (response.status_code, response.json) == (200, {"enrolled": True})
    assert station().token_hash == fleet.digest(KIOSK_TOKEN)
    assert report_in(client, {"Authorization": f"Bearer {KIOSK_TOKEN}"}).status_code == 200
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "kiosk.enrol-local"))
    assert entry.target == "kiosk gallery-3"
    # Once one kiosk is enrolled, another on the same machine waits like any other.
    second = ask(client, name="foyer", token="f" * 32, address="127.0.0.1")
    assert (second.status_code, second.json) == (202, {"enrolled": False})
    assert station("foyer") is None


@pytest.mark.parametrize(
    "address, headers",
    [("192.0.2.10", {}), ("127.0.0.1", {"X-Forwarded-For": "203.0.113.9"})],
    ids=["another machine", "through a proxy"],
)
def test_any_other_kiosk_waits_for_an_administrator(client, app, address, headers):
    response = ask(client, address=address, **headers)
    assert (response.status_code, response.json) == (202, {"enrolled": False})
    assert station() is None
    [waiting] = fleet.waiting_requests()
    assert (waiting.name, waiting.address) == ("gallery-3", address)
    assert report_in(client, {"Authorization": f"Bearer {KIOSK_TOKEN}"}).status_code == 401
    assert ask(client, address=address, **headers).status_code == 202  # asking again adds nothing
    assert db.session.scalar(select(func.count(KioskRequest.id))) == 1

    with app.test_request_context():
        fleet.approve(waiting.id)
        db.session.commit()
    assert ask(client, address=address, **headers).json == {"enrolled": True}
    assert report_in(client, {"Authorization": f"Bearer {KIOSK_TOKEN}"}).status_code == 200
    assert fleet.waiting_requests() == []


def test_kiosks_asking_are_few_and_forgotten_after_a_day(client):
    answers = [
        ask(client, name=f"k{n}", token=f"{n:032x}", address="192.0.2.10").status_code for n in range(4)
    ]
    assert answers == [202, 202, 202, 429]  # three waiting from one address
    for n in range(fleet.WAITING_AT_MOST - 3):
        ask(client, name=f"k{n}", token=f"{n + 100:032x}", address=f"192.0.2.{n + 20}")
    refused = ask(client, name="one-too-many", token="e" * 32, address="192.0.2.200")
    assert refused.status_code == 429 and "already waiting" in refused.json["error"]
    db.session.execute(KioskRequest.__table__.update().values(last_asked_at=utcnow() - timedelta(days=2)))
    db.session.commit()
    assert ask(client, name="next-day", token="e" * 32, address="192.0.2.200").status_code == 202
    assert db.session.scalar(select(func.count(KioskRequest.id))) == 1


def test_a_kiosk_asking_must_name_itself_and_bring_a_token(client):
    assert ask(client, name="no spaces allowed").status_code == 400
    assert ask(client, token="short").status_code == 400
    assert db.session.scalar(select(func.count(KioskRequest.id))) == 0


def test_no_more_kiosks_than_the_server_takes(app):
    app.config["MAX_KIOSKS"] = 2
    enrol(app, "one")
    enrol(app, "two")
    enrol(app, "two")  # a new start address for a kiosk already counted
    with pytest.raises(fleet.EnrolmentRefused), app.test_request_context():
        fleet.add_kiosk("three")


def test_the_command_line_enrols_a_kiosk_and_prints_its_start_address(runner):
    result = runner.invoke(args=["kiosks", "add", "Gallery-3", "--url", "http://kiosk-server.local:5000/"])
    assert result.exit_code == 0, result.output
    address = result.output.strip()
    assert address.startswith("http://kiosk-server.local:5000/?kiosk=gallery-3#token=")
    token = address.split("#token=")[1]
    assert station().token_hash == fleet.digest(token)
    assert runner.invoke(args=["kiosks", "revoke", "gallery-3"]).exit_code == 0
    assert station().token_hash is None
