"""The trash: events moved there, brought back, or deleted for good (only from here, after asking)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from ..editing import trash, writer
from ..extensions import db
from ..models import Event, Status
from .blueprint import bp
from .forms import ConfirmForm, whole_number


def _trashed(event_id: int):
    return select(Event).where(Event.id == event_id, Event.deleted_at.is_not(None))


def _changed_meanwhile() -> None:
    flash(_("Someone else changed this event a moment ago. Look at the trash again."), "error")


@bp.get("/trash")
def trash_list():
    events = trash.list_trash()
    return render_template(
        "admin/trash.html", events=events, trashed_by=trash.trashed_by(events), form=ConfirmForm()
    )


@bp.post("/trash/<id:event_id>/restore")
def restore_event(event_id: int):
    event = db.first_or_404(_trashed(event_id))
    form = ConfirmForm()
    form.validate()  # the CSRF token was checked for every POST already; this reads the version
    try:
        writer.restore_from_trash(event, whole_number(form.version.data))
    except writer.EditConflict:
        _changed_meanwhile()
        return redirect(url_for("admin.trash_list"))
    headline = event.headline
    if event.status == Status.PUBLISHED:
        message = _("Restored “%(headline)s”. It is published: the kiosk shows it again.", headline=headline)
    else:
        message = _("Restored “%(headline)s” to the events, as a draft.", headline=headline)
    flash(message, "success")
    # Undo after moving it to the trash goes back to the events' list.
    back = request.form.get("next", "")
    return redirect(back if back == url_for("admin.event_list") else url_for("admin.trash_list"))


@bp.route("/trash/<id:event_id>/delete", methods=["GET", "POST"])
def purge_event(event_id: int):
    event = db.first_or_404(_trashed(event_id))
    form = ConfirmForm()
    if not form.validate_on_submit():
        form.version.data = str(event.version)
        return render_template("admin/trash_purge.html", event=event, form=form)
    headline = event.headline
    try:
        writer.purge_event(event, whole_number(form.version.data))
    except writer.EditConflict:
        _changed_meanwhile()
        return redirect(url_for("admin.trash_list"))
    flash(_("Deleted “%(headline)s” for good.", headline=headline), "success")
    return redirect(url_for("admin.trash_list"))
