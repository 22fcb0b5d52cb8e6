"""ISO 8601 durations for validity periods and recency windows.

Parsing is isodate's; this module only adds what we need on top: calendar-correct addition to
dates (P3Y from 2024-02-29 is 2027-02-28) and a rejection of forms we cannot apply to a date.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

import isodate

__all__ = ["Duration", "parse_duration"]


@dataclass(frozen=True)
class Duration:
    text: str
    years: int
    months: int
    days: int

    def after(self, start: date) -> date:
        """The date this long after `start` (month ends clamp, as people count)."""
        total_months = start.month - 1 + self.months + 12 * self.years
        year = start.year + total_months // 12
        month = total_months % 12 + 1
        day = min(start.day, _days_in_month(year, month))
        return date(year, month, day) + timedelta(days=self.days)

    def before(self, end: date) -> date:
        """The date this long before `end`."""
        negative = Duration(self.text, -self.years, -self.months, 0)
        return negative.after(end) - timedelta(days=self.days)


def _days_in_month(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


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
    return Duration(text=text, years=years, months=months, days=delta.days)
