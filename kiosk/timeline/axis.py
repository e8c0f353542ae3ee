"""The year axis under the timeline: where eras and labelled years sit on it, in percent of its width."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

LABEL_STEPS = (10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10_000)
MOST_LABELS = 9  # (the default 1906–1977 has its decades 1920 to 1970 labelled)


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

    def step(self) -> int:
        """Years between labels: round decades, or wider round steps for a long span, so that at most
        MOST_LABELS years are labelled between the ends and four digits never run into each other."""
        return next(step for step in LABEL_STEPS if self.years / step <= MOST_LABELS)

    def labels(self) -> list[int]:
        """Both ends and the round years between them, leaving out any that would crowd an end."""
        step = self.step()
        between = range((self.start // step + 1) * step, self.end, step)
        return [self.start, *(y for y in between if min(y - self.start, self.end - y) >= step / 2), self.end]
