"""Figures: a few numbers from an event's story (102 tonnes against a norm of 7), drawn as a bar chart.

Stored on the event as {"title", "rows": [{"label", "value", "unit"}], "source", "confidence"}. The kiosk
draws the chart as SVG on the server (kiosk.content.figures.chart gives its geometry) with the same numbers
in a
table for screen readers. Texts are in the event's default language; translations belong with the event's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

TITLE_LENGTH, LABEL_LENGTH, UNIT_LENGTH = 120, 60, 20
SOURCE_LENGTH, CONFIDENCE_LENGTH = 300, 80
MAX_ROWS = 8
MAX_VALUE = 1e12


class FigureError(ValueError):
    """A figure that cannot be saved; the message says why."""


# Each text's messages, whole sentences so that every language can word them its own way:
# (when it is missing, or None when it may be empty; when it is too long).
TEXTS = {
    "title": (
        _l("The figure needs a title."),
        _l("The figure's title is too long (at most %(n)d characters)."),
    ),
    "label": (_l("Each bar needs a label."), _l("A bar's label is too long (at most %(n)d characters).")),
    "unit": (None, _l("A unit is too long (at most %(n)d characters).")),
    "source": (
        _l("Say where the figure's numbers come from."),
        _l("The figure's source is too long (at most %(n)d characters)."),
    ),
    "confidence": (None, _l("The figure's confidence label is too long (at most %(n)d characters).")),
}


def _text(value: Any, name: str, limit: int) -> str:
    missing, too_long = TEXTS[name]
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise FigureError(_("A figure's title, labels, units, source and confidence label must be text."))
    value = value.strip()
    if missing is not None and not value:
        raise FigureError(str(missing))
    if len(value) > limit:
        raise FigureError(str(too_long) % {"n": limit})
    return value


def number(value: Any, label: str) -> int | float:
    """A bar's value: a number from 0 up (bars start at zero), kept whole when it is whole."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise FigureError(_("“%(label)s”: the value must be a number.", label=label))
    try:
        parsed = float(str(value).strip().replace(",", ".").replace("\u00a0", "").replace(" ", ""))
    except ValueError:
        raise FigureError(_("“%(label)s”: the value must be a number.", label=label)) from None
    if not math.isfinite(parsed) or not 0 <= parsed <= MAX_VALUE:
        raise FigureError(_("“%(label)s”: the value must be a number from 0 up.", label=label))
    return int(parsed) if parsed.is_integer() else round(parsed, 4)


def clean(value: Any) -> dict | None:
    """A figure as stored, or None for no figure. Raises FigureError with a message for curators."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise FigureError(_("A figure must be an object with a title, rows and a source."))
    rows = value.get("rows")
    if not isinstance(rows, list) or not rows:
        raise FigureError(_("The figure needs at least one row (a label and a number)."))
    if len(rows) > MAX_ROWS:
        raise FigureError(_("A figure has at most %(n)d rows.", n=MAX_ROWS))
    cleaned_rows = []
    for row in rows:
        if not isinstance(row, dict):
            raise FigureError(_("Each row of the figure needs a label and a number."))
        label = _text(row.get("label"), "label", LABEL_LENGTH)
        cleaned_rows.append(
            {
                "label": label,
                "value": number(row.get("value"), label),
                "unit": _text(row.get("unit"), "unit", UNIT_LENGTH),
            }
        )
    if not any(row["value"] for row in cleaned_rows):
        raise FigureError(_("At least one of the figure's numbers must be above zero."))
    return {
        "title": _text(value.get("title"), "title", TITLE_LENGTH),
        "rows": cleaned_rows,
        "source": _text(value.get("source"), "source", SOURCE_LENGTH),
        "confidence": _text(value.get("confidence"), "confidence", CONFIDENCE_LENGTH),
    }


def parse_rows(text: str) -> list[dict]:
    """Rows as curators type them, one a line: ``label | number | unit`` (the unit may be left out)."""
    rows = []
    for number_in_text, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        if len(parts) not in (2, 3):
            raise FigureError(
                _("Line %(n)d: write “label | number | unit”, for example “Norm | 7 | t”.", n=number_in_text)
            )
        rows.append({"label": parts[0], "value": parts[1], "unit": parts[2] if len(parts) == 3 else ""})
    return rows


def rows_text(figure: dict | None) -> str:
    """The inverse of parse_rows, for the edit form."""
    lines = []
    for row in (figure or {}).get("rows", []):
        parts = [row["label"], str(row["value"])] + ([row["unit"]] if row.get("unit") else [])
        lines.append(" | ".join(parts))
    return "\n".join(lines)


# --- Drawing ---------------------------------------------------------------------------------------------

CHART_WIDTH = 640
LABEL_HEIGHT = 30  # a label's line above its bar
BAR_HEIGHT = 34
ROW_GAP = 22
VALUE_ROOM = 170  # right of the longest bar, for its value


@dataclass
class Bar:
    label: str
    value_text: str
    width: float
    label_y: float
    bar_y: float

    @property
    def value_x(self) -> float:
        return round(self.width + 10, 1)

    @property
    def value_y(self) -> float:
        return round(self.bar_y + BAR_HEIGHT * 0.72, 1)


@dataclass
class Chart:
    width: int
    height: int
    bars: list[Bar]


def value_text(row: dict) -> str:
    """A value as visitors read it, in their language's number format, with its unit."""
    formatted = format_decimal(row["value"])
    return f"{formatted}\u00a0{row['unit']}" if row.get("unit") else formatted


def chart(figure: dict) -> Chart:
    """Horizontal bars from zero, one per row, each with its label above and its value at its end."""
    top = max(row["value"] for row in figure["rows"]) or 1
    room = CHART_WIDTH - VALUE_ROOM
    bars, y = [], 0.0
    for row in figure["rows"]:
        width = max(round(room * row["value"] / top, 1), 2.0 if row["value"] else 0.0)
        bars.append(Bar(row["label"], value_text(row), width, y + LABEL_HEIGHT * 0.75, y + LABEL_HEIGHT))
        y += LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP
    return Chart(CHART_WIDTH, int(y - ROW_GAP + 4), bars)
