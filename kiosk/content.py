"""What the kiosk shows: published events in their chapters, neighbours, and the content version."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import event as sa_event
from sqlalchemy import inspect, select, tuple_, update
from sqlalchemy.orm import Session, contains_eager

from .extensions import db
from .models import ContentState, Era, Event, EventTranslation, Setting, Status, utcnow

ERA_ORDER = (Era.position, Era.start_year, Era.id)


def visible_events():
    """A select() of the events visitors may see (their era loaded with them), in timeline order."""
    return (
        select(Event)
        .join(Event.era)
        .options(contains_eager(Event.era))
        .where(Event.status == Status.PUBLISHED, Event.deleted_at.is_(None))
        .order_by(*ERA_ORDER, Event.sort_key, Event.id)
    )


@dataclass
class Chapter:
    era: Era
    events: list[Event] = field(default_factory=list)


def chapters() -> list[Chapter]:
    """Every era in order with its visible events; eras without any are left out."""
    eras = db.session.scalars(select(Era).order_by(*ERA_ORDER)).all()
    by_era = {era.id: Chapter(era) for era in eras}
    for item in db.session.scalars(visible_events()):
        by_era[item.era_id].events.append(item)
    return [chapter for chapter in by_era.values() if chapter.events]


def featured_events() -> list[Event]:
    return list(db.session.scalars(visible_events().where(Event.featured.is_(True))))


def visible_event(slug: str) -> Event | None:
    return db.session.scalar(visible_events().where(Event.slug == slug))


def neighbours(current: Event) -> tuple[Event | None, Event | None]:
    """The events before and after this one in timeline order."""
    return _next_visible(current, backwards=True), _next_visible(current, backwards=False)


def _next_visible(current: Event, backwards: bool) -> Event | None:
    """Look in the event's own era first (one step along an index), then in the nearest era before/after."""
    era = current.era
    step = (lambda a, b: a < b) if backwards else (lambda a, b: a > b)
    order = (lambda column: column.desc()) if backwards else (lambda column: column)
    in_era = (
        visible_events()
        .where(Event.era_id == era.id)
        .where(step(tuple_(Event.sort_key, Event.id), tuple_(current.sort_key, current.id)))
        .order_by(None)
        .order_by(order(Event.sort_key), order(Event.id))
    )
    found = db.session.scalar(in_era.limit(1))
    if found is not None:
        return found
    other_eras = (
        visible_events()
        .where(step(tuple_(*ERA_ORDER), tuple_(era.position, era.start_year, era.id)))
        .order_by(None)
        .order_by(*(order(column) for column in (*ERA_ORDER, Event.sort_key, Event.id)))
    )
    return db.session.scalar(other_eras.limit(1))


def content_version() -> int:
    return db.session.scalar(select(ContentState.version).where(ContentState.id == 1)) or 0


def _was_visible(event: Event) -> bool:
    state = inspect(event).attrs
    old_status = (state.status.history.deleted or [event.status])[0]
    old_deleted_at = (state.deleted_at.history.deleted or [event.deleted_at])[0]
    return old_status == Status.PUBLISHED and old_deleted_at is None


def _changes_what_visitors_see(obj, added_or_removed: bool) -> bool:
    if isinstance(obj, Era | EventTranslation | Setting):
        return True
    if not isinstance(obj, Event):
        return False
    if added_or_removed:
        return obj.status == Status.PUBLISHED
    return obj.is_visible or _was_visible(obj)


@sa_event.listens_for(Session, "after_flush")
def _bump_content_version(session: Session, _context) -> None:
    """Every flush that touches published content moves the version on, in the same transaction."""
    changed = [(obj, True) for obj in (*session.new, *session.deleted)]
    changed += [(obj, False) for obj in session.dirty if session.is_modified(obj)]
    if any(_changes_what_visitors_see(obj, added) for obj, added in changed):
        session.connection().execute(
            update(ContentState)
            .where(ContentState.id == 1)
            .values(version=ContentState.version + 1, changed_at=utcnow())
        )
