"""Events: the list, new, edit (with checks as the curator types), preview and moving to the trash."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from ..content import published
from ..editing import conflicts, reads, writer
from ..extensions import db
from ..languages import choice
from ..languages.localized import MISSING, OUT_OF_DATE, Localizer, states_of, translation_states
from ..models import Event, Status
from ..web.rendering import page_or_fragment
from . import conflicts as conflict_views
from .blueprint import bp, show_refusal
from .forms import ConfirmForm, EventForm, whole_number


@bp.get("/")
def home():
    return event_list()


@bp.get("/events")
def event_list():
    search = request.args.get("q", "").strip()
    era_id = whole_number(request.args.get("era"))
    status = request.args.get("status", "")
    events = reads.listed_events(search, era_id, Status(status) if status in set(Status) else None)
    other_languages = [code for code in choice.offered() if code != choice.default()]
    states = translation_states(events, other_languages)
    # "ru:missing" or "ru:out-of-date": the events whose Russian text is missing or out of date.
    translation_filter = request.args.get("translation", "")
    wanted_language, _sep, wanted_state = translation_filter.partition(":")
    if wanted_language in other_languages and wanted_state in (MISSING, OUT_OF_DATE):
        events = [event for event in events if states[event.id].get(wanted_language) == wanted_state]
    else:
        translation_filter = ""
    return page_or_fragment(
        "admin/events.html",
        "admin/_event_results.html",
        events=events,
        other_languages=[(code, choice.own_name(code)) for code in other_languages],
        translation_states=states,
        translation_filter=translation_filter,
        eras=reads.ordered_eras(),
        search=search,
        era_id=era_id,
        status_filter=status,
        missing=reads.missing,
        total=len(reads.listed_events()),
    )


def _form_page(form: EventForm, event: Event | None, status: int = 200):
    links = []
    if event is not None:
        links = [
            TranslationLink(
                choice.own_name(code),
                state,
                url_for("admin.translate_event", event_id=event.id, lang=code),
            )
            for code, state in states_of(event).items()
        ]
    page = render_template(
        "admin/event_form.html",
        form=form,
        event=event,
        fields=EventForm.field_names(),
        translation_links=links,
        known_places=reads.ordered_places(),
    )
    return page, status


@dataclass(frozen=True)
class TranslationLink:
    """A link on an edit page to one language's text, with its state (MISSING, OUT_OF_DATE or None)."""

    name: str
    state: str | None
    href: str


def _saved(event: Event):
    if event.status == Status.PUBLISHED:
        flash(
            _("Saved “%(headline)s”. It is published: the kiosk shows it now.", headline=event.headline),
            "success",
        )
    else:
        flash(
            _("Saved “%(headline)s” as a draft. The kiosk does not show it.", headline=event.headline),
            "success",
        )
    if request.form.get("action") == "preview":
        return redirect(url_for("admin.preview_event", event_id=event.id))
    return redirect(url_for("admin.edit_event", event_id=event.id))


def _save(form: EventForm, event: Event | None, note: str = ""):
    """Save a checked form; a conflict or a refusal shows what was typed again, nothing lost."""
    try:
        saved = writer.save_event(event, form.changes(), whole_number(form.version.data), note)
    except writer.EditConflict as conflict:
        return _conflict_page(form, conflict)
    except writer.SaveRefused as refusal:
        return _form_page(form, event, show_refusal(form, refusal))
    return _saved(saved)


def _conflict_page(form: EventForm, conflict: writer.EditConflict, status: int = 409, posted=None):
    """Someone else saved first. Nothing is overwritten: the curator's version and the saved one, side by
    side, field by field, for them to choose from (see admin/conflicts.py)."""
    event = cast(Event, conflict.entity)  # an event's conflict is about that event
    saved = EventForm(formdata=None, event=event, meta={"csrf": False})
    saved.fill_from(event)
    image_lost = bool(form.new_upload) or request.form.get("image_lost") == "1"
    view = conflict_views.view(
        conflict,
        form,
        saved,
        EventForm.carried_names(),
        EventForm.conflict_groups(),
        posted=posted,
        image_lost=image_lost,
    )
    return (
        render_template(
            "admin/conflict.html",
            view=view,
            kind="event",
            name=event.headline,
            merge_url=url_for("admin.merge_event", event_id=event.id),
            back_url=url_for("admin.edit_event", event_id=event.id),
        ),
        status,
    )


