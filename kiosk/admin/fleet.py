"""The Kiosks page, for every curator: each kiosk's last report, and a clear warning for one that has gone
silent during opening hours, reports JavaScript errors or shows an old version."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import gettext as _

from ..models import utcnow
from ..telemetry import analytics, fleet
from ..timeline.views import kiosk_version
from ..web.rendering import page_or_fragment
from .auth import admin_required
from .blueprint import bp


@bp.get("/kiosks")
def kiosk_list():
    now = utcnow()
    states = fleet.fleet(kiosk_version(), now)
    return page_or_fragment(
        "admin/kiosks.html",
        "admin/_kiosk_list.html",
        states=states,
        needing_a_look=[state for state in states if state.needs_a_look],
        now=now,
        open_now=fleet.open_now(now),
        opening_hours=fleet.timetable(),
        timezone=analytics.museum_zone().key,
    )


@bp.post("/kiosks/<name>/forget")
@admin_required
def forget_kiosk(name: str):
    if fleet.forget(name):
        flash(
            _("%(name)s was removed from the list. It comes back if it reports again.", name=name), "success"
        )
    return redirect(url_for("admin.kiosk_list"))
