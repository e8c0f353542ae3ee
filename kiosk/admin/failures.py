"""The admins' Errors page (kiosk.web.failures): the refusals people met, counted by kind (incidents),
and the last unexpected errors with their tracebacks."""

from __future__ import annotations

from flask import current_app, render_template

from ..web import failures
from .auth import admin_required
from .blueprint import bp


@bp.get("/errors")
@admin_required
def error_log():
    data_dir = current_app.config["DATA_DIR"]
    return render_template(
        "admin/errors.html",
        incidents=failures.incidents(data_dir),
        incident_days=failures.INCIDENT_DAYS_SHOWN,
        errors=failures.recent(data_dir),
        keep=failures.KEEP,
    )