@bp.post("/events/<id:event_id>/merge")
def merge_event(event_id: int):
    """Save what the curator chose on the conflict page, against the version they compared it with."""
    event = db.first_or_404(reads.listed_event(event_id))
    version = request.form.get("version", "")
    mine = EventForm(
        formdata=conflict_views.carried(request.form, "mine", EventForm.carried_names()),
        event=event,
        meta={"csrf": False},
    )
    if not mine.validate():  # the page was altered, or the world changed (a slug taken): fix it in the form
        mine.version.data = version
        return _form_page(mine, event, 422)
    conflict = conflicts.EditConflict(event, writer.submitted_event_item(event, mine.changes()))
    mine_values = conflict_views.form_values(mine, EventForm.carried_names())
    decided = conflict_views.choices(conflict, EventForm.conflict_groups(), mine, mine_values, request.form)
    if not conflicts.is_stale(event, version) and any(choice.chosen is None for choice in decided):
        return _conflict_page(mine, conflict, 422, posted=request.form)
    values = conflict_views.merged(
        mine_values, conflict_views.carried(request.form, "current", EventForm.carried_names()), decided
    )
    values["version"] = version
    values.setlist("image", request.files.getlist("image"))
    form = EventForm(formdata=values, event=event, meta={"csrf": False})
    if not form.validate():
        return _form_page(form, event, 422)
    return _save(form, event, note=_("Merged after a conflict"))


@bp.route("/events/new", methods=["GET", "POST"])
def new_event():
    form = EventForm()
    if form.validate_on_submit():
        return _save(form, None)
    return _form_page(form, None, 422 if form.is_submitted() else 200)


@bp.route("/events/<id:event_id>/edit", methods=["GET", "POST"])
def edit_event(event_id: int):
    event = db.first_or_404(reads.listed_event(event_id))
    form = EventForm(event=event)
    if not form.is_submitted():
        form.fill_from(event)
        return _form_page(form, event)
    if form.validate():
        return _save(form, event)
    return _form_page(form, event, 422)


@bp.post("/events/check")
@bp.post("/events/<id:event_id>/check")
def check_event(event_id: int | None = None):
    """The inline check as the curator types: messages for the fields they have touched, nothing saved."""
    event = db.first_or_404(reads.listed_event(event_id)) if event_id else None
    form = EventForm(event=event)
    form.image_chosen_elsewhere = request.form.get("image_chosen") == "1"
    form.validate()
    names = EventForm.field_names()
    touched = {name for name in request.form.get("touched", "").split(",") if name in names}
    return render_template(
        "admin/_event_check.html",
        form=form,
        checked=[form[name] for name in names if name in touched],
        fields=EventForm.field_names(),
        with_summary=request.form.get("error_summary") == "1",
    )


@bp.post("/text-preview")
def text_preview():
    """The Markdown text as the kiosk will show it (rendered and sanitised exactly as there)."""
    return render_template("admin/_text_preview.html", body=request.form.get("body", ""))


@bp.get("/events/<id:event_id>/preview")
def preview_event(event_id: int):
    """The event as the kiosk shows it, in the default language or the one asked for (?lang=ru)."""
    event = db.first_or_404(reads.listed_event(event_id))
    asked = request.args.get("lang", "")
    locale = asked if asked in choice.offered() else choice.default()
    g.visitor_language = locale
    shown, previous, following = Localizer(locale).events([event, *published.neighbours(event)])
    with force_locale(locale):
        return render_template(
            "admin/preview.html",
            event=shown,
            previous=previous,
            following=following,
            language_endpoint="timeline.event",
            language_values={"slug": event.slug},
        )


@bp.route("/events/<id:event_id>/delete", methods=["GET", "POST"])
def delete_event(event_id: int):
    event = db.first_or_404(reads.listed_event(event_id))
    form = ConfirmForm()
    if not form.validate_on_submit():
        form.version.data = str(event.version)
        return render_template("admin/event_delete.html", form=form, event=event)
    try:
        writer.move_event_to_trash(event, whole_number(form.version.data))
    except writer.EditConflict:
        flash(
            _("Someone else changed this event a moment ago. Look at it again before deleting it."), "error"
        )
        return redirect(url_for("admin.edit_event", event_id=event_id))
    flash(
        _("Moved “%(headline)s” to the trash. The kiosk no longer shows it.", headline=event.headline),
        "success",
    )
    return redirect(url_for("admin.event_list"))
