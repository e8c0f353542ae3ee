"""The Places view's base map: Natural Earth land (public domain, from the pinned `world-atlas` npm package)
turned into one compact SVG at set-up (``make assets`` runs ``python -m kiosk.timeline.basemap``).

Land and coastline only: today's borders would be anachronistic for 1906–1977, and world-atlas has no
rivers or lakes. The projection is kiosk.content.places.MAP, so markers drawn by the app land where they
should.
Nothing here runs while serving; the SVG is written to static/vendor/ (git-ignored) and hashed like any
other static file.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

from ..content.places import MAP, Projection

LAND = Path("node_modules/world-atlas/land-50m.json")
TARGET = Path("static/vendor/basemap.svg")
CLIP_MARGIN = 12.0  # map units beyond the edge: the clipped rings' straight edges stay out of sight
TOLERANCE = 0.7  # map units a simplified coastline may stray (the map is about 1000 wide)
SMALLEST_ISLAND = 6.0  # square map units
LAND_FILL, COAST = "#ddd3c1", "#8b7d68"

Point = tuple[float, float]


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """TopoJSON arcs as (lon, lat) lists: quantized positions are delta-encoded, then scaled."""
    (scale_x, scale_y), (shift_x, shift_y) = (
        topology["transform"]["scale"],
        topology["transform"]["translate"],
    )
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * scale_x + shift_x, y * scale_y + shift_y))
        arcs.append(points)
    return arcs


def ring(arcs: list[list[Point]], indexes: list[int]) -> list[Point]:
    """A polygon ring from arc indexes; a negative index ~i means arc i reversed. Shared ends appear once."""
    points: list[Point] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)
    return points


def polygons(topology: dict, name: str = "land") -> list[list[list[Point]]]:
    """Every polygon (a list of rings) of one TopoJSON object."""
    arcs = decode_arcs(topology)
    found = topology["objects"][name]
    geometries = found.get("geometries", [found])
    result: list[list[list[Point]]] = []
    for geometry in geometries:
        shapes = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        result.extend([ring(arcs, rings) for rings in shape] for shape in shapes)
    return result


def clip(points: list[Point], left: float, top: float, right: float, bottom: float) -> list[Point]:
    """Sutherland–Hodgman: the part of a ring inside a rectangle (map units)."""
    edges = (
        (lambda p: p[0] >= left, lambda a, b: _cross_x(a, b, left)),
        (lambda p: p[0] <= right, lambda a, b: _cross_x(a, b, right)),
        (lambda p: p[1] >= top, lambda a, b: _cross_y(a, b, top)),
        (lambda p: p[1] <= bottom, lambda a, b: _cross_y(a, b, bottom)),
    )
    for inside, crossing in edges:
        if not points:
            break
        result, previous = [], points[-1]
        for point in points:
            if inside(point):
                if not inside(previous):
                    result.append(crossing(previous, point))
                result.append(point)
            elif inside(previous):
                result.append(crossing(previous, point))
            previous = point
        points = result
    return points


def _cross_x(a: Point, b: Point, x: float) -> Point:
    return x, a[1] + (b[1] - a[1]) * (x - a[0]) / (b[0] - a[0])


def _cross_y(a: Point, b: Point, y: float) -> Point:
    return a[0] + (b[0] - a[0]) * (y - a[1]) / (b[1] - a[1]), y


def simplify(points: list[Point], tolerance: float) -> list[Point]:
    """Douglas–Peucker, iteratively (coastlines have thousands of points)."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        length = math.hypot(bx - ax, by - ay)
        farthest, distance = first, -1.0
        for index in range(first + 1, last):
            px, py = points[index]
            if length:
                gap = abs((bx - ax) * (ay - py) - (ax - px) * (by - ay)) / length
            else:
                gap = math.hypot(px - ax, py - ay)
            if gap > distance:
                farthest, distance = index, gap
        if distance > tolerance:
            keep[farthest] = True
            stack += [(first, farthest), (farthest, last)]
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def area(points: list[Point]) -> float:
    return (
        abs(
            sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True))
        )
        / 2
    )


def path_data(topology: dict, projection: Projection = MAP) -> str:
    """The land as one SVG path ("M x y l dx dy … z" per ring, whole-ish numbers), clipped and simplified."""
    box = (-CLIP_MARGIN, -CLIP_MARGIN, projection.width + CLIP_MARGIN, projection.height + CLIP_MARGIN)
    pieces = []
    for polygon in polygons(topology):
        for rings in polygon:
            projected = [projection.point(lat, lon) for lon, lat in rings]
            shape = simplify(clip(projected, *box), TOLERANCE)
            if len(shape) < 3 or area(shape) < SMALLEST_ISLAND:
                continue
            pieces.append(_ring_path(shape))
    return "".join(pieces)


def _ring_path(shape: list[Point]) -> str:
    """Relative moves in tenths of a unit: about half the bytes of absolute coordinates."""
    x0, y0 = round(shape[0][0] * 10), round(shape[0][1] * 10)
    steps, (x, y) = [], (x0, y0)
    for px, py in shape[1:]:
        nx, ny = round(px * 10), round(py * 10)
        if (nx, ny) != (x, y):
            steps.append(f"{nx - x} {ny - y}")
            x, y = nx, ny
    return f"M{x0} {y0}l{' '.join(steps)}z"


def svg(topology: dict, projection: Projection = MAP) -> str:
    """A standalone SVG (used as an image, so colours are set here; the page draws the sea beneath)."""
    width, height = projection.width, projection.height
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:g} {height:g}">'
        f'<g transform="scale(0.1)"><path fill="{LAND_FILL}" stroke="{COAST}" stroke-width="12" '
        f'stroke-linejoin="round" d="{path_data(topology, projection)}"/></g></svg>\n'
    )


def build(source: Path = LAND, target: Path = TARGET) -> int:
    """Write the base map; returns its size in bytes."""
    with open(source, encoding="utf-8") as handle:
        topology = json.load(handle)
    data = svg(topology).encode()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return len(data)


if __name__ == "__main__":
    arguments = sys.argv[1:]
    written = build(*(Path(argument) for argument in arguments[:2])) if arguments else build()
    print(f"Base map: {written} bytes written to {arguments[1] if len(arguments) > 1 else TARGET}.")
