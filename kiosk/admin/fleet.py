"""The Kiosks page, for every curator: each kiosk's last report, and a clear warning for one that has gone
silent during opening hours, reports JavaScript errors, has reports refused or shows an old version; the
museum's opening hours. Administrators enrol kiosks (a start address with a token, or approving one that
asked), name them, stop them reporting, and set the opening hours (saved by the one writer)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..content import published, settings_store
from ..editing import writer
from ..extensions import db
from ..telemetry import analytics, fleet
from ..timeline.views import kiosk_version
from ..web.rendering import page_or_fragment
from .auth import admin_required
from .blueprint import bp
from .forms import KioskForm, KioskLabelForm, OpeningHoursForm, whole_number


def _opening_hours_form(form: OpeningHoursForm | None = None) -> OpeningHoursForm:
    if form is None:
        form = OpeningHoursForm(formdata=None)
        rows = settings_store.stored_many(fleet.OPENING_HOURS_SETTING)
        form.fill(fleet.opening_hours(), settings_store.fingerprint(rows))
    return form


def _page(status: int = 200, **forms):
    moment = analytics.now()
    page = whole_number(request.args.get("page")) or 1
    current = fleet.fleet(kiosk_version(), published.changed_at(), page)
    rendered = page_or_fragment(
        "admin/kiosks.html",
        "admin/_kiosk_list.html",
        fleet=current,
        states=current.states,
        waiting=fleet.waiting_requests(),
        now=moment,
        open_now=fleet.open_now(moment),
        opening_hours=fleet.timetable(),
        hours_set_here=settings_store.get(fleet.OPENING_HOURS_SETTING) is not None,
        default_hours=fleet.default_opening_hours_text(),
        timezone=analytics.museum_zone().key,
        kiosk_form=forms.get("kiosk_form") or KioskForm(formdata=None),
        hours_form=_opening_hours_form(forms.get("hours_form")),
    )
    return rendered, status


@bp.get("/kiosks")
def kiosk_list():
    return _page()


def _start_address_page(name: str, token: str, replaced: bool):
    """The start address, shown this once (only its token's hash is kept)."""
    return render_template(
        "admin/kiosk_address.html", name=name, address=fleet.start_address(name, token), replaced=replaced
    )


@bp.post("/kiosks/add")
@admin_required
def add_kiosk():
    form = KioskForm()
    if not form.validate():
        return _page(422, kiosk_form=form)
    name = (form.name.data or "").lower()
    replaced = fleet.station_named(name) is not None
    try:
        token = fleet.add_kiosk(name, form.label.data or "")
    except fleet.EnrolmentRefused as refused:
        db.session.rollback()
        form.name.errors = [str(refused)]
        return _page(422, kiosk_form=form)
    db.session.commit()
    return _start_address_page(name, token, replaced)


@bp.post("/kiosks/<name>/new-address")
@admin_required
def new_start_address(name: str):
    station = fleet.station_named(name)
    if station is None:
        return redirect(url_for("admin.kiosk_list"))
    token = fleet.add_kiosk(station.name)
    db.session.commit()
    return _start_address_page(station.name, token, replaced=True)


@bp.post("/kiosks/requests/<int:request_id>/approve")
@admin_required
def approve_kiosk(request_id: int):
    try:
        station = fleet.approve(request_id)
        db.session.commit()
        flash(_("%(name)s may report now.", name=station.name), "success")
    except fleet.EnrolmentRefused as refused:
        db.session.rollback()
        flash(str(refused), "error")
    return redirect(url_for("admin.kiosk_list"))


@bp.post("/kiosks/requests/<int:request_id>/refuse")
@admin_required
def refuse_kiosk(request_id: int):
    name = fleet.refuse(request_id)
    db.session.commit()
    if name:
        flash(_("The request from %(name)s was refused.", name=name), "success")
    return redirect(url_for("admin.kiosk_list"))


@bp.post("/kiosks/<name>/revoke")
@admin_required
def revoke_kiosk(name: str):
    if fleet.revoke(name):
        db.session.commit()
        flash(
            _(
                "%(name)s can no longer report. It stays on the list; give it a new start address, or "
                "approve it when it asks again, to count it again.",
                name=name,
            ),
            "success",
        )
    return redirect(url_for("admin.kiosk_list"))


@bp.post("/kiosks/<name>/rename")
@admin_required
def rename_kiosk(name: str):
    form = KioskLabelForm()
    if not form.validate():
        flash(form.label.errors[0], "error")
    elif fleet.rename(name, form.label.data or ""):
        db.session.commit()
        label = form.label.data or name
        flash(_("Saved: %(name)s is now called “%(label)s”.", name=name, label=label), "success")
    return redirect(url_for("admin.kiosk_list") + f"#kiosk-{name}")


@bp.post("/kiosks/<name>/forget")
@admin_required
def forget_kiosk(name: str):
    if fleet.forget(name):
        db.session.commit()
        flash(
            _(
                "%(name)s was removed from the list and can no longer report. Its figures stay in the "
                "analytics.",
                name=name,
            ),
            "success",
        )
    return redirect(url_for("admin.kiosk_list"))


@bp.post("/kiosks/opening-hours")
@admin_required
def save_opening_hours():
    form = OpeningHoursForm()
    use_default = request.form.get("action") == "default"
    if not use_default and not form.validate():
        return _page(422, hours_form=form)
    try:
        changed = writer.save_opening_hours(None if use_default else form.text(), form.loaded.data or "")
    except writer.SaveRefused as refused:
        flash(str(refused), "error")
        return redirect(url_for("admin.kiosk_list") + "#opening-hours-title")
    if changed:
        flash(_("Saved the opening hours."), "success")
    return redirect(url_for("admin.kiosk_list") + "#opening-hours-title")


@bp.app_template_filter("museum_time")
def museum_time(moment) -> str:
    """A stored time on the museum's clock (KIOSK_TIMEZONE), as the Kiosks and Analytics pages write it."""
    return fleet.local_label(moment)


@bp.get("/kiosks/<name>")
def kiosk_page(name: str):
    station = fleet.station_named(name)
    if station is None:
        abort(404)
    form = KioskLabelForm(formdata=None, label=station.label)
    return render_template(
        "admin/kiosk.html",
        state=fleet.state_of(station, kiosk_version(), published.changed_at()),
        refusals=fleet.refusals_of(station.name),
        kept=fleet.REFUSALS_KEPT,
        label_form=form,
    )
