"""The two endpoints kiosks post to, outside the admin: no cookie, no CSRF token (a kiosk has no session),
so every request is checked strictly instead. Same origin only, JSON only, at most 64 KB, a known schema;
a kiosk that sends too often is asked to wait. A refused request stores nothing and says why (400); a
database that cannot take the write answers 503, and the kiosk keeps its events for the next round.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import cast
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Blueprint, Flask, Response, current_app, jsonify, request
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from ..config import SettingInvalid
from ..extensions import csrf, db
from ..web import failures
from . import analytics, fleet

log = logging.getLogger(__name__)
bp = Blueprint("reports", __name__)
ROLL_UP_EVERY_SECONDS = 3600


class RateLimit:
    """Requests per kiosk name in this worker: a token bucket (a kiosk sends every 15 s, and a backlog
    after an outage one batch a second; anything much faster is a fault or an attack)."""

    def __init__(self, burst: int = 60, per_second: float = 2.0):
        self.burst, self.per_second = burst, per_second
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        with self._lock:
            if len(self._buckets) > 10_000:  # names are chosen by clients: never let the dict grow unbounded
                self._buckets.clear()
            tokens, then = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - then) * self.per_second)
            allowed = tokens >= 1
            self._buckets[key] = (tokens - 1 if allowed else tokens, now)
            return allowed


def _refuse(status: int, message: str):
    response = jsonify(error=message)
    response.status_code = status
    return response


def _body() -> bytes:
    """The request's JSON body, never more than the cap read (a larger one is refused unread)."""
    if request.mimetype != "application/json":
        raise analytics.BatchRefused("send JSON (Content-Type: application/json)")
    if (request.content_length or 0) > analytics.MAX_BATCH_BYTES:
        raise analytics.BatchRefused(f"a batch is at most {analytics.MAX_BATCH_BYTES} bytes")
    return request.stream.read(analytics.MAX_BATCH_BYTES + 1)


def _same_origin() -> bool:
    """Only the kiosk's own pages may post here: a page elsewhere must not fill the figures."""
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in {"same-origin", "none"}:
        return False
    origin = request.headers.get("Origin")
    return origin is None or urlsplit(origin).netloc == request.host


def _handle(read, store):
    if not _same_origin():
        return _refuse(403, "only the kiosk's own pages may report here")
    try:
        parsed = read(_body())
    except analytics.BatchRefused as refused:
        log.info("Refused a kiosk report: %s", refused)
        return _refuse(400, str(refused))
    name = parsed[0]
    if not current_app.extensions["report_limit"].allow(name):
        failures.record_incident(failures.REPORT_REFUSED, f"kiosk {name}: too many reports (429)")
        response = _refuse(429, "too many reports from this kiosk; try again shortly")
        response.headers["Retry-After"] = "10"
        return response
    try:
        return store(parsed)
    except SQLAlchemyError as error:
        db.session.rollback()
        kind = failures.kind_of(error)
        failures.record_incident(
            failures.REPORT_REFUSED, f"kiosk {name}: not stored ({kind}: {error})"[:300], error=error
        )
        return _refuse(503, "the server could not store this now; the kiosk keeps it and tries again")


def _store_events(parsed):
    _kiosk, rows = parsed
    result = analytics.ingest(rows)
    response = jsonify(stored=result.stored, duplicates=result.duplicates, expired=result.expired)
    response.status_code = 202
    _roll_up_now_and_then(response)
    return response


def _read_heartbeat(body: bytes):
    row = fleet.read_report(body)
    return row["name"], row


def _store_heartbeat(parsed):
    fleet.record_report(parsed[1])
    config = current_app.config
    return jsonify(
        heartbeat_seconds=config["HEARTBEAT_SECONDS"], send_seconds=config["ANALYTICS_SEND_SECONDS"]
    )


def _roll_up_now_and_then(response: Response) -> None:
    """Sum finished days once an hour per worker, after the kiosk has its answer (never in its way): the
    server runs the response's close callbacks once it has sent the last byte."""
    state = current_app.extensions["analytics_rollup"]
    now = time.monotonic()
    if now - state["last"] < ROLL_UP_EVERY_SECONDS:
        return
    state["last"] = now
    app = cast(Flask, current_app._get_current_object())  # type: ignore[attr-defined]  # the proxy's target

    def roll_up() -> None:
        with app.app_context():
            try:
                analytics.roll_up()
            except SQLAlchemyError:
                db.session.rollback()
                log.exception("The opportunistic analytics roll-up failed; the next one tries again")

    response.call_on_close(roll_up)


@bp.post("/analytics/events")
def events():
    return _handle(analytics.read_batch, _store_events)


@bp.post("/fleet/heartbeat")
def heartbeat():
    return _handle(_read_heartbeat, _store_heartbeat)


@bp.errorhandler(HTTPException)
def _as_json(error: HTTPException):
    """Kiosks read JSON: errors here (a wrong method, a body too large) are JSON too."""
    return _refuse(error.code or 500, error.description or error.name)


def init_app(app: Flask) -> None:
    """Refuse to start on settings that would make the figures wrong, saying which one."""
    try:
        fleet.opening_hours(app.config["OPENING_HOURS"])
        ZoneInfo(app.config["TIMEZONE"] or "UTC")
    except fleet.OpeningHoursInvalid as problem:
        raise SettingInvalid(str(problem)) from None
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingInvalid(
            f"KIOSK_TIMEZONE must be a time zone like Europe/London, not {app.config['TIMEZONE']!r}"
        ) from None
    app.extensions["report_limit"] = RateLimit()
    app.extensions["analytics_rollup"] = {"last": float("-inf")}
    csrf.exempt(bp)
    app.register_blueprint(bp)
