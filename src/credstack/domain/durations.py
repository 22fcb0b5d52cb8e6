"""ISO 8601 durations: validity periods, cycle lengths and recency windows, one concept.

Parsing is isodate's; this module adds what we need on top: calendar-correct shifts of dates
(P3Y from 2024-02-29 is 2027-02-28; month ends clamp, as people count), a rejection of forms we
cannot apply to a date, and the plain words messages use ("6 years").
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

import isodate

__all__ = ["Duration", "describe_duration", "parse_duration"]


@dataclass(frozen=True, slots=True)
class Duration:
    years: int = 0
    months: int = 0
    days: int = 0

    def after(self, start: date) -> date:
        """The date this long after `start` (a cycle starting then ends the day before)."""
        return self._shift(start, 1)

    def before(self, end: date) -> date:
        """The date this long before `end`."""
        return self._shift(end, -1)

    def earliest(self, as_of: date) -> date:
        """The first date still inside a window of this length ending on `as_of`."""
        return self._shift(as_of, -1)

    def _shift(self, day0: date, sign: int) -> date:
        month_index = day0.year * 12 + (day0.month - 1) + sign * (self.years * 12 + self.months)
        year, month0 = divmod(month_index, 12)
        day = min(day0.day, calendar.monthrange(year, month0 + 1)[1])
        return date(year, month0 + 1, day) + timedelta(days=sign * self.days)

    @property
    def iso(self) -> str:
        parts = [
            f"{n}{u}" for n, u in ((self.years, "Y"), (self.months, "M"), (self.days, "D")) if n
        ]
        return "P" + ("".join(parts) or "0D")

    def __str__(self) -> str:
        parts = [
            f"{n} {unit}{'' if n == 1 else 's'}"
            for n, unit in ((self.years, "year"), (self.months, "month"), (self.days, "day"))
            if n
        ]
        return " ".join(parts) or "0 days"


def parse_duration(text: str) -> Duration:
    """Parse `P3Y`, `P18M`, `P6Y`, `P90D`, `P1Y6M`; raise ValueError with a plain message."""
    if not isinstance(text, str) or not text.startswith("P"):
        raise ValueError(f"{text!r} is not an ISO 8601 duration such as P3Y, P18M or P90D")
    try:
        parsed = isodate.parse_duration(text)
    except (isodate.ISO8601Error, ValueError) as exc:
        raise ValueError(f"{text!r} is not an ISO 8601 duration such as P3Y, P18M or P90D") from exc
    if isinstance(parsed, isodate.Duration):
        years, months = int(parsed.years), int(parsed.months)
        delta = parsed.tdelta
    else:
        years, months, delta = 0, 0, parsed
    if delta.seconds or delta.microseconds:
        raise ValueError(f"{text!r} has a time part; durations here are counted in whole days")
    if years < 0 or months < 0 or delta.days < 0 or (years, months, delta.days) == (0, 0, 0):
        raise ValueError(f"{text!r} must be a positive duration")
    return Duration(years=years, months=months, days=delta.days)


def describe_duration(text: str) -> str:
    """`P5Y` as people say it, "5 years" (`P1Y6M`: "1 year 6 months"); the one wording of a
    duration on pages and in the CLI. Text that is not a duration is returned as it is."""
    try:
        return str(parse_duration(text))
    except ValueError:
        return text
