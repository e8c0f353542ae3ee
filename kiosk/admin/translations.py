"""Translations: an event's, era's or place's text in another language, edited beside its default text and
saved
like any edit (kiosk/editing/writer.py: revision, conflict check, audit); kiosk/languages/localized.py says
what is missing
or out of date."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from ..content import fields
from ..content.fields import Entity
from ..editing import reads, revisions, writer
from ..extensions import db
from ..languages import choice
from ..languages.localized import source_hash
from ..models import Era, Event, Place
from .blueprint import bp, show_refusal
from .forms import (
    EraTranslationForm,
    EventTranslationForm,
    PlaceTranslationForm,
    TranslationForm,
    whole_number,
)


@bp.route("/events/<id:event_id>/translations/<lang>", methods=["GET", "POST"])
def translate_event(event_id: int, lang: str):
    event = db.first_or_404(reads.listed_event(event_id))
    return _translate(event, lang, EventTranslationForm(entity=event))


@bp.route("/eras/<id:era_id>/translations/<lang>", methods=["GET", "POST"])
def translate_era(era_id: int, lang: str):
    era = db.get_or_404(Era, era_id)
    return _translate(era, lang, EraTranslationForm(entity=era))


@bp.route("/places/<id:place_id>/translations/<lang>", methods=["GET", "POST"])
def translate_place(place_id: int, lang: str):
    place = db.get_or_404(Place, place_id)
    return _translate(place, lang, PlaceTranslationForm(entity=place))


def _translate(entity: Entity, lang: str, form: TranslationForm):
    if lang not in choice.offered() or lang == choice.default():
        abort(404)
    if not form.is_submitted():
        form.show(fields.translations_of(entity).get(lang, {}))
        form.version.data = str(entity.version)
        return _page(form, entity, lang)
    if not form.validate():
        return _page(form, entity, lang, status=422)
    try:
        writer.save_translation(entity, lang, form.texts(), whole_number(form.version.data))
    except writer.EditConflict as conflict:
        # Nothing was overwritten: their text is shown beside what this curator typed, which is kept.
        form.version.data = str(conflict.entity.version)
        return _page(form, conflict.entity, lang, status=409, conflict=True)
    except writer.SaveRefused as refusal:
        return _page(form, entity, lang, status=show_refusal(form, refusal))
    name = entity.headline if isinstance(entity, Event) else entity.name
    flash(
        _(
            "Saved the %(language)s text of “%(headline)s”.",
            language=choice.name_for_curators(lang),
            headline=name,
        ),
        "success",
    )
    return redirect(_urls(entity, lang)["edit_url"] or url_for("admin.event_list"))


def _urls(entity: Entity, lang: str) -> dict[str, str | None]:
    if isinstance(entity, Event):
        return {
            "edit_url": url_for("admin.edit_event", event_id=entity.id),
            "list_url": url_for("admin.event_list"),
            "history_url": url_for("admin.event_history", event_id=entity.id),
            "preview_url": url_for("admin.preview_event", event_id=entity.id, lang=lang),
            "action_url": url_for("admin.translate_event", event_id=entity.id, lang=lang),
        }
    kind = entity.__tablename__
    ids: dict[str, Any] = {f"{kind}_id": entity.id}
    return {
        "edit_url": url_for(f"admin.edit_{kind}", **ids),
        "list_url": url_for(f"admin.{kind}_list"),
        "history_url": url_for(f"admin.{kind}_history", **ids),
        "preview_url": None,
        "action_url": url_for(f"admin.translate_{kind}", lang=lang, **ids),
    }


def _page(form: TranslationForm, entity: Entity, lang: str, status: int = 200, conflict: bool = False):
    saved = fields.translations_of(entity).get(lang, {})
    source = fields.source(entity)
    name = entity.headline if isinstance(entity, Event) else entity.name
    section = f"{entity.__tablename__}s"
    fingerprint = source_hash(source)
    out_of_date = bool(saved) and saved.get("source_hash") != fingerprint
    changed = _changed_since(form, entity, saved.get("source_hash", ""), source) if out_of_date else None
    if isinstance(entity, Event):  # beside the translation: what the kiosk shows when the wording is empty
        source["display_date"] = entity.date_label
    page = render_template(
        "admin/translation.html",
        form=form,
        name=name,
        section=section,
        lang=lang,
        language=choice.name_for_curators(lang),
        default_lang=choice.default(),
        original=form.shown(form.TABLE, source),
        saved=form.shown(form.TABLE, saved),
        conflict=conflict,
        out_of_date=out_of_date,
        changed=changed,
        **_urls(entity, lang),
    )
    return page, status


def _changed_since(
    form: TranslationForm, entity: Entity, fingerprint: str, source: dict
) -> dict[str, list[tuple[str, str]]] | None:
    """What changed in the default text since the translation was made from it, word by word, by form
    field; None when the history no longer has the text it was made from."""
    made_from = reads.translated_from(entity, fingerprint)
    if made_from is None:
        return None
    before, after = form.shown(form.TABLE, made_from), form.shown(form.TABLE, source)
    return {
        name: revisions.word_diff(before[name], after[name])
        for name in form.FIELDS
        if before.get(name, "") != after.get(name, "")
    }
