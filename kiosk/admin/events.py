"""Events: the list, new, edit (with checks as the curator types), preview and moving to the trash."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup

from ..content import published
from ..editing import conflicts, drafts, reads, writer
from ..extensions import db
from ..languages import choice
from ..languages.localized import MISSING, OUT_OF_DATE, Localizer, states_of, translation_states
from ..models import Event, Status
from ..web.rendering import page_or_fragment
from . import conflicts as conflict_views
from .blueprint import bp, offer_undo, show_refusal
from .forms import ConfirmForm, EventForm, whole_number


@bp.get("/")
def home():
    return event_list()


@bp.get("/events")
def event_list():
    search = request.args.get("q", "").strip()[: reads.SEARCH_LENGTH]
    era_id = whole_number(request.args.get("era"))
    status = request.args.get("status", "")
    other_languages = [code for code in choice.offered() if code != choice.default()]
    # "ru:missing" or "ru:out-of-date": the events whose Russian text is missing or out of date.
    translation_filter = request.args.get("translation", "")
    wanted_language, _sep, wanted_state = translation_filter.partition(":")
    translation = None
    if wanted_language in other_languages and wanted_state in (MISSING, OUT_OF_DATE):
        translation = (wanted_language, wanted_state)
    else:
        translation_filter = ""
    listing = reads.listed_events(
        search,
        era_id,
        Status(status) if status in set(Status) else None,
        translation=translation,
        page=whole_number(request.args.get("page")) or 1,
    )
    filters = {"q": search, "era": era_id or "", "status": status, "translation": translation_filter}
    return page_or_fragment(
        "admin/events.html",
        "admin/_event_results.html",
        listing=listing,
        events=listing.events,
        page_urls=_page_urls(listing, {name: value for name, value in filters.items() if value}),
        unpublished=drafts.drafts_of([event.id for event in listing.events]),
        other_languages=[(code, choice.name_for_curators(code, alone=True)) for code in other_languages],
        translation_states=translation_states(listing.events, other_languages),
        translation_filter=translation_filter,
        eras=reads.ordered_eras(),
        search=search,
        search_length=reads.SEARCH_LENGTH,
        era_id=era_id,
        status_filter=status,
        missing=reads.missing,
    )


def _page_urls(listing: reads.Listing, filters: dict[str, Any]) -> dict[str, str | None]:
    """The list's previous and next pages, with the same filters."""

    def url(page: int) -> str | None:
        if not 1 <= page <= listing.pages or page == listing.page:
            return None
        wanted: dict[str, Any] = filters | ({"page": page} if page > 1 else {})
        return url_for("admin.event_list", **wanted)

    return {"previous": url(listing.page - 1), "next": url(listing.page + 1)}


