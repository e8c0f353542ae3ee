"""Settings for the admin role: how long the kiosk waits before it resets, and who has an account."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from ..accounts import users
from ..content import settings_store
from ..editing import audit
from ..extensions import db
from ..languages import choice
from .auth import admin_required
from .blueprint import bp
from .forms import SettingsForm


@bp.route("/settings", methods=["GET", "POST"])
@admin_required
def settings():
    form = SettingsForm()
    if not form.is_submitted():
        form.idle_seconds.data = settings_store.idle_seconds()
        form.languages.data = choice.offered()
        form.default_locale.data = choice.default()
    elif form.validate():
        chosen = [code for code in choice.available() if code in (form.languages.data or [])]
        settings_store.put("idle_seconds", form.idle_seconds.data)
        if form.chooses_languages:
            settings_store.put("languages", chosen)
            settings_store.put("default_locale", form.default_locale.data)
        audit.record(
            "settings.save",
            "idle_seconds, languages",
            f"{form.idle_seconds.data}; {','.join(chosen)}; {form.default_locale.data}",
        )
        db.session.commit()
        flash(_("Saved. The kiosk screens use the new settings once they next refresh."), "success")
        return redirect(url_for("admin.settings"))
    status = 422 if form.errors else 200
    return render_template("admin/settings.html", form=form, users=users.list_users()), status


@bp.post("/language")
def choose_language():
    """A curator's own language for the admin pages (the kiosk's languages are set above)."""
    chosen = request.form.get("lang", "")
    if chosen in choice.offered():
        session["lang"] = chosen
    target = request.form.get("next", "")
    return redirect(
        target if target.startswith("/admin") and "//" not in target else url_for("admin.event_list")
    )
