"""The year axis under the timeline: where eras and labelled years sit on it, in percent of its width."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app


@dataclass(frozen=True)
class YearAxis:
    start: int
    end: int

    @classmethod
    def configured(cls) -> YearAxis:
        return cls(current_app.config["TIMELINE_START_YEAR"], current_app.config["TIMELINE_END_YEAR"])

    @property
    def years(self) -> int:
        return self.end - self.start + 1

    def _clamp(self, year: int) -> int:
        return min(max(year, self.start), self.end)

    def offset(self, year: int) -> float:
        """Where a year begins (years outside the axis sit at its ends)."""
        return round((self._clamp(year) - self.start) / self.years * 100, 3)

    def centre(self, year: int) -> float:
        return round((self._clamp(year) - self.start + 0.5) / self.years * 100, 3)

    def width(self, first: int, last: int) -> float:
        return round((self._clamp(last) - self._clamp(first) + 1) / self.years * 100, 3)

    def labels(self) -> list[int]:
        """Both ends and the round decades between them, leaving out any that would crowd an end."""
        decades = range((self.start // 10 + 1) * 10, self.end, 10)
        return [self.start, *(y for y in decades if min(y - self.start, self.end - y) >= 5), self.end]
