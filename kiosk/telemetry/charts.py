"""Bar charts drawn on the server as SVG (templates/admin/_charts.html): no script, readable by a screen
reader (role="img" with a title and a description), and always shown beside a table of the same numbers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from flask_babel import gettext as _

WIDTH = 720
PLOT_TOP = 10
ROW_HEIGHT = 26  # horizontal charts: one bar per row
COLUMN_HEIGHT = 180  # vertical charts: the bars' full height
LABEL_WIDTH = 260  # horizontal charts: room for the labels on the left


@dataclass
class Bar:
    label: str
    value: float
    shown: str  # the value as the table and the tooltip say it
    x: float
    y: float
    width: float
    height: float
    labelled: bool  # whether its label is written under it (every bar has one in its tooltip)


@dataclass
class BarChart:
    id: str
    title: str
    description: str
    bars: list[Bar]
    width: int
    height: int
    horizontal: bool
    axis_label: str


def _nice_top(largest: float) -> float:
    """A round number at or above the largest value, so the bars can be compared by eye."""
    if largest <= 0:
        return 1
    step = 10 ** (len(str(int(largest))) - 1)
    return max(step, -(-largest // step) * step)


def describe(title: str, points: Sequence[tuple[str, float]], shown: Callable[[float], str]) -> str:
    if not points or not any(value for _label, value in points):
        return _("%(title)s: nothing recorded in this period.", title=title)
    label, value = max(points, key=lambda point: point[1])
    return _(
        "%(title)s: %(bars)d bars; the highest is %(label)s with %(value)s.",
        title=title,
        bars=len(points),
        label=label,
        value=shown(value),
    )


def bar_chart(
    chart_id: str,
    title: str,
    points: Sequence[tuple[str, float]],
    *,
    horizontal: bool = False,
    shown: Callable[[float], str] = lambda value: f"{value:g}",
    axis_label: str = "",
    description: str = "",
) -> BarChart:
    top = _nice_top(max((value for _label, value in points), default=0))
    every = max(1, -(-len(points) // 16))  # under a vertical chart, at most 16 labels fit
    bars = []
    if horizontal:
        span = WIDTH - LABEL_WIDTH - 110  # room on the right for the value
        for index, (label, value) in enumerate(points):
            length = span * value / top
            y = float(PLOT_TOP + index * ROW_HEIGHT)
            bars.append(Bar(label, value, shown(value), LABEL_WIDTH, y, length, ROW_HEIGHT - 8, True))
        height = PLOT_TOP + len(points) * ROW_HEIGHT + 10
    else:
        top_margin = 16  # the values are written above the bars
        slot = (WIDTH - 40) / max(1, len(points))
        for index, (label, value) in enumerate(points):
            length = COLUMN_HEIGHT * value / top
            x = 40 + index * slot + slot * 0.12
            y = PLOT_TOP + top_margin + COLUMN_HEIGHT - length
            bars.append(Bar(label, value, shown(value), x, y, slot * 0.76, length, index % every == 0))
        height = PLOT_TOP + top_margin + COLUMN_HEIGHT + 36
    return BarChart(
        id=chart_id,
        title=title,
        description=description or describe(title, points, shown),
        bars=bars,
        width=WIDTH,
        height=height,
        horizontal=horizontal,
        axis_label=axis_label or _("0 to %(top)s", top=shown(top)),
    )
