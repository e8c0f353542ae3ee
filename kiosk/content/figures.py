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


def _text(value: Any, name: str, limit: int, required: bool = True) -> str:
    missing, too_long = TEXTS[name] if required else (None, TEXTS[name][1])
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


# --- In other languages ---------------------------------------------------------------------------------


TRANSLATED = ("title", "source", "confidence")  # and each row's label and unit


def texts(figure: dict | None) -> dict | None:
    """What of a figure is translated: its title, source, confidence label and each row's label and unit
    (the numbers stay the figure's own)."""
    if not figure:
        return None
    rows = [{"label": row["label"], "unit": row.get("unit", "")} for row in figure["rows"]]
    return {name: figure.get(name, "") for name in TRANSLATED} | {"rows": rows}


def clean_translation(value: Any, figure: dict | None, *, exact_rows: bool = True) -> dict | None:
    """A figure's texts in another language (``texts``' shape), checked against the figure: a row for
    each of its rows, in its order; None when nothing is translated, or when there is no figure left to
    translate. A curator typing a translation must give every row (``exact_rows``); a document may carry
    a translation made before the figure's rows changed, kept as it is (it shows as out of date) but never
    with more rows than the figure. Raises FigureError."""
    if value is None or value == {} or figure is None:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("rows", []), list):
        raise FigureError(
            _("A figure's translation must be an object with a title, rows and a confidence label.")
        )
    rows = value.get("rows") or []
    if len(rows) != len(figure["rows"]):
        if exact_rows:
            count = len(figure["rows"])
            raise FigureError(
                _("Translate each of the figure's %(n)d rows, one a line, in its order.", n=count)
            )
        rows = rows[: len(figure["rows"])]
    cleaned = []
    for row in rows:
        if not isinstance(row, dict):
            raise FigureError(_("Each row of the figure needs a label."))
        cleaned.append(
            {
                "label": _text(row.get("label"), "label", LABEL_LENGTH),
                "unit": _text(row.get("unit"), "unit", UNIT_LENGTH),
            }
        )
    limits = {"title": TITLE_LENGTH, "source": SOURCE_LENGTH, "confidence": CONFIDENCE_LENGTH}
    found = {name: _text(value.get(name), name, limit, required=False) for name, limit in limits.items()}
    return found | {"rows": cleaned}


def parse_translated_rows(text: str) -> list[dict]:
    """A translation's rows as curators type them, one a line: ``label | unit`` (the unit may be left out)."""
    return _typed_rows(text, ("label", "unit"), 1, _l("Line %(n)d: write “label | unit”."))


def translated_rows_text(translation: dict | None) -> str:
    """The inverse of parse_translated_rows, for the translation form."""
    return "\n".join(
        " | ".join([row["label"]] + ([row["unit"]] if row.get("unit") else []))
        for row in (translation or {}).get("rows", [])
    )


def in_language(figure: dict, translation: dict | None) -> dict:
    """The figure with each text in the translation where it has one, and ``<text>_lang`` True for a
    text that stayed in the default language (the template marks it with the default's ``lang``)."""
    translation = translation or {}
    shown = dict(figure)
    for name in TRANSLATED:
        translated = translation.get(name) or ""
        shown[name] = translated or figure.get(name, "")
        shown[f"{name}_fallback"] = not translated and bool(figure.get(name))
    rows = translation.get("rows") or []
    shown["rows"] = []
    for index, row in enumerate(figure["rows"]):
        other = rows[index] if index < len(rows) else {}
        label, unit = other.get("label") or "", other.get("unit") or ""
        shown["rows"].append(
            row
            | {"label": label or row["label"], "unit": unit or row.get("unit", "")}
            | {"label_fallback": not label, "unit_fallback": bool(row.get("unit")) and not unit}
        )
    return shown


def parse_rows(text: str) -> list[dict]:
    """Rows as curators type them, one a line: ``label | number | unit`` (the unit may be left out)."""
    message = _l("Line %(n)d: write “label | number | unit”, for example “Norm | 7 | t”.")
    return _typed_rows(text, ("label", "value", "unit"), 2, message)


def _typed_rows(text: str, names: tuple[str, ...], least: int, message) -> list[dict]:
    """Lines of ``|``-separated parts named by ``names``, at least ``least`` of them (the others "")."""
    rows = []
    for number_in_text, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        if not least <= len(parts) <= len(names):
            raise FigureError(str(message) % {"n": number_in_text})
        rows.append(dict(zip(names, parts + [""] * (len(names) - len(parts)), strict=True)))
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
    label_fallback: bool = False  # the label (or the unit) is in the default language: in_language()
    unit_fallback: bool = False

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
        bar = Bar(row["label"], value_text(row), width, y + LABEL_HEIGHT * 0.75, y + LABEL_HEIGHT)
        bar.label_fallback = row.get("label_fallback", False)
        bar.unit_fallback = row.get("unit_fallback", False)
        bars.append(bar)
        y += LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP
    return Chart(CHART_WIDTH, int(y - ROW_GAP + 4), bars)
