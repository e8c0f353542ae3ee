"""How much kiosks may send, counted in the database so that the limits hold across every worker and app
server: reports per kiosk and per client address, a calendar minute at a time. A request over a limit is
refused (429) without changing any count, so a flood costs no writes."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import delete

from ..database import insert_or_ignore
from ..extensions import db
from ..models import ReportCount
from .analytics import now


def _minute() -> int:
    return int(now().timestamp() // 60)


def _counted(scope: str, limit: int) -> bool:
    """Count one report in ``scope`` this minute, unless it already has ``limit``; False when it has."""
    statement = insert_or_ignore(ReportCount).values(scope=scope[:100], minute=_minute(), count=1)
    statement = statement.on_conflict_do_update(
        index_elements=["scope", "minute"],
        set_={"count": ReportCount.count + 1},
        where=ReportCount.count < limit,
    )
    return db.session.execute(statement.returning(ReportCount.count)).first() is not None


def refusal(kiosk: str | None, address: str) -> str | None:
    """Count a report from ``kiosk`` (None: one not enrolled yet) at ``address`` in the caller's
    transaction; the reason when it is over a limit (then nothing was counted)."""
    config = current_app.config
    per_kiosk, per_address = config["REPORTS_PER_KIOSK_MINUTE"], config["REPORTS_PER_ADDRESS_MINUTE"]
    if kiosk is not None and not _counted(f"kiosk:{kiosk}", per_kiosk):
        return f"more than {per_kiosk} reports a minute from this kiosk (KIOSK_REPORTS_PER_KIOSK_MINUTE)"
    if not _counted(f"address:{address}", per_address):
        return (
            f"more than {per_address} reports a minute from this address (KIOSK_REPORTS_PER_ADDRESS_MINUTE)"
        )
    return None


def forget_old_counts() -> int:
    """Drop the counts of minutes gone by (the caller commits)."""
    result = db.session.execute(delete(ReportCount).where(ReportCount.minute < _minute() - 1))
    return getattr(result, "rowcount", 0) or 0
