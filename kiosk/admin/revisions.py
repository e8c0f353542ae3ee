"""History: every saved version of an event, era or place, the differences between any two, and restoring
one."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from ..content.fields import Entity
from ..editing import reads, revisions, writer
from ..extensions import db
from ..models import Era, Event, Place, Revision
from ..web.rendering import page_or_fragment
from .blueprint import bp, refusal_status
from .forms import ConfirmForm, whole_number


def reference_names() -> dict[str, dict[str, str]]:
    """Eras' and places' names by web address, by field: snapshots name an event's era and place by web
    address, curators by name."""
    return {
        "era": dict(db.session.execute(select(Era.slug, Era.name)).all()),
        "place": dict(db.session.execute(select(Place.slug, Place.name)).all()),
    }


def readable(changes: list[revisions.FieldChange]) -> list[revisions.FieldChange]:
    """Differences as curators read them: eras and places by name, and the differing words marked in short
    texts too (revisions does that for long ones)."""
    names = reference_names()
    for change in changes:
        if change.field in names:
            change.before = names[change.field].get(change.before, change.before)
            change.after = names[change.field].get(change.after, change.after)
        if change.words is None and change.before and change.after and change.field != "image.key":
            change.words = revisions.word_diff(change.before, change.after)
        if change.words:
            change.words = _phrases(change.words)
    return changes


def _phrases(words: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """One mark per changed phrase, not one per word: a space between two changes joins them."""
    pieces = list(words)
    for index in range(1, len(pieces) - 1):
        operation, text = pieces[index]
        between_changes = "same" not in (pieces[index - 1][0], pieces[index + 1][0])
        if operation == "same" and not text.strip() and between_changes:
            pieces[index] = ("both", text)
    joined: list[tuple[str, str]] = []
    removed = added = ""
    for operation, text in [*pieces, ("same", "")]:
        if operation == "same":
            joined += [(name, run) for name, run in (("removed", removed), ("added", added)) if run]
            removed = added = ""
            if text:
                joined.append((operation, text))
        else:
            removed += text if operation in {"removed", "both"} else ""
            added += text if operation in {"added", "both"} else ""
    return joined


def _pair(history: list[Revision]) -> tuple[Revision | None, Revision | None]:
    """The two revisions to compare: those asked for, else the latest and the one before it."""
    by_number = {revision.number: revision for revision in history}
    newer = by_number.get(whole_number(request.args.get("newer")) or 0) or (history[0] if history else None)
    older = by_number.get(whole_number(request.args.get("older")) or 0)
    if newer is None:
        return None, None
    if older is None or older.number == newer.number:
        older = next((revision for revision in history if revision.number < newer.number), None)
    if older is not None and older.number > newer.number:
        older, newer = newer, older
    return older, newer


def _history_page(kind: str, entity: Entity):
    history = revisions.history(entity)
    older, newer = _pair(history)
    changes = readable(revisions.diff_revisions(older, newer)) if newer else []
    return page_or_fragment(
        "admin/history.html",
        "admin/_comparison.html",
        kind=kind,
        entity=entity,
        name=_name(entity),
        history=history,
        older=older,
        newer=newer,
        changes=changes,
        # Every change records a revision now; content from before that may have none for its state.
        latest_is_current=bool(history)
        and not revisions.diff(history[0].snapshot, revisions.snapshot(entity)),
    )


def _name(entity: Entity) -> str:
    return entity.headline if isinstance(entity, Event) else entity.name


def _restore_page(kind: str, entity: Entity, number: int):
    revision = db.first_or_404(revisions.numbered(entity, number))
    form = ConfirmForm()
    problem, status = None, 200
    if form.validate_on_submit():
        try:
            restored = writer.restore_revision(entity, revision, whole_number(form.version.data))
        except writer.EditConflict:
            problem, status = _("Someone else changed it a moment ago: look at the differences again."), 409
        except (revisions.RestoreRefused, writer.SaveRefused) as refusal:
            problem = str(refusal)
            status = refusal_status(refusal) if isinstance(refusal, writer.SaveRefused) else 409
        else:
            flash(
                _(
                    "Restored revision %(old)s. It is now revision %(new)s; the one before is kept too.",
                    old=revision.number,
                    new=restored.number,
                ),
                "success",
            )
            history: dict[str, Any] = {f"{kind}_id": entity.id}
            return redirect(url_for(f"admin.{kind}_history", **history))
    form.version.data = str(entity.version)
    changes = readable(revisions.diff(revisions.snapshot(entity), revision.snapshot))
    return (
        render_template(
            "admin/restore_revision.html",
            kind=kind,
            entity=entity,
            name=_name(entity),
            revision=revision,
            changes=changes,
            form=form,
            problem=problem,
        ),
        status,
    )


@bp.get("/events/<id:event_id>/history")
def event_history(event_id: int):
    return _history_page("event", db.first_or_404(reads.listed_event(event_id)))


@bp.route("/events/<id:event_id>/history/<id:number>/restore", methods=["GET", "POST"])
def restore_event_revision(event_id: int, number: int):
    return _restore_page("event", db.first_or_404(reads.listed_event(event_id)), number)


@bp.get("/eras/<id:era_id>/history")
def era_history(era_id: int):
    return _history_page("era", db.get_or_404(Era, era_id))


@bp.route("/eras/<id:era_id>/history/<id:number>/restore", methods=["GET", "POST"])
def restore_era_revision(era_id: int, number: int):
    return _restore_page("era", db.get_or_404(Era, era_id), number)


@bp.get("/places/<id:place_id>/history")
def place_history(place_id: int):
    return _history_page("place", db.get_or_404(Place, place_id))


@bp.route("/places/<id:place_id>/history/<id:number>/restore", methods=["GET", "POST"])
def restore_place_revision(place_id: int, number: int):
    return _restore_page("place", db.get_or_404(Place, place_id), number)
