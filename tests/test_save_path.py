"""A curator's save visits each module once: the writer hands the change to the field table (which makes
the snapshots and applies the item), then writes the revision, the audit entry and the content version,
and commits. Measured on the writer's save of an event as the edit form hands it over."""

from __future__ import annotations

import sys
from collections.abc import Callable

from kiosk.content.dates import PartialDate
from kiosk.editing import writer

from .helpers import changes_of, make_event

# The data model and the date type are what is saved, not steps of the save; kiosk.application's locale
# selector is what Flask-Babel calls back for any translated message. Entering them is not a stay.
DATA = {"kiosk.models", "kiosk.content.dates", "kiosk.application"}
MOST_STAYS, MOST_RETURNS = 8, 2


def modules_entered(work: Callable[[], object]) -> list[str]:
    """The kiosk modules ``work`` enters, in order, a module entered again right after itself once."""
    path: list[str] = []

    def watch(frame, what, _argument) -> None:
        module = frame.f_globals.get("__name__", "")
        if what == "call" and module.startswith("kiosk.") and module not in DATA and path[-1:] != [module]:
            path.append(module)

    sys.setprofile(watch)
    try:
        work()
    finally:
        sys.setprofile(None)
    return path


def returns(path: list[str]) -> int:
    """How often the path comes back to a module it had left."""
    return sum(1 for index, module in enumerate(path) if module in path[:index])


def test_a_curators_save_visits_each_module_once(app):
    event = make_event(start=PartialDate(1935, 8, 30), figure=None)
    changes = changes_of(event, headline="A corrected headline", summary="A corrected summary.")
    path = modules_entered(lambda: writer.save_event(event, changes, event.version))
    assert event.headline == "A corrected headline"  # it was saved
    assert len(path) <= MOST_STAYS and returns(path) <= MOST_RETURNS, " → ".join(path)
    assert path[0] == path[-1] == "kiosk.editing.writer"  # the writer begins and ends (commits) it


def test_the_measure_counts_what_it_says():
    def bouncing():
        writer.slugify("A B")  # writer
        PartialDate(1935).as_dict()  # the date type: not a stay
        writer.slugify("C")  # writer again, right after itself

    assert modules_entered(bouncing) == ["kiosk.editing.writer"]
    assert returns(["a", "b", "a", "c", "b"]) == 2
