"""What curators' pages read: the events list, one listed event, the eras and places in order, what uses an
era or a place, and what an event still lacks. Reads only: every change goes through kiosk.editing.writer."""

from __future__ import annotations

from sqlalchemy import Select, func, select

from ..content import fields, places
from ..extensions import db
from ..models import Era, Event, Place, Status


def listed_events(search: str = "", era_id: int | None = None, status: Status | None = None) -> list[Event]:
    """The curators' list: every event not in the trash, by date, narrowed by the filters given."""
    query = select(Event).where(Event.deleted_at.is_(None)).order_by(Event.sort_key, Event.headline, Event.id)
    if search:
        pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            Event.headline.ilike(pattern, escape="\\") | Event.summary.ilike(pattern, escape="\\")
        )
    if era_id:
        query = query.where(Event.era_id == era_id)
    if status:
        query = query.where(Event.status == status)
    return list(db.session.scalars(query))


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
