"""Settings for the admin role: how long the kiosk waits before it resets, and its languages (accounts
are on their own page, kiosk/admin/accounts.py)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from ..content import settings_store
from ..editing import writer
from ..languages import choice
from .auth import admin_required
from .blueprint import bp, show_refusal
from .forms import SettingsForm


@bp.route("/settings", methods=["GET", "POST"])
@admin_required
def settings():
    form = SettingsForm()
    status = 200
    if not form.is_submitted():
        _fill(form)
    elif form.validate():
        values: dict[str, object] = {"idle_seconds": form.idle_seconds.data}
        if form.chooses_languages:
            chosen = [code for code in choice.available() if code in (form.languages.data or [])]
            values |= {"languages": chosen, "default_locale": form.default_locale.data}
        try:
            writer.save_settings(values, form.loaded.data or "")
        except writer.SaveRefused as refusal:
            status = show_refusal(form, refusal)
            if isinstance(refusal, writer.SettingsChanged):
                _fill(form)  # what is saved now, to look at before choosing again
        else:
            flash(_("Saved. The kiosk screens use the new settings once they next refresh."), "success")
            return redirect(url_for("admin.settings"))
    else:
        status = 422
    return render_template("admin/settings.html", form=form), status


def _fill(form: SettingsForm) -> None:
    form.idle_seconds.data = settings_store.idle_seconds()
    form.languages.data = choice.offered()
    form.default_locale.data = choice.default()
    form.loaded.data = settings_store.fingerprint(settings_store.stored_many(*settings_store.KIOSK_SETTINGS))


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