def _form_page(form: EventForm, event: Event | None, status: int = 200):
    links = []
    if event is not None:
        links = [
            TranslationLink(
                choice.name_for_curators(code, alone=True),
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
        draft=drafts.revision(event) if event is not None else None,
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


# What the edit form's buttons do (its status field says what "Save" keeps the status at).
SAVE, PREVIEW, PUBLISH, UNPUBLISH = "save", "preview", "publish", "unpublish"


def _action() -> str:
    """The button the curator pressed; anything else counts as Save, which never publishes."""
    action = request.form.get("action", SAVE)
    return action if action in (SAVE, PREVIEW, PUBLISH, UNPUBLISH) else SAVE


def _plan(event: Event | None, form: EventForm, action: str) -> tuple[Status, bool]:
    """The status a save leaves the event with, and whether its changes wait unpublished.

    Nothing reaches visitors unless the curator publishes it: on an event the kiosk shows, Save and
    Preview keep the changes unpublished; Preview of anything else saves it as a draft. Publish makes
    the changes what the kiosk shows; Unpublish takes the event off the kiosk.
    """
    shown = event is not None and event.is_visible
    wanted = {PUBLISH: Status.PUBLISHED, UNPUBLISH: Status.DRAFT}.get(action) or Status(form["status"].data)
    if action in (SAVE, PREVIEW) and shown and wanted == Status.PUBLISHED:
        return wanted, True
    if action == PREVIEW and not shown:
        return Status.DRAFT, False
    return wanted, False


def _saved(event: Event, unpublished: bool, action: str):
    if action == PREVIEW:  # the preview's banner says what was saved, and what visitors see
        return redirect(url_for("admin.preview_event", event_id=event.id))
    headline = event.headline
    if unpublished:
        message = _(
            "Saved your changes to “%(headline)s” without publishing them: visitors still see the published "
            "version. Preview them, then publish.",
            headline=headline,
        )
    elif action == UNPUBLISH:
        message = _("Took “%(headline)s” off the kiosk. It is a draft now.", headline=headline)
    elif event.status == Status.PUBLISHED:
        message = _("Published “%(headline)s”. The kiosk shows it now.", headline=headline)
    else:
        message = _("Saved “%(headline)s” as a draft. The kiosk does not show it.", headline=headline)
    flash(message, "success")
    return redirect(url_for("admin.edit_event", event_id=event.id))


def _save(form: EventForm, event: Event | None, note: str = ""):
    """Save a checked form; a conflict or a refusal shows what was typed again, nothing lost."""
    action = _action()
    status, unpublished = _plan(event, form, action)
    changes = form.changes()
    changes.item["status"] = status.value
    try:
        saved = writer.save_event(event, changes, whole_number(form.version.data), note, draft=unpublished)
    except writer.EditConflict as conflict:
        return _conflict_page(form, conflict)
    except writer.SaveRefused as refusal:
        return _form_page(form, event, show_refusal(form, refusal))
    return _saved(saved, unpublished, action)


def _conflict_page(
    form: EventForm, conflict: writer.EditConflict, status: int = 409, posted=None, opened: int | None = None
):
    """Someone else saved first. Nothing is overwritten: the curator's version and the saved one, side by
    side, field by field, for them to choose from, with who changed what since they opened the form at
    ``opened`` (the version their form carried, unless given; see admin/conflicts.py)."""
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
        opened=opened if opened is not None else whole_number(form.version.data),
    )
    return (
        render_template(
            "admin/conflict.html",
            view=view,
            action=_action(),  # what they pressed: the merge does the same
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
        opened = whole_number(request.form.get("opened"))
        return _conflict_page(mine, conflict, 422, posted=request.form, opened=opened)
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
    """The event as the kiosk will show it, in the default language or the one asked for (?lang=ru): with
    its unpublished changes, unless the published version is asked for (?published=1)."""
    event = db.first_or_404(reads.listed_event(event_id))
    asked = request.args.get("lang", "")
    locale = asked if asked in choice.offered() else choice.default()
    published_only = request.args.get("published") == "1" and event.draft_number is not None
    shown_event = event if published_only else drafts.shadow(event)
    # The banner in the curator's own language, the event in the one asked for.
    banner = render_template(
        "admin/_preview_banner.html",
        event=event,
        draft=None if published_only else drafts.revision(event),
        published_only=published_only,
        form=ConfirmForm(formdata=None, version=str(event.version)),
        lang=asked if asked in choice.offered() else None,
    )
    g.visitor_language = locale
    shown, previous, following = Localizer(locale).events([shown_event, *published.neighbours(shown_event)])
    with force_locale(locale):
        return render_template(
            "admin/preview.html",
            event=shown,
            banner=Markup(banner),
            previous=previous,
            following=following,
            language_endpoint="timeline.event",
            language_values={"slug": event.slug},
        )


@bp.post("/events/<id:event_id>/publish")
def publish_event(event_id: int):
    """Publish what the curators edit: the unpublished changes, or the draft event."""
    return _settle(
        event_id,
        writer.publish,
        _("Someone else changed this event a moment ago. Look at it again before publishing."),
        lambda event: _("Published “%(headline)s”. The kiosk shows it now.", headline=event.headline),
    )


@bp.post("/events/<id:event_id>/discard")
def discard_changes(event_id: int):
    """Throw the unpublished changes away (History keeps them)."""
    return _settle(
        event_id,
        writer.discard_draft,
        _("Someone else changed this event a moment ago. Look at it again."),
        lambda event: _(
            "Threw away the unpublished changes to “%(headline)s”. History keeps them, should you want "
            "them back.",
            headline=event.headline,
        ),
    )


def _settle(event_id: int, change, stale: str, done):
    """Publish the event's unpublished changes or throw them away (``change``, a writer function), from a
    button carrying the version it was shown at; then back to the event's form, saying what happened."""
    event = db.first_or_404(reads.listed_event(event_id))
    form = ConfirmForm()
    form.validate()  # the CSRF token was checked for every POST already; this reads the version
    try:
        change(event, whole_number(form.version.data))
    except writer.EditConflict:
        flash(stale, "error")
    except writer.SaveRefused as refusal:
        flash(str(refusal), "error")
    else:
        flash(done(event), "success")
    return redirect(url_for("admin.edit_event", event_id=event_id))


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
    offer_undo(
        _("Moved “%(headline)s” to the trash. The kiosk no longer shows it.", headline=event.headline),
        url_for("admin.restore_event", event_id=event.id),
        event.version,
        url_for("admin.event_list"),
    )
    return redirect(url_for("admin.event_list"))
