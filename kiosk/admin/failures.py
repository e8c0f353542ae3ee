"""The last unexpected errors (kiosk.web.failures), for admins: what failed, for whom, and its traceback."""

from __future__ import annotations

from flask import current_app, render_template

from ..web import failures
from .auth import admin_required
from .blueprint import bp


@bp.get("/errors")
@admin_required
def error_log():
    return render_template(
        "admin/errors.html", errors=failures.recent(current_app.config["DATA_DIR"]), keep=failures.KEEP
    )
