"""What the kiosk shows: published events in their chapters, neighbours, and the content version."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Connection, func, select, tuple_, union_all, update
from sqlalchemy.orm import contains_eager, selectinload

from ..extensions import db
from ..models import ContentState, Era, Event, Media, Place, Status, utcnow
from . import media

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


def placed_events(visible_only: bool = False) -> list[Event]:
    """Events with a place, in time order: every listed one for curators, the visible ones for the kiosk."""
    query = visible_events() if visible_only else select(Event).where(Event.deleted_at.is_(None))
    query = query.where(Event.place_id.is_not(None)).order_by(None).order_by(Event.sort_key, Event.id)
    return list(db.session.scalars(query.options(selectinload(Event.place))))


def place_slugs() -> list[str]:
    """The places visitors can open: those where a visible event happened."""
    query = (
        select(Place.slug)
        .join(Event, Event.place_id == Place.id)
        .where(Event.status == Status.PUBLISHED, Event.deleted_at.is_(None))
        .distinct()
        .order_by(Place.slug)
    )
    return list(db.session.scalars(query))


@dataclass
class Chapter:
    """An era and a run of its visible events: all of them, or a page from ``start`` on."""

    era: Era
    events: list[Event] = field(default_factory=list)
    total: int = 0  # visible events in the whole era
    start: int = 0  # where ``events`` begins among them

    @property
    def next_start(self) -> int:
        return self.start + len(self.events)

    @property
    def remaining(self) -> int:
        """Events after this run, which the timeline loads when the visitor reaches them."""
        return max(self.total - self.next_start, 0)


@dataclass
class ReadingGroup:
    """Further reading of one kind as the kiosk lists it: a heading (empty when unlabelled) and titles."""

    label: str
    titles: list[str] = field(default_factory=list)


# Each kind of further reading's heading on the kiosk (the admin's lists are labelled the same way).
READING_HEADINGS = {
    "scholarly": _l("Scholarly works"),
    "period": _l("Period sources (Soviet publications of the time)"),
}


def reading_groups(items: list | None) -> list[ReadingGroup]:
    """Further reading grouped for visitors: scholarly works first, then period sources, then titles that
    carry no kind (plain strings, as older files have them) without a heading."""
    groups = {kind: ReadingGroup(str(heading)) for kind, heading in READING_HEADINGS.items()}
    groups[""] = ReadingGroup("")
    for item in items or []:
        kind, text = (item["kind"], item["text"]) if isinstance(item, dict) else ("", item)
        groups.get(kind, groups[""]).titles.append(text)
    return [group for group in groups.values() if group.titles]


def _visible_counts():
    return (
        select(Event.era_id, func.count().label("total"))
        .where(Event.status == Status.PUBLISHED, Event.deleted_at.is_(None))
        .group_by(Event.era_id)
        .subquery()
    )


def chapters(eager_events: int | None = None) -> list[Chapter]:
    """Every era that has visible events, in order, with its first events loaded.

    ``eager_events`` caps how many events are loaded in all (the first ones in timeline order), so that a
    timeline of thousands of events costs the same two queries and a page of bounded size; None loads all.
    """
    counts = _visible_counts()
    rows = db.session.execute(
        select(Era, counts.c.total).join(counts, counts.c.era_id == Era.id).order_by(*ERA_ORDER)
    ).all()
    by_era = {era.id: Chapter(era, total=total) for era, total in rows}
    events = visible_events() if eager_events is None else _first_events(by_era.values(), eager_events)
    for item in db.session.scalars(events) if events is not None else ():
        by_era[item.era_id].events.append(item)
    return list(by_era.values())


def _first_events(chapters_in_order, budget: int):
    """The first ``budget`` events in timeline order, as one query that takes each era's share straight
    off its index (sorting every visible event to keep the first few would grow with the timeline)."""
    runs = []
    for chapter in chapters_in_order:
        if budget <= 0:
            break
        take = min(chapter.total, budget)
        budget -= take
        run = (
            select(Event.id)
            .where(
                Event.era_id == chapter.era.id, Event.status == Status.PUBLISHED, Event.deleted_at.is_(None)
            )
            .order_by(Event.sort_key, Event.id)
            .limit(take)
            .subquery()
        )
        runs.append(select(run.c.id))
    if not runs:
        return None
    return visible_events().where(Event.id.in_(union_all(*runs) if len(runs) > 1 else runs[0]))


def era_chapter(slug: str, start: int, limit: int) -> Chapter | None:
    """One page of an era's visible events (None for an unknown era or one with nothing to show)."""
    counts = _visible_counts()
    row = db.session.execute(
        select(Era, counts.c.total).join(counts, counts.c.era_id == Era.id).where(Era.slug == slug)
    ).first()
    if row is None:
        return None
    era, total = row
    page = visible_events().where(Event.era_id == era.id).offset(start).limit(limit)
    return Chapter(era, list(db.session.scalars(page)), total=total, start=start)


def featured_events(limit: int | None = None) -> list[Event]:
    return list(db.session.scalars(visible_events().where(Event.featured.is_(True)).limit(limit)))


@dataclass
class OfflineContents:
    """What a kiosk keeps for a reload while the server is down."""

    event_slugs: list[str]
    era_runs: list[tuple[str, int]]  # (era slug, start) of each run the timeline loads lazily
    image_keys: list[str]


def offline_contents(eager_events: int | None, page_size: int) -> OfflineContents:
    """Every visible event and its image, and the runs of events that ``chapters(eager_events)`` leaves
    for the timeline to load as the visitor reaches them (two queries, however long the timeline)."""
    visible = (Event.status == Status.PUBLISHED, Event.deleted_at.is_(None))
    events = db.session.execute(
        select(Event.slug, Media.key)
        .join(Event.era)
        .outerjoin(Event.image)
        .where(*visible)
        .order_by(*ERA_ORDER, Event.sort_key, Event.id)
    ).all()
    counts = _visible_counts()
    totals = db.session.execute(
        select(Era.slug, counts.c.total).join(counts, counts.c.era_id == Era.id).order_by(*ERA_ORDER)
    ).all()
    runs = []
    budget = len(events) if eager_events is None else eager_events
    for slug, total in totals:
        loaded = min(total, budget)
        budget -= loaded
        runs += [(slug, start) for start in range(loaded, total, page_size)]
    return OfflineContents(
        event_slugs=[slug for slug, _key in events],
        era_runs=runs,
        # An image whose file is missing is left out: a kiosk would only fail to fetch it.
        image_keys=[key for _slug, key in events if key and media.paths(key)[0].is_file()],
    )


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


def changed_at(version: int | None = None) -> datetime | None:
    """When what visitors see last changed (a publish, a setting); with ``version``, None unless that is
    still the content version."""
    query = select(ContentState.changed_at).where(ContentState.id == 1)
    if version is not None:
        query = query.where(ContentState.version == version)
    return db.session.scalar(query)


def bump_version(connection: Connection) -> None:
    """Move the content version on, in the connection's transaction (kiosk.editing.writer calls this for every
    change visitors see)."""
    connection.execute(
        update(ContentState)
        .where(ContentState.id == 1)
        .values(version=ContentState.version + 1, changed_at=utcnow())
    )
