"""Places: the list of his life's places, each edited on its own page (name, note, coordinates, the years he
lived there), translated, its history kept; a place no event uses can be deleted. Saving an event chooses or
makes its place (kiosk/editing/writer.py)."""

from __future__ import annotations

from typing import cast

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from ..content import places as place_records
from ..editing import conflicts, reads, writer
from ..extensions import db
from ..languages import choice
from ..languages.localized import states_of
from ..models import Place
from . import conflicts as conflict_views
from .blueprint import bp, show_refusal
from .events import TranslationLink
from .forms import ConfirmForm, PlaceForm, whole_number


@bp.get("/places")
def place_list():
    every = reads.ordered_places()
    other_languages = [code for code in choice.offered() if code != choice.default()]
    return render_template(
        "admin/places.html",
        places=every,
        usage={place.id: reads.events_at(place) for place in every},
        years={
            place.id: place.display_years or place_records.span_label(place.years_from, place.years_to)
            for place in every
        },
        links={place.id: _translation_links(place) for place in every},
        other_languages=other_languages,
    )


def _translation_links(place: Place) -> list[TranslationLink]:
    return [
        TranslationLink(
            choice.own_name(code), state, url_for("admin.translate_place", place_id=place.id, lang=code)
        )
        for code, state in states_of(place).items()
    ]


def _form_page(form: PlaceForm, place: Place, status: int = 200):
    listed, trashed = reads.events_at(place)
    page = render_template(
        "admin/place_form.html",
        form=form,
        place=place,
        fields=PlaceForm.field_names(),
        translation_links=_translation_links(place),
        events_there=listed + trashed,
    )
    return page, status


def _conflict_page(form: PlaceForm, conflict: writer.EditConflict, status: int = 409, posted=None):
    """Someone else saved first: both versions side by side, field by field (see admin/conflicts.py)."""
    place = cast(Place, conflict.entity)  # a place's conflict is about that place
    saved = PlaceForm(formdata=None, place=place, meta={"csrf": False})
    saved.fill_from(place)
    view = conflict_views.view(
        conflict, form, saved, PlaceForm.carried_names(), PlaceForm.conflict_groups(), posted=posted
    )
    return (
        render_template(
            "admin/conflict.html",
            view=view,
            kind="place",
            name=place.name,
            merge_url=url_for("admin.merge_place", place_id=place.id),
            back_url=url_for("admin.edit_place", place_id=place.id),
        ),
        status,
    )


def _save(form: PlaceForm, place: Place, note: str = ""):
    try:
        saved = writer.save_place(place, form.changes(), whole_number(form.version.data), note)
    except writer.EditConflict as conflict:
        return _conflict_page(form, conflict)
    except writer.SaveRefused as refusal:
        return _form_page(form, place, show_refusal(form, refusal))
    flash(_("Saved the place “%(name)s”. Every event there shows it now.", name=saved.name), "success")
    return redirect(url_for("admin.place_list"))


@bp.route("/places/<id:place_id>/edit", methods=["GET", "POST"])
def edit_place(place_id: int):
    place = db.get_or_404(Place, place_id)
    form = PlaceForm(place=place)
    if not form.is_submitted():
        form.fill_from(place)
        return _form_page(form, place)
    if form.validate():
        return _save(form, place)
    return _form_page(form, place, 422)


@bp.post("/places/<id:place_id>/merge")
def merge_place(place_id: int):
    """Save what the curator chose on the conflict page, against the version they compared it with."""
    place = db.get_or_404(Place, place_id)
    version = request.form.get("version", "")
    carried = PlaceForm.carried_names()
    mine = PlaceForm(
        formdata=conflict_views.carried(request.form, "mine", carried), place=place, meta={"csrf": False}
    )
    if not mine.validate():
        mine.version.data = version
        return _form_page(mine, place, 422)
    conflict = conflicts.EditConflict(place, writer.submitted_place_item(place, mine.changes()))
    mine_values = conflict_views.form_values(mine, carried)
    decided = conflict_views.choices(conflict, PlaceForm.conflict_groups(), mine, mine_values, request.form)
    if not conflicts.is_stale(place, version) and any(chosen.chosen is None for chosen in decided):
        return _conflict_page(mine, conflict, 422, posted=request.form)
    values = conflict_views.merged(
        mine_values, conflict_views.carried(request.form, "current", carried), decided
    )
    values["version"] = version
    form = PlaceForm(formdata=values, place=place, meta={"csrf": False})
    if not form.validate():
        return _form_page(form, place, 422)
    return _save(form, place, note=_("Merged after a conflict"))


def _in_use_message(place: Place, listed: int, trashed: int) -> str:
    message = ngettext(
        "“%(name)s” cannot be deleted: %(num)d event happened there.",
        "“%(name)s” cannot be deleted: %(num)d events happened there.",
        listed + trashed,
        name=place.name,
    )
    if trashed:
        message += " " + ngettext(
            "(%(num)d of them is in the trash.)", "(%(num)d of them are in the trash.)", trashed
        )
    return message + " " + _("Give those events another place first.")


@bp.route("/places/<id:place_id>/delete", methods=["GET", "POST"])
def delete_place(place_id: int):
    place = db.get_or_404(Place, place_id)
    listed, trashed = reads.events_at(place)
    in_use = _in_use_message(place, listed, trashed) if listed or trashed else None
    form = ConfirmForm()
    if not form.validate_on_submit() or in_use:
        status = 409 if in_use and form.is_submitted() else 200
        return render_template("admin/place_delete.html", place=place, form=form, in_use=in_use), status
    name = place.name
    try:
        writer.delete_place(place)
    except writer.PlaceInUse as error:
        refused = _in_use_message(place, error.listed, error.trashed)
        return render_template("admin/place_delete.html", place=place, form=form, in_use=refused), 409
    except writer.EditConflict:
        flash(
            _("Someone else changed this place a moment ago. Look at it again before deleting it."), "error"
        )
        return redirect(url_for("admin.place_list"))
    flash(_("Deleted the place “%(name)s”.", name=name), "success")
    return redirect(url_for("admin.place_list"))
