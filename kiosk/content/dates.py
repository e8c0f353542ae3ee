"""Dates known to a year, a month or a day — the precision historians actually have."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from babel import dates as babel_dates
from flask_babel import get_locale
from flask_babel import gettext as _

# Patterns per language (CLDR's own "long" forms abbreviate or reorder in ways a label should not):
# Russian and Ukrainian name the month in the genitive after a day ("30 августа") and in the nominative
# alone ("август 1935 г."), with the year marked "г." / "р.".
PATTERNS = {
    "en": {"day": "d MMMM y", "month": "MMMM y", "day_month": "d MMMM", "month_name": "MMMM"},
    "ru": {"day": "d MMMM y 'г'.", "month": "LLLL y 'г'.", "day_month": "d MMMM", "month_name": "LLLL"},
    "uk": {"day": "d MMMM y 'р'.", "month": "LLLL y 'р'.", "day_month": "d MMMM", "month_name": "LLLL"},
}
OTHER_LANGUAGES = {"day": "long", "month": "LLLL y", "day_month": "d MMMM", "month_name": "LLLL"}


def _format(when: date, kind: str, locale: str | None) -> str:
    language = str(locale or get_locale() or "en").split("_")[0]
    pattern = PATTERNS.get(language, OTHER_LANGUAGES)[kind]
    return babel_dates.format_date(when, pattern, locale=language)


class DateError(ValueError):
    """A date that does not exist; the message is written for curators."""


@dataclass(frozen=True)
class PartialDate:
    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if self.month is None:
            if self.day is not None:
                raise DateError(_("A day needs a month."))
            return
        if not 1 <= self.month <= 12:
            raise DateError(_("Month must be between 1 and 12."))
        if self.day is not None:
            last = calendar.monthrange(self.year, self.month)[1]
            if not 1 <= self.day <= last:
                raise DateError(
                    _(
                        "%(month)s %(year)s has %(last)s days.",
                        month=_format(date(self.year, self.month, 1), "month_name", None),
                        year=self.year,
                        last=last,
                    )
                )

    @property
    def sort_key(self) -> int:
        return self.year * 10000 + (self.month or 0) * 100 + (self.day or 0)

    @property
    def fraction(self) -> float:
        """The date as a fractional year, for placing it on an axis."""
        if self.month is None:
            return float(self.year)
        day_of_year = date(self.year, self.month, self.day or 1).timetuple().tm_yday
        return self.year + (day_of_year - 1) / 366

    def __lt__(self, other: PartialDate) -> bool:
        return self.sort_key < other.sort_key

    def __le__(self, other: PartialDate) -> bool:
        return self.sort_key <= other.sort_key

    def label(self, locale: str | None = None) -> str:
        if self.month is None:
            return str(self.year)
        if self.day is None:
            return _format(date(self.year, self.month, 1), "month", locale)
        return _format(date(self.year, self.month, self.day), "day", locale)

    @staticmethod
    def span_label(start: PartialDate, end: PartialDate | None, locale: str | None = None) -> str:
        """A span written as each language writes it: "30–31 August 1935", "30–31 августа 1935 г."."""
        if end is None or end == start:
            return start.label(locale)
        if start.month and start.day and end.day and start.year == end.year:
            if start.month == end.month:
                return f"{start.day}–{end.label(locale)}"
            first = _format(date(start.year, start.month, start.day), "day_month", locale)
            return f"{first} – {end.label(locale)}"
        if start.month is None and end.month is None:
            return f"{start.year}–{end.year}"
        return f"{start.label(locale)} – {end.label(locale)}"

    def as_dict(self) -> dict:
        return {"year": self.year, "month": self.month, "day": self.day}

    @classmethod
    def from_dict(cls, data: dict | None) -> PartialDate | None:
        if not data or data.get("year") in (None, ""):
            return None
        return cls(
            int(data["year"]),
            int(data["month"]) if data.get("month") not in (None, "") else None,
            int(data["day"]) if data.get("day") not in (None, "") else None,
        )


def check_span(start: PartialDate, end: PartialDate | None) -> None:
    """End dates compare at their own precision: 1935 may end in 1935, but not in 1934."""
    if end is None:
        return
    if (end.year, end.month or 12, end.day or 31) < (start.year, start.month or 1, start.day or 1):
        raise DateError(_("The end date is before the start date."))
