"""Eras: the chapters of the timeline. List, create, edit, reorder, delete when no event uses them."""

from __future__ import annotations

from typing import cast

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from ..content import fields
from ..editing import conflicts, reads, writer
from ..extensions import db
from ..languages import choice
from ..languages.localized import states_of
from ..models import Era
from . import conflicts as conflict_views
from .blueprint import bp, show_refusal
from .events import TranslationLink
from .forms import ConfirmForm, EraForm, whole_number


@bp.get("/eras")
def era_list():
    eras = reads.ordered_eras()
    return render_template(
        "admin/eras.html",
        eras=eras,
        usage={era.id: reads.events_using(era) for era in eras},
        form=ConfirmForm(),
    )


def _form_page(form: EraForm, era: Era | None, status: int = 200):
    links = []
    if era is not None:
        links = [
            TranslationLink(
                choice.name_for_curators(code, alone=True),
                state,
                url_for("admin.translate_era", era_id=era.id, lang=code),
            )
            for code, state in states_of(era).items()
        ]
    page = render_template(
        "admin/era_form.html", form=form, era=era, fields=EraForm.field_names(), translation_links=links
    )
    return page, status


def _conflict_page(
    form: EraForm, conflict: writer.EditConflict, status: int = 409, posted=None, opened: int | None = None
):
    """Someone else saved first: both versions side by side, field by field, and who changed what since
    the form was opened (see admin/conflicts.py and events.py's)."""
    era = cast(Era, conflict.entity)  # an era's conflict is about that era
    saved = EraForm(formdata=None, era=era, meta={"csrf": False})
    saved.fill_from(era)
    view = conflict_views.view(
        conflict,
        form,
        saved,
        EraForm.carried_names(),
        EraForm.conflict_groups(),
        posted=posted,
        opened=opened if opened is not None else whole_number(form.version.data),
    )
    return (
        render_template(
            "admin/conflict.html",
            view=view,
            kind="era",
            name=era.name,
            merge_url=url_for("admin.merge_era", era_id=era.id),
            back_url=url_for("admin.edit_era", era_id=era.id),
        ),
        status,
    )


@bp.post("/eras/<id:era_id>/merge")
def merge_era(era_id: int):
    """Save what the curator chose on the conflict page, against the version they compared it with."""
    era = db.get_or_404(Era, era_id)
    version = request.form.get("version", "")
    mine = EraForm(
        formdata=conflict_views.carried(request.form, "mine", EraForm.carried_names()),
        era=era,
        meta={"csrf": False},
    )
    if not mine.validate():
        mine.version.data = version
        return _form_page(mine, era, 422)
    conflict = conflicts.EditConflict(era, writer.submitted_era_item(era, mine.changes()))
    mine_values = conflict_views.form_values(mine, EraForm.carried_names())
    decided = conflict_views.choices(conflict, EraForm.conflict_groups(), mine, mine_values, request.form)
    if not conflicts.is_stale(era, version) and any(choice.chosen is None for choice in decided):
        opened = whole_number(request.form.get("opened"))
        return _conflict_page(mine, conflict, 422, posted=request.form, opened=opened)
    values = conflict_views.merged(
        mine_values, conflict_views.carried(request.form, "current", EraForm.carried_names()), decided
    )
    values["version"] = version
    form = EraForm(formdata=values, era=era, meta={"csrf": False})
    if not form.validate():
        return _form_page(form, era, 422)
    return _save(form, era, note=_("Merged after a conflict"))


def _save(form: EraForm, era: Era | None, note: str = ""):
    try:
        saved = writer.save_era(era, form.changes(), whole_number(form.version.data), note)
    except writer.EditConflict as conflict:
        return _conflict_page(form, conflict)
    except writer.SaveRefused as refusal:
        return _form_page(form, era, show_refusal(form, refusal))
    flash(_("Saved the era “%(name)s”.", name=saved.name), "success")
    return redirect(url_for("admin.era_list"))


@bp.route("/eras/new", methods=["GET", "POST"])
def new_era():
    form = EraForm()
    if not form.is_submitted():
        form["colour"].data = fields.COLOUR.DEFAULT
        return _form_page(form, None)
    if form.validate():
        return _save(form, None)
    return _form_page(form, None, 422)


@bp.route("/eras/<id:era_id>/edit", methods=["GET", "POST"])
def edit_era(era_id: int):
    era = db.get_or_404(Era, era_id)
    form = EraForm(era=era)
    if not form.is_submitted():
        form.fill_from(era)
        return _form_page(form, era)
    if form.validate():
        return _save(form, era)
    return _form_page(form, era, 422)


@bp.post("/eras/<id:era_id>/move")
def move_era(era_id: int):
    era = db.get_or_404(Era, era_id)
    step = {"earlier": -1, "later": 1}.get(request.form.get("direction", ""))
    if step is None:
        abort(400)
    try:
        moved = writer.move_era(era, step)
    except writer.EditConflict:
        flash(_("Someone else changed the eras a moment ago. Look at the order again."), "error")
        return redirect(url_for("admin.era_list"))
    if moved:
        flash(_("Moved “%(name)s”.", name=era.name), "success")
    return redirect(url_for("admin.era_list", _anchor=f"era-{era.id}"))


def _in_use_message(era: Era, listed: int, trashed: int) -> str:
    message = ngettext(
        "“%(name)s” cannot be deleted: %(num)d event uses it.",
        "“%(name)s” cannot be deleted: %(num)d events use it.",
        listed + trashed,
        name=era.name,
    )
    if trashed:
        message += " " + ngettext(
            "(%(num)d of them is in the trash.)", "(%(num)d of them are in the trash.)", trashed
        )
    return message + " " + _("Move those events to another era first.")


@bp.route("/eras/<id:era_id>/delete", methods=["GET", "POST"])
def delete_era(era_id: int):
    era = db.get_or_404(Era, era_id)
    listed, trashed = reads.events_using(era)
    in_use = _in_use_message(era, listed, trashed) if listed or trashed else None
    form = ConfirmForm()
    if not form.validate_on_submit() or in_use:
        status = 409 if in_use and form.is_submitted() else 200
        return render_template("admin/era_delete.html", era=era, form=form, in_use=in_use), status
    name = era.name
    try:
        writer.delete_era(era)
    except writer.EraInUse as error:
        refused = _in_use_message(era, error.listed, error.trashed)
        return render_template("admin/era_delete.html", era=era, form=form, in_use=refused), 409
    except writer.EditConflict:
        flash(_("Someone else changed this era a moment ago. Look at it again before deleting it."), "error")
        return redirect(url_for("admin.era_list"))
    flash(_("Deleted the era “%(name)s”.", name=name), "success")
    return redirect(url_for("admin.era_list"))
