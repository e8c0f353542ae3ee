"""Where things happened: places as records of their own, their checks, the map's projection, and the
places of his life with their events for the Places view.

A place (kiosk.models.Place) has a name and a note in the default language (PlaceTranslation holds the
others), coordinates, and the years he lived there with an optional wording: a fact of its own, never
derived from the dates of the events that happened there. The map has no modern borders, so what a place is
today ("then the Kazakh SSR, today Kazakhstan") goes in its note. Events refer to a place; older documents
and TimelineJS carry a place inside each event ({"name": {locale: text}, "note": {locale: text}, "lat",
"lon"}, checked by ``clean``), which importing turns into a record.

The map is an equirectangular projection of the region of his life (the base map drawn by
kiosk.timeline.basemap uses the same one), with an inset that spreads out places too close together to
tap apart.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

BASE_MAP = "vendor/basemap.svg"  # written by kiosk.timeline.basemap at set-up, served as a hashed static file
NAME_LENGTH = 120
NOTE_LENGTH = 300
YEARS_LENGTH = 120  # the wording of the years
SLUG_LENGTH = 80
DEFAULT_LOCALE = "en"  # the language a place carried inside an event names its default texts in


class PlaceError(ValueError):
    """A place that cannot be saved; the message says why."""


# Whole sentences, so that every language can word them its own way.
TEXTS = {
    "name": (
        _l("The place's name must be text, or one text per language."),
        _l("The place's name is too long (at most %(n)d characters)."),
    ),
    "note": (
        _l("The place's note must be text, or one text per language."),
        _l("The place's note is too long (at most %(n)d characters)."),
    ),
}
AXES = {
    "lat": (-90, 90, _l("The latitude must be a number.")),
    "lon": (-180, 180, _l("The longitude must be a number.")),
}
OUT_OF_RANGE = {
    "lat": _l("The latitude must be between -90 and 90."),
    "lon": _l("The longitude must be between -180 and 180."),
}
YEARS = (1, 9999)  # a year he lived somewhere: a whole number of four digits at most


def _locale_texts(value: Any, name: str, limit: int) -> dict[str, str]:
    """A {locale: text} mapping, trimmed; a plain string counts as the default language's text."""
    not_text, too_long = TEXTS[name]
    if value is None or value == "":
        value = {}
    if isinstance(value, str):
        value = {DEFAULT_LOCALE: value}
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise PlaceError(str(not_text))
    texts = {locale: text.strip() for locale, text in sorted(value.items()) if text.strip()}
    if any(len(text) > limit for text in texts.values()):
        raise PlaceError(str(too_long) % {"n": limit})
    return texts


def coordinate(value: Any, axis: str) -> float:
    """A latitude ("lat") or longitude ("lon") as a number within its range, rounded to about 10 m."""
    low, high, not_a_number = AXES[axis]
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise PlaceError(str(not_a_number))
    try:
        number = float(str(value).strip().replace(",", ".").replace("−", "-"))
    except ValueError:
        raise PlaceError(str(not_a_number)) from None
    if not math.isfinite(number) or not low <= number <= high:
        raise PlaceError(str(OUT_OF_RANGE[axis]))
    return round(number, 4)


def clean(value: Any) -> dict | None:
    """A place carried inside an event (older documents, TimelineJS): names and notes per language,
    coordinates in range (a note only when it has one); None for no place. Raises PlaceError with a message
    for curators."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise PlaceError(_("A place must be an object with a name and coordinates."))
    name = _locale_texts(value.get("name"), "name", NAME_LENGTH)
    if not name:
        raise PlaceError(_("The place needs a name."))
    # (a place without a note, as TimelineJS carries it, leaves the note of the place it turns out to be)
    note = {"note": _locale_texts(value.get("note"), "note", NOTE_LENGTH)} if "note" in value else {}
    return {
        "name": name,
        **note,
        "lat": coordinate(value.get("lat"), "lat"),
        "lon": coordinate(value.get("lon"), "lon"),
    }


def check_years(first: Any, last: Any) -> dict | None:
    """The years he lived at a place as stored ({"from", "to"}), or None for none; a single year may give
    ``first`` alone. Raises PlaceError with a message for curators."""
    if first is None and last is None:
        return None
    if first is None:
        raise PlaceError(_("Give the first year he lived there too."))
    for year in (first, last):
        if year is not None and (
            isinstance(year, bool) or not isinstance(year, int) or not YEARS[0] <= year <= YEARS[1]
        ):
            raise PlaceError(_("Years are whole numbers, like 1936."))
    if last is not None and last < first:
        raise PlaceError(_("The last year he lived there is before the first."))
    return {"from": first, "to": first if last is None else last}


def span_label(first: int | None, last: int | None) -> str:
    """The years as visitors read them when no wording is given: 1936–1957, or 1941 for a single year."""
    if first is None:
        return ""
    return str(first) if last in (None, first) else f"{first}–{last}"


def localized(texts: dict[str, str] | None, locale: str | None = None) -> str:
    """A place's text carried inside an event, in the visitor's language, else the default language's."""
    texts = texts or {}
    locale = locale or str(get_locale() or DEFAULT_LOCALE)
    return (
        texts.get(locale)
        or texts.get(locale.split("_")[0])
        or texts.get(DEFAULT_LOCALE)
        or next(iter(texts.values()), "")
    )


