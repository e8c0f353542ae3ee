"""What curators' pages read: the events list, one listed event, the eras and places in order, what uses an
era or a place, and what an event still lacks. Reads only: every change goes through kiosk.editing.writer."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.orm import selectinload

from ..content import fields, places
from ..content.dates import PartialDate
from ..extensions import db
from ..languages import localized
from ..models import Era, Event, EventTranslation, Place, Status
from . import revisions
from . import search as full_text

PAGE_SIZE = 50  # events a page of the curators' list shows
SEARCH_LENGTH = 200  # characters of a search: a longer one is cut here


def _latest_day(year, month, day) -> ColumnElement[int]:
    """The last day a date known to the year or month may mean, as YYYYMMDD (1936 → 19369999)."""
    return year * 10000 + func.coalesce(month, 99) * 100 + func.coalesce(day, 99)


# The curators' list in true date order: by when an event starts (a year alone before its months, as
# Event.sort_key has it), then by when it ends (a single date first, then the shorter spans: 1936, then
# 1936–1938, then 1936–1941), then by headline.
DATE_ORDER = (
    Event.sort_key,
    case(
        (Event.end_year.is_(None), _latest_day(Event.start_year, Event.start_month, Event.start_day)),
        else_=_latest_day(Event.end_year, Event.end_month, Event.end_day),
    ),
    Event.headline,
    Event.id,
)


@dataclass
class Listing:
    """A page of the curators' list, and how many events there are."""

    events: list[Event]
    matching: int  # events the filters let through
    total: int  # every event not in the trash
    page: int
    pages: int


def listed_events(
    words: str = "",
    era_id: int | None = None,
    status: Status | None = None,
    *,
    translation: tuple[str, str] | None = None,
    page: int = 1,
    per_page: int = PAGE_SIZE,
) -> Listing:
    """One page of the curators' list: the events not in the trash, in date order, narrowed by the
    filters given (``words``: the full-text search; ``translation``: (language, localized.MISSING or
    OUT_OF_DATE), the events whose text in that language is so)."""
    query = select(Event).where(Event.deleted_at.is_(None))
    if words:
        query = query.where(Event.id.in_(full_text.matching(words)))
    if era_id:
        query = query.where(Event.era_id == era_id)
    if status:
        query = query.where(Event.status == status)
    if translation is not None:
        query = _translated(query, *translation)
    matching = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    total = db.session.scalar(select(func.count(Event.id)).where(Event.deleted_at.is_(None))) or 0
    pages = max((matching + per_page - 1) // per_page, 1)
    page = min(max(page, 1), pages)
    shown = query.order_by(*DATE_ORDER).limit(per_page).offset((page - 1) * per_page)
    events = list(db.session.scalars(shown.options(selectinload(Event.era), selectinload(Event.image))))
    return Listing(events, matching, total, page, pages)


def _translated(query: Select[Event], locale: str, state: str) -> Select[Event]:
    """``query`` narrowed to the events whose text in ``locale`` is missing (the database tells), or out
    of date (the fingerprints of the translated events' default texts tell: worked out here)."""
    made = select(EventTranslation.event_id).where(
        EventTranslation.locale == locale, EventTranslation.headline != ""
    )
    if state == localized.MISSING:
        return query.where(Event.id.not_in(made))
    translated = list(db.session.scalars(query.where(Event.id.in_(made))))
    states = localized.translation_states(translated, [locale])
    return query.where(
        Event.id.in_([event.id for event in translated if states[event.id].get(locale) == state])
    )


def translated_from(entity: fields.Entity, fingerprint: str) -> dict | None:
    """The default-language texts a translation was made from (by translation key), found in the entity's
    history by their fingerprint (``fingerprint``, the translation's source_hash); None when no revision
    kept them."""
    table = fields.table_of(entity)
    for revision in revisions.history(entity):
        made_from = fields.item_source(table, revision.snapshot)
        if localized.source_hash(made_from) == fingerprint:
            return made_from
    return None


def same_headline_and_date(headline: str, start: PartialDate, other_than: int | None) -> Event | None:
    """An event on the list (not ``other_than``) with this headline, case and accents aside, starting on
    this date: the same event saved twice, most likely."""
    wanted = full_text.fold(" ".join(headline.split()))
    candidates = db.session.scalars(
        select(Event).where(
            Event.sort_key == start.sort_key, Event.deleted_at.is_(None), Event.id != (other_than or 0)
        )
    )
    return next(
        (event for event in candidates if full_text.fold(" ".join(event.headline.split())) == wanted), None
    )


def listed_event(event_id: int) -> Select[Event]:
    """The event with this id, unless it is in the trash (for db.first_or_404)."""
    return select(Event).where(Event.id == event_id, Event.deleted_at.is_(None))


def missing(event: Event) -> list[fields.Attention]:
    """What an event still lacks (the field table's flags), for the list to show in words."""
    return [flag for flag in fields.EVENT.attention if flag.applies(event)]


def ordered_eras() -> list[Era]:
    return list(db.session.scalars(select(Era).order_by(Era.position, Era.start_year, Era.id)))


def events_using(era: Era) -> tuple[int, int]:
    """How many events use this era: (on the list, in the trash)."""
    counted = select(func.count(Event.id)).where(Event.era_id == era.id)
    return (
        db.session.scalar(counted.where(Event.deleted_at.is_(None))) or 0,
        db.session.scalar(counted.where(Event.deleted_at.is_not(None))) or 0,
    )


def ordered_places() -> list[Place]:
    """Every place, by the years he lived there (places without years last), then by name."""
    every = db.session.scalars(select(Place)).all()
    return sorted(
        every,
        key=lambda place: (
            place.years_from is None,
            place.years_from or 0,
            place.name.casefold(),
            place.slug,
        ),
    )


def events_at(place: Place) -> tuple[int, int]:
    """How many events happened at this place: (on the list, in the trash)."""
    counted = select(func.count(Event.id)).where(Event.place_id == place.id)
    return (
        db.session.scalar(counted.where(Event.deleted_at.is_(None))) or 0,
        db.session.scalar(counted.where(Event.deleted_at.is_not(None))) or 0,
    )


def place_matching(name: str, lat: float, lon: float) -> Place | None:
    """The place recorded with this name and these coordinates (kiosk.content.places.identity), if any."""
    wanted = places.identity(name, lat, lon)
    near = select(Place).where(
        Place.lat.between(lat - 0.001, lat + 0.001), Place.lon.between(lon - 0.001, lon + 0.001)
    )
    return next(
        (
            place
            for place in db.session.scalars(near)
            if places.identity(place.name, place.lat, place.lon) == wanted
        ),
        None,
    )


def place_called(name: str) -> Place | None:
    """The place with this name in any language (case aside), for a curator who types only a name."""
    wanted = " ".join(name.split()).casefold()
    if not wanted:
        return None
    for place in ordered_places():
        names = [place.name, *(row.name for row in place.translations)]
        if any(" ".join(text.split()).casefold() == wanted for text in names if text):
            return place
    return None
