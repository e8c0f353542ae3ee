"""Settings for the admin role: how long the kiosk waits before it resets, and who has an account."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from .. import accounts, audit, settings_store
from ..extensions import db
from .auth import admin_required
from .blueprint import bp
from .forms import SettingsForm


@bp.route("/settings", methods=["GET", "POST"])
@admin_required
def settings():
    form = SettingsForm()
    if not form.is_submitted():
        form.idle_seconds.data = settings_store.idle_seconds()
    elif form.validate():
        settings_store.put("idle_seconds", form.idle_seconds.data)
        audit.record("settings.save", "idle_seconds", str(form.idle_seconds.data))
        db.session.commit()
        flash(_("Saved. The kiosk screens use the new timeout once they next refresh."), "success")
        return redirect(url_for("admin.settings"))
    status = 422 if form.errors else 200
    return render_template("admin/settings.html", form=form, users=accounts.list_users()), status