def key(name: str) -> str:
    """A web address part made from a place's name, in lowercase letters, digits and hyphens."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    cut = SLUG_LENGTH - 8  # room for a "-2" when the name is taken
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:cut].strip("-") or "place"


def identity(name: str, lat: float, lon: float) -> tuple[str, float, float]:
    """What makes two places the same one: the default-language name (case and spacing aside) and the
    coordinates. Saving an event's place, importing a file and the migration that made the records all
    match places by it."""
    return " ".join(name.split()).casefold(), round(float(lat), 4), round(float(lon), 4)


def embedded_identity(place: dict) -> tuple[str, float, float]:
    """``identity`` of a place carried inside an event (``clean``'s shape)."""
    return identity(localized(place["name"], DEFAULT_LOCALE), place["lat"], place["lon"])


def record_of(place: dict) -> dict:
    """A place carried inside an event (``clean``'s shape) as a place record's item (the field table's
    PLACE, without its slug, years or their wording, which it does not carry; nor its note when it has
    none, as from TimelineJS): the default language's texts, and the other languages' texts it gives as
    translations (their fingerprints are set where they are stored)."""
    names, notes = place["name"], place.get("note")
    record = {"name": localized(names, DEFAULT_LOCALE), "lat": place["lat"], "lon": place["lon"]}
    if notes is not None:
        record["note"] = localized(notes, DEFAULT_LOCALE) if notes else ""
    translations = {}
    given = {"name": names, "note": notes or {}}
    for locale in sorted((set(names) | set(notes or {})) - {DEFAULT_LOCALE}):
        texts = {name: given[name][locale] for name in given if locale in given[name]}
        if all(texts[name] == record.get(name) for name in texts):  # (the default text, not a translation)
            continue
        translations[locale] = texts
    return record | {"translations": translations}


# --- The map ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Projection:
    """Equirectangular, true to scale at ``parallel``: plain to draw, and fair for a region this size."""

    west: float = 24.0
    east: float = 78.0
    south: float = 41.0
    north: float = 59.0
    parallel: float = 50.0
    width: float = 1000.0

    @property
    def scale(self) -> float:
        return self.width / ((self.east - self.west) * math.cos(math.radians(self.parallel)))

    @property
    def height(self) -> float:
        return round((self.north - self.south) * self.scale, 1)

    def point(self, lat: float, lon: float) -> tuple[float, float]:
        x = (lon - self.west) * math.cos(math.radians(self.parallel)) * self.scale
        y = (self.north - lat) * self.scale
        return round(x, 1), round(y, 1)

    def contains(self, lat: float, lon: float) -> bool:
        return self.south <= lat <= self.north and self.west <= lon <= self.east


MAP = Projection()
# Seas named on the map (the base map has no text): (name, latitude, longitude) of the label's centre.
SEAS = ((_l("Black Sea"), 43.3, 34.6), (_l("Caspian Sea"), 44.0, 50.4))
MARKER_GAP = 22.0  # map units between a route arrow's tip and the marker it points at
TAP_SPACING = 56.0  # map units between markers below which they go into the inset (tap circles are 52 across)
# The inset is wide enough for its places' names to run inside its frame (they start a fifth of the way in).
INSET_WIDTH, INSET_HEIGHT, INSET_MARGIN = 420.0, 200.0, 16.0
INSET_PLACES_AT = 0.18  # how far across the inset its places sit, as a share of its width


@dataclass
class MapPlace:
    """A place on the map with its visible events; ``record`` is the place as visitors read it (in their
    language: kiosk.languages.localized.LocalizedPlace), which names, notes and dates it."""

    record: Any
    events: list = field(default_factory=list)
    x: float = 0.0
    y: float = 0.0
    on_map: bool = False
    in_inset: bool = False
    inset_x: float = 0.0
    inset_y: float = 0.0
    number: int | None = None  # its place in the order he came to the places on the map (from 1)
    starts: bool = False  # the route starts here
    ends: bool = False  # the route ends here
    label_left: bool = False  # its name runs to the left of its marker

    @property
    def key(self) -> str:
        return self.record.slug

    @property
    def name(self) -> str:
        return self.record.name

    @property
    def note(self) -> str:
        return self.record.note

    @property
    def years(self) -> str:
        """The years he lived there, as the record says them (never made from its events' dates)."""
        return self.record.years

    @property
    def lat(self) -> float:
        return self.record.lat

    @property
    def lon(self) -> float:
        return self.record.lon

    @property
    def stay(self) -> tuple[int, int] | None:
        """When he lived there, as sort keys of dates (YYYYMMDD): the record's years, else the span of its
        events during his life (postscripts aside); None when it has neither."""
        if self.record.years_from is not None:
            return self.record.years_from * 10_000, (self.record.years_to or self.record.years_from) * 10_000
        lifetime = [event.sort_key for event in self.events if not event.postscript]
        return (min(lifetime), min(lifetime)) if lifetime else None


@dataclass
class Inset:
    """A magnified corner of the map for places too close together: where it sits, what it shows."""

    x: float
    y: float
    width: float
    height: float
    # The part of the main map it shows (map units), and the magnification.
    source_x: float
    source_y: float
    zoom: float

    def point(self, x: float, y: float) -> tuple[float, float]:
        return (
            round(self.x + (x - self.source_x) * self.zoom, 1),
            round(self.y + (y - self.source_y) * self.zoom, 1),
        )

    @property
    def source_width(self) -> float:
        return round(self.width / self.zoom, 1)

    @property
    def source_height(self) -> float:
        return round(self.height / self.zoom, 1)

    @property
    def leader(self) -> tuple[float, float, float, float]:
        """A line from the dashed frame on the map (what the inset enlarges) to the inset's nearest corner."""
        sx, sy, sw, sh = self.source_x, self.source_y, self.source_width, self.source_height
        corners = [(self.x + dx, self.y + dy) for dx in (0, self.width) for dy in (0, self.height)]
        cx, cy = min(corners, key=lambda corner: math.dist(corner, (sx + sw / 2, sy + sh / 2)))
        near = (min(max(cx, sx), sx + sw), min(max(cy, sy), sy + sh))  # the dashed frame's nearest point
        return (round(near[0], 1), round(near[1], 1), round(cx, 1), round(cy, 1))

    @property
    def image_transform(self) -> str:
        """Places the whole base map so that the source area fills the inset."""
        left, top = self.x - self.source_x * self.zoom, self.y - self.source_y * self.zoom
        return f"translate({left:.1f} {top:.1f}) scale({self.zoom:.3f})"


@dataclass
class PlacesMap:
    places: list[MapPlace]  # every place, in the order he came there; on_map says which have a marker
    stops: list[MapPlace]  # the route: places on the map in the order he came to them (again after a stay)
    inset: Inset | None
    projection: Projection = MAP

    @property
    def route(self) -> list[tuple[float, float]]:
        """The route's points on the map, where each place really is."""
        return [(stop.x, stop.y) for stop in self.stops]

    @property
    def route_segments(self) -> list[str]:
        """The legs on the main map: to and from where each place really is (the inset's places too, at
        the dashed frame that shows what the inset enlarges), but not between two of the inset's places,
        which the inset draws."""
        legs = []
        for one, other in itertools.pairwise(self.stops):
            if not (one.in_inset and other.in_inset):  # (no gap at the inset's places: no marker there)
                legs += segments(
                    [(one.x, one.y), (other.x, other.y)],
                    gap=0 if one.in_inset else MARKER_GAP,
                    end_gap=0 if other.in_inset else MARKER_GAP,
                )
        return legs

    @property
    def inset_segments(self) -> list[str]:
        """The legs between two of the inset's places, drawn in the inset."""
        return [
            leg
            for one, other in itertools.pairwise(self.stops)
            if one.in_inset and other.in_inset
            for leg in segments([(one.inset_x, one.inset_y), (other.inset_x, other.inset_y)])
        ]

    @property
    def numbered(self) -> list[MapPlace]:
        """The places on the route, each once, by their numbers."""
        return sorted((place for place in self.places if place.number), key=lambda place: place.number or 0)

    @property
    def seas(self) -> list[tuple[str, float, float]]:
        return sea_labels(self.projection)

    def find(self, place_key: str) -> MapPlace | None:
        return next((place for place in self.places if place.key == place_key), None)


def sea_labels(projection: Projection = MAP) -> list[tuple[str, float, float]]:
    """The seas' names and where they go on the map: the base map itself has no text."""
    return [(str(name), *projection.point(lat, lon)) for name, lat, lon in SEAS]


def segments(points, gap: float = MARKER_GAP, bend: float = 0.18, end_gap: float | None = None) -> list[str]:
    """The route's legs as SVG path data: each bends to its right, so a journey there and back shows as
    two arcs, and stops short of both markers (``gap``, or ``end_gap`` at its end) so its arrowhead shows."""
    legs = []
    last_gap = gap if end_gap is None else end_gap
    for (x1, y1), (x2, y2) in itertools.pairwise(points):
        length = math.dist((x1, y1), (x2, y2))
        if length <= gap + last_gap:
            continue
        ux, uy = (x2 - x1) / length, (y2 - y1) / length
        # The control point: off the middle, to the right of the direction of travel.
        cx, cy = (x1 + x2) / 2 - uy * length * bend, (y1 + y2) / 2 + ux * length * bend
        start = _towards((x1, y1), (cx, cy), gap)
        end = _towards((x2, y2), (cx, cy), last_gap)
        legs.append(f"M{start[0]:g} {start[1]:g}Q{cx:.1f} {cy:.1f} {end[0]:g} {end[1]:g}")
    return legs


def _towards(point: tuple[float, float], target: tuple[float, float], distance: float) -> tuple[float, float]:
    length = math.dist(point, target) or 1.0
    return (
        round(point[0] + (target[0] - point[0]) * distance / length, 1),
        round(point[1] + (target[1] - point[1]) * distance / length, 1),
    )


def gather(events, localize=lambda place: place) -> list[MapPlace]:
    """The places of ``events`` (visible ones), each with its events, in the order of the route (the
    years he lived there), then the places he never lived in during his life. ``localize`` gives a
    place record as visitors read it."""
    found: dict[int, MapPlace] = {}
    for event in events:
        if event.place is not None:
            if event.place.id not in found:
                found[event.place.id] = MapPlace(localize(event.place))
            found[event.place.id].events.append(event)
    first_seen = {place_id: position for position, place_id in enumerate(found)}
    order: dict[str, int] = {}
    for position, place in enumerate(_route(list(found.values()))):
        order.setdefault(place.key, position)  # (where he first came to it)
    return sorted(
        found.values(),
        key=lambda place: (place.key not in order, order.get(place.key, 0), first_seen[place.record.id]),
    )


def _route(places: list[MapPlace]) -> list[MapPlace]:
    """The places in the order he came to them, by the years he lived at each (a place without years by
    its first event): a stay inside another one (Karaganda in his Moscow years) goes there and back."""
    stays = sorted(
        ((place.stay, position, place) for position, place in enumerate(places) if place.stay),
        key=lambda stay: (stay[0][0], -stay[0][1], stay[1]),
    )
    stops: list[MapPlace] = []
    going: list[tuple[tuple[int, int], MapPlace]] = []  # stays under way, the innermost last

    def leave_before(moment: int | None) -> None:
        while going and (moment is None or going[-1][0][1] <= moment):
            (_first, ended), _place = going.pop()
            if going and going[-1][0][1] > ended:  # back to the stay this one interrupted
                stops.append(going[-1][1])

    for (first, last), _position, place in stays:
        leave_before(first)
        stops.append(place)
        going.append(((first, last), place))
    leave_before(None)
    return [stop for index, stop in enumerate(stops) if index == 0 or stops[index - 1] is not stop]


def _crowded(places: list[MapPlace]) -> list[MapPlace]:
    return [
        place
        for place in places
        if any(
            other is not place and math.dist((place.x, place.y), (other.x, other.y)) < TAP_SPACING
            for other in places
        )
    ]


# A name's box on the map, estimated from its letters (the server has no fonts to measure with): generous
# widths for the wide letters of Cyrillic and bold type, at the sizes places.css gives names and years.
NAME_SIZE, YEARS_SIZE, LABEL_OFFSET = 21.0, 19.0, 24.0


def label_box(place: MapPlace, x: float, y: float, left: bool) -> tuple[float, float, float, float]:
    """Where a marker and its name, years and route word take room: (left, top, right, bottom)."""
    # (A record not read in a language, as tests pass, has no worded years: their span is as long.)
    years = getattr(place.record, "years", None) or span_label(place.record.years_from, place.record.years_to)
    width = max(len(place.name) * NAME_SIZE * 0.62, len(years) * YEARS_SIZE * 0.56)
    lines = 1 + bool(years) + (place.starts or place.ends)
    bottom = y + 8 + (lines - 1) * 22
    if left:
        return (x - LABEL_OFFSET - width, y - 30, x + 28, bottom)
    return (x - 28, y - 30, x + LABEL_OFFSET + width, bottom)


def _overlap(one: tuple[float, float, float, float], other: tuple[float, float, float, float]) -> bool:
    return one[0] < other[2] and other[0] < one[2] and one[1] < other[3] and other[1] < one[3]


def _place_labels(places: list[MapPlace], projection: Projection) -> list[tuple[float, float, float, float]]:
    """Each marker's name to its right, or to its left where that keeps it on the map and off the names
    placed before it; returns the boxes they take."""
    taken: list[tuple[float, float, float, float]] = []
    for place in places:
        sides = [False, True]
        boxes = {left: label_box(place, place.x, place.y, left) for left in sides}
        fits = [left for left in sides if boxes[left][0] >= 0 and boxes[left][2] <= projection.width]
        clear = [left for left in fits if not any(_overlap(boxes[left], box) for box in taken)]
        place.label_left = (clear or fits or [place.x > projection.width / 2])[0]
        taken.append(boxes[place.label_left])
    return taken


def _inset_for(crowded: list[MapPlace], taken: list, projection: Projection) -> Inset:
    """An inset as near the crowded places as it can be without covering them or any other marker and its
    name, zoomed so they stand well apart with their names inside it."""
    xs, ys = [place.x for place in crowded], [place.y for place in crowded]
    width, height = INSET_WIDTH, INSET_HEIGHT
    # Spread out in the inset's height (room above for its title, below for the last one's lines).
    zoom = min(
        max((height - 130) / max(max(ys) - min(ys), 1.0), 2.0),
        max(width * 0.25 / max(max(xs) - min(xs), 1.0), 2.0),
        12.0,
    )
    centre = ((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2)
    source = (min(xs) - width * INSET_PLACES_AT / zoom, min(ys) - 70 / zoom)
    source_box = (source[0], source[1], source[0] + width / zoom, source[1] + height / zoom)
    keep_out = [*taken, source_box]
    margin = INSET_MARGIN
    spots = [
        (float(x), float(y))
        for x in range(int(margin), int(projection.width - width - margin) + 1, 8)
        for y in range(int(margin), int(projection.height - height - margin) + 1, 8)
    ]
    clear = [
        (x, y) for x, y in spots if not any(_overlap((x, y, x + width, y + height), box) for box in keep_out)
    ]
    x, y = min(
        clear or [(projection.width - width - margin, margin)],
        key=lambda spot: math.dist((spot[0] + width / 2, spot[1] + height / 2), centre),
    )
    return Inset(
        x=x, y=y, width=width, height=height,
        source_x=round(source[0], 2), source_y=round(source[1], 2), zoom=round(zoom, 3),
    )  # fmt: skip


def places_map(events, localize=lambda place: place, projection: Projection = MAP) -> PlacesMap:
    """Everything the Places view draws for ``events`` (visible ones, in timeline order)."""
    every_place = gather(list(events), localize)
    # A place beyond the region (a visit abroad) is listed beside the map but has no marker on it.
    places = [place for place in every_place if projection.contains(place.lat, place.lon)]
    for place in places:
        place.on_map = True
        place.x, place.y = projection.point(place.lat, place.lon)
    stops = _route(places)
    for place in stops:
        if place.number is None:
            place.number = 1 + sum(1 for other in places if other.number)
    if stops:
        stops[0].starts, stops[-1].ends = True, True
    crowded = _crowded(places)
    taken = _place_labels([place for place in places if place not in crowded], projection)
    inset = _inset_for(crowded, taken, projection) if crowded else None
    if inset is not None:
        for place in crowded:
            place.in_inset = True
            place.inset_x, place.inset_y = inset.point(place.x, place.y)
    return PlacesMap(every_place, stops, inset, projection)


def locator(place, projection: Projection = MAP) -> tuple[float, float] | None:
    """Where an event's place sits on the map, for its small locator map (None when off the map)."""
    if place is None or not projection.contains(place.lat, place.lon):
        return None
    return projection.point(place.lat, place.lon)
