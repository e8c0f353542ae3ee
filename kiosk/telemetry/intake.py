"""The endpoints kiosks post to, outside the admin: no cookie, no CSRF token (a kiosk has no session).

Every report carries the kiosk's token (``Authorization: Bearer …``, kiosk.telemetry.fleet): without a
token an administrator gave (or approved), a client gets 401 and writes nothing. Then, in this order:
same origin only, JSON only, at most 64 KB; the limits per kiosk and per client address
(kiosk.telemetry.limits, shared by every worker); the shape (reports.schema.json). A refused report is
kept with its reason (the Kiosks page shows it) and answered 400 saying why; a batch with a few bad
events keeps the good ones. A database that cannot take the write answers 503, and the kiosk keeps its
records for the next round. No report ever gets a 500: whatever goes wrong is an incident
(report_failure: logged with the request's id, counted on the Errors page apart from the unexpected
errors, which a flood of reports would otherwise push everything else out of).
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any, cast
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Blueprint, Flask, Response, current_app, jsonify, request
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from ..config import SettingInvalid
from ..content import published
from ..extensions import csrf, db
from ..models import KioskStation
from ..timeline.views import kiosk_version
from ..web import failures
from ..web.errors import request_id
from . import analytics, contract, fleet, limits

log = logging.getLogger(__name__)
bp = Blueprint("reports", __name__)
TIDY_EVERY_SECONDS = 3600
REPORTING_KIOSK = "kiosk.reporting_kiosk"


def report_failure(detail: str, error: BaseException | None = None) -> str:
    """A report that was refused or could not be stored: an incident (kiosk.web.failures), logged with the
    request's id (and the traceback of the ``error`` behind it) and counted on the admins' Errors page apart
    from the unexpected errors, which a flood of reports can then never push out. Returns the request id."""
    return failures.record_incident(failures.REPORT_REFUSED, detail[:300], error=error)


def _answer(status: int, message: str, **extra) -> Response:
    response = jsonify(error=message, request_id=request_id(), **extra)
    response.status_code = status
    return response


class _Refusal(Exception):
    """A report refused with its status and reason; ``kept``: what the refusal wrote (the refused report,
    its count against the limits) is committed."""

    def __init__(self, status: int, message: str, retry_after: int | None = None, kept: bool = False):
        super().__init__(message)
        self.status, self.message, self.retry_after, self.kept = status, message, retry_after, kept


def _checked_request() -> bytes:
    """The body of a request from the kiosk's own pages, as JSON of at most the contract's size."""
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in {"same-origin", "none"}:
        raise _Refusal(403, "only the kiosk's own pages may report here")
    origin = request.headers.get("Origin")
    if origin is not None and urlsplit(origin).netloc != request.host:
        raise _Refusal(403, "only the kiosk's own pages may report here")
    if request.mimetype != "application/json":
        raise _Refusal(400, "send JSON (Content-Type: application/json)")
    if (request.content_length or 0) > contract.MAX_BODY_BYTES:
        raise _Refusal(413, f"a report is at most {contract.MAX_BODY_BYTES} bytes")
    return request.stream.read(contract.MAX_BODY_BYTES + 1)


def _token() -> str | None:
    scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def _address() -> str:
    return request.remote_addr or ""


def _within_limits(kiosk: str | None) -> None:
    reason = limits.refusal(kiosk, _address())
    if reason:
        raise _Refusal(429, reason, retry_after=10)


def _guarded(handle) -> Response:
    """Run a report's handler in one transaction: committed, or refused with its reason; never a 500."""
    try:
        response = handle()
        db.session.commit()
        return response
    except _Refusal as refusal:
        if refusal.kept:
            db.session.commit()
        else:
            db.session.rollback()
        if refusal.status == 429:
            report_failure(refusal.message)
        elif refusal.status in (401, 403):  # anyone may knock: not worth a warning each time
            log.info("Refused a report (%d) from %s: %s", refusal.status, _address(), refusal.message)
        response = _answer(refusal.status, refusal.message)
        if refusal.retry_after:
            response.headers["Retry-After"] = str(refusal.retry_after)
        if refusal.status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="kiosk reports"'
        return response
    except Exception as error:  # the database, or a fault of ours: the kiosk keeps its records
        db.session.rollback()
        kiosk = request.environ.get(REPORTING_KIOSK, "a kiosk")
        report_failure(f"kiosk {kiosk}: not stored ({failures.kind_of(error)}: {error})", error)
        response = _answer(503, "the server could not store this now; the kiosk keeps it and tries again")
        response.headers["Retry-After"] = "30"
        return response


def _enrolled() -> KioskStation:
    station = fleet.station_for(_token())
    if station is None:
        raise _Refusal(401, "this kiosk is not enrolled: an administrator approves it on the Kiosks page")
    request.environ[REPORTING_KIOSK] = station.name  # for the log, should storing its report fail
    return station


