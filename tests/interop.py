"""Helpers for the import, export and backup tests: a second kiosk, the CLI, counts of what changed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import func, select

from kiosk.content import published
from kiosk.editing import writer
from kiosk.extensions import db
from kiosk.models import AuditEntry, Era, Event, Revision

from .conftest import make_app

DATA = Path(__file__).parent / "data"
# Files as museums make them: a TimelineJS document, and TimelineJS sheets (good, with bad rows, old-style).
MUSEUM = DATA / "timelinejs-museum.json"
GOOD_SHEET, BAD_SHEET, OLD_SHEET = (
    DATA / "sheet-good.csv",
    DATA / "sheet-bad-rows.csv",
    DATA / "sheet-old-format.csv",
)


@contextmanager
def other_kiosk(folder: Path, *, migrated: bool = True) -> Iterator:
    """Another kiosk with its own data folder, its database migrated but empty (or not there at all)."""
    app = make_app(folder)
    with app.app_context():
        if migrated:
            upgrade()
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


def cli(app, *args: str):
    return app.test_cli_runner().invoke(args=[str(arg) for arg in args])


def without_images() -> None:
    """Move the events with a photograph to the trash (which exports leave out) before the timeline moves
    to a new kiosk in a file: our formats name a kiosk's images by key, and the image files travel in a
    backup, not in the file (docs/interchange-format.md), so they could not arrive the same."""
    for event in db.session.scalars(select(Event).where(Event.image_id.is_not(None))).all():
        writer.move_event_to_trash(event, event.version)


def state() -> dict:
    """Counts of everything an import or restore could change, and the content version."""
    count = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa: E731
    return {
        "eras": count(Era),
        "events": count(Event),
        "revisions": count(Revision),
        "audit": count(AuditEntry),
        "content_version": published.content_version(),
    }
