"""Resolving an edit conflict field by field: the curator's version beside the saved one, and their choice.

When a save is refused because someone else saved first (kiosk.editing.conflicts.EditConflict), the
conflict page
lists each field where the two versions differ and asks which to keep, or lets the curator write a merged
text. Everything they submitted travels with the page in hidden fields ("mine-…"), and so does the saved
version they were shown ("current-…"): the merge saves exactly what was on screen, against the version it
was compared with, so a save by someone else in the meantime simply shows the conflict again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

from ..editing import conflicts, revisions
from ..models import Revision
from .revisions import readable, reference_names

MINE, CURRENT, EDIT = "mine", "current", "edit"
# What the page says of a field, knowing what the curator opened (and so who changed it).
NOT_YOURS = _l("You did not change this: the saved version is your colleague's change, chosen for you.")
ONLY_YOURS = _l("Only you changed this: your version is chosen for you.")
MERGED = _l("You both changed this, in different places: the merged version below has both changes.")
BOTH = _l("You both changed this: choose one, or write a merged version.")
# Fields whose value can be typed into one box: they may be merged by hand.
TYPED = {"StringField", "TextAreaField", "WholeNumberField"}


@dataclass
class Choice:
    """One field that differs, and what the curator chose for it."""

    key: str  # the difference's field ("headline", "image.alt")
    change: revisions.FieldChange  # before: the saved version; after: the curator's
    fields: tuple[str, ...]  # the form fields this choice decides
    editable: bool
    multiline: bool
    edit_text: str  # what the merge box holds (the curator's value to start with)
    chosen: str | None = None
    note: str = ""  # who changed it, when the version the curator opened is known

    @property
    def name(self) -> str:
        """For form names and ids."""
        return self.key.replace(".", "-")


@dataclass
class ConflictView:
    choices: list[Choice]
    mine: MultiDict
    current: MultiDict
    version: int
    saved_by: Revision | None
    image_lost: bool = False
    missing: list[Choice] = field(default_factory=list)
    opened: int | None = None  # the version the curator opened the form at
    meanwhile: list[conflicts.Meanwhile] = field(default_factory=list)  # the saves since then


def form_values(form: FlaskForm, names: list[str]) -> MultiDict:
    """A form's values as the browser would send them again (checked boxes only, as "y")."""
    values: MultiDict[str, str] = MultiDict()
    for name in names:
        control = form[name]
        if control.type == "BooleanField":
            if control.data:
                values.add(name, "y")
        elif control.type in {"SelectField", "RadioField"}:
            values.add(name, "" if control.data is None else str(control.data))
        else:
            # Every text-like field renders its text with _value(), which types-WTForms leaves out.
            values.add(name, control._value())  # type: ignore[attr-defined]
    return values


def carried(formdata: MultiDict, side: str, names: list[str]) -> MultiDict:
    """One side's values from the conflict form's hidden fields ("mine-headline" → "headline")."""
    values: MultiDict[str, str] = MultiDict()
    for name in names:
        for value in formdata.getlist(f"{side}-{name}"):
            values.add(name, value)
    return values


def choices(
    conflict: conflicts.EditConflict,
    groups: dict[str, tuple[str, ...]],
    form: FlaskForm,
    mine: MultiDict,
    posted: MultiDict | None = None,
    opened: dict | None = None,
) -> list[Choice]:
    """A choice for every difference the form can decide, with what ``posted`` chose for it, if anything;
    else, knowing what the curator ``opened``, the side that changed chosen for them."""
    found: list[Choice] = []
    covered: set[str] = set()
    references = reference_names() if opened is not None else {}
    for change in readable(conflict.differences):
        names = groups.get(change.field)
        if not names or covered.intersection(names):  # an image's key and address are one choice
            continue
        covered.update(names)
        kind = form[names[0]].type
        editable = len(names) == 1 and kind in TYPED
        multiline = kind == "TextAreaField"
        choice = Choice(change.field, change, names, editable, multiline, mine.get(names[0], ""))
        if opened is not None:
            was = revisions.value_text(opened, change.field)
            _preselect(choice, references.get(change.field, {}).get(was, was), posted is None)
        if posted is not None:
            picked = posted.get(f"choose-{choice.name}")
            if picked in {MINE, CURRENT} or (picked == EDIT and editable):
                choice.chosen = picked
            if editable and f"edit-{choice.name}" in posted:
                choice.edit_text = posted.get(f"edit-{choice.name}", "")
        found.append(choice)
    return found


def _preselect(choice: Choice, opened: str, chosen: bool) -> None:
    """Say who changed the field since the curator opened it, and (``chosen``) choose for them the side
    that changed it: theirs when only they did, the saved one when only a colleague did, both when their
    changes touch different words of a text."""
    mine, saved = choice.change.after, choice.change.before
    if mine == opened:
        choice.note, pick = str(NOT_YOURS), CURRENT
    elif saved == opened:
        choice.note, pick = str(ONLY_YOURS), MINE
    elif choice.editable and (both := revisions.merge_words(opened, mine, saved)) is not None:
        choice.note, pick = str(MERGED), EDIT
        choice.edit_text = both
    else:
        choice.note, pick = str(BOTH), None
    if chosen:
        choice.chosen = pick


def merged(mine: MultiDict, current: MultiDict, decided: list[Choice]) -> MultiDict:
    """The curator's values, with the saved one or their merged text wherever they chose so."""
    values = MultiDict(mine)
    for choice in decided:
        if choice.chosen == CURRENT:
            for name in choice.fields:
                values.setlist(name, current.getlist(name))
        elif choice.chosen == EDIT:
            values.setlist(choice.fields[0], [choice.edit_text])
    return values


def view(
    conflict: conflicts.EditConflict,
    mine_form: FlaskForm,
    current_form: FlaskForm,
    names: list[str],
    groups: dict[str, tuple[str, ...]],
    *,
    posted: MultiDict | None = None,
    image_lost: bool = False,
    opened: int | None = None,
) -> ConflictView:
    """The conflict page's content; ``opened``: the version the curator opened the form at, if known."""
    mine = form_values(mine_form, names)
    entity = conflict.entity
    found = choices(conflict, groups, mine_form, mine, posted, conflicts.opened(entity, opened))
    history = revisions.history(entity)
    return ConflictView(
        choices=found,
        mine=mine,
        current=form_values(current_form, names),
        version=conflict.entity.version,
        saved_by=history[0] if history else None,
        image_lost=image_lost,
        missing=[choice for choice in found if choice.chosen is None] if posted is not None else [],
        opened=opened,
        meanwhile=conflicts.since(entity, opened),
    )