def _refused(station: KioskStation, reason: str, body: bytes, records: int) -> None:
    """Keep a refused report with its reason, and log it."""
    fleet.keep_refusal(station.name, reason, body.decode("utf-8", "replace"), records)
    report_failure(f"kiosk {station.name}: {reason}")


def _parsed(station: KioskStation, body: bytes):
    try:
        return contract.parse(body)
    except contract.ReportRefused as refused:
        _refused(station, str(refused), body, 0)
        raise _Refusal(400, str(refused), kept=True) from None


def _report() -> tuple[KioskStation, bytes, Any]:
    """An enrolled kiosk's report within its limits: the kiosk, the body and its JSON (each step in the
    order the module's description gives)."""
    body = _checked_request()
    station = _enrolled()
    _within_limits(station.name)
    return station, body, _parsed(station, body)


def _server_time() -> int:
    return int(analytics.now().timestamp() * 1000)


@bp.post("/analytics/events")
def events():
    def handle() -> Response:
        station, body, data = _report()
        try:
            batch = analytics.read_batch(station.name, data)
        except contract.ReportRefused as refused:
            events = data.get("events") if isinstance(data, dict) else None
            _refused(station, str(refused), body, len(events) if isinstance(events, list) else 0)
            raise _Refusal(400, str(refused), kept=True) from None
        result = analytics.ingest(station.name, batch)
        if result.refused:
            items = [item for item, _reason in result.refused]
            reason = result.refused[0][1] + (f" (and {len(items) - 1} more)" if len(items) > 1 else "")
            _refused(station, reason, json.dumps(items).encode(), len(items))
        response = jsonify(result.answer() | {"server_time": _server_time()})
        response.status_code = 202
        _tidy_now_and_then(response)
        return response

    return _guarded(handle)


@bp.post("/fleet/heartbeat")
def heartbeat():
    def handle() -> Response:
        station, body, data = _report()
        try:
            values = fleet.read_report(data, analytics.now())
        except contract.ReportRefused as refused:
            _refused(station, str(refused), body, 0)
            raise _Refusal(400, str(refused), kept=True) from None
        current = kiosk_version()
        fleet.record_report(station, values, current, published.changed_at(int(fleet.content_of(current))))
        config = current_app.config
        return jsonify(
            heartbeat_seconds=config["HEARTBEAT_SECONDS"],
            send_seconds=config["ANALYTICS_SEND_SECONDS"],
            server_time=_server_time(),
        )

    return _guarded(handle)


@bp.post("/fleet/enrol")
def enrol():
    """A kiosk with a name but no token an administrator gave asks to report, with a token it made."""

    def handle() -> Response:
        body = _checked_request()
        _within_limits(None)
        try:
            data = contract.parse(body)
            forwarded = "X-Forwarded-For" in request.headers or "Forwarded" in request.headers
            enrolled = fleet.ask_to_enrol(data, _token(), _address(), forwarded)
        except contract.ReportRefused as refused:
            raise _Refusal(400, str(refused)) from None
        except fleet.EnrolmentRefused as refused:
            raise _Refusal(refused.status, str(refused)) from None
        response = jsonify(enrolled=enrolled)
        response.status_code = 200 if enrolled else 202
        return response

    return _guarded(handle)


def _tidy_now_and_then(response: Response) -> None:
    """Drop expired raw events and old counts once an hour per worker, after the kiosk has its answer
    (never in its way): the server runs the response's close callbacks once it has sent the last byte."""
    state = current_app.extensions["analytics_tidy"]
    moment = time.monotonic()
    if moment - state["last"] < TIDY_EVERY_SECONDS:
        return
    state["last"] = moment
    app = cast(Flask, current_app._get_current_object())  # type: ignore[attr-defined]  # the proxy's target

    def tidy() -> None:
        with app.app_context():
            try:
                analytics.tidy()
                limits.forget_old_counts()
                db.session.commit()
            except SQLAlchemyError:
                db.session.rollback()
                log.exception("Tidying the analytics failed; the next batch's tidy tries again")

    response.call_on_close(tidy)


@bp.errorhandler(HTTPException)
def _as_json(error: HTTPException):
    """Kiosks read JSON: errors here (a wrong method, a body too large) are JSON too."""
    return _answer(error.code or 500, error.description or error.name)


def init_app(app: Flask) -> None:
    """Refuse to start on settings that would make the figures wrong, saying which one."""
    try:
        fleet.parse_opening_hours(app.config["OPENING_HOURS"])
        ZoneInfo(app.config["TIMEZONE"] or "UTC")
    except fleet.OpeningHoursInvalid as problem:
        raise SettingInvalid(str(problem)) from None
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingInvalid(
            f"KIOSK_TIMEZONE must be a time zone like Europe/London, not {app.config['TIMEZONE']!r}"
        ) from None
    app.extensions["analytics_tidy"] = {"last": float("-inf")}
    csrf.exempt(bp)
    app.register_blueprint(bp)
