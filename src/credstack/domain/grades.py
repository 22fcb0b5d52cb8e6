"""Letter grades and recency windows: the two ordinal scales requirements compare against.

Catalogs write grades as letters ("B or better") and windows as ISO 8601 durations ("P6Y");
both are kept as small values here so the evaluator compares integers and dates only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from credstack.domain.durations import parse_duration

__all__ = ["LETTER_GRADES", "Window", "grade_rank", "parse_window"]

#: Best first. Plus/minus steps are distinct: "B or better" excludes B-.
LETTER_GRADES: tuple[str, ...] = (
    "A+",
    "A",
    "A-",
    "B+",
    "B",
    "B-",
    "C+",
    "C",
    "C-",
    "D+",
    "D",
    "D-",
    "F",
)
_RANK = {g: len(LETTER_GRADES) - i for i, g in enumerate(LETTER_GRADES)}
# Pass/credit marks from transcripts that count as passing without a letter.
_RANK.update({"P": 0, "PASS": 0, "CR": 0})


def grade_rank(grade: str | None) -> int | None:
    """Higher is better; ``None`` for no grade or one not on the letter scale."""
    if grade is None:
        return None
    return _RANK.get(grade.strip().upper())


@dataclass(frozen=True, slots=True)
class Window:
    """A calendar look-back, such as "within 6 years before the as-of date"."""

    years: int = 0
    months: int = 0
    days: int = 0

    def earliest(self, as_of: date) -> date:
        """The first date still inside the window ending on ``as_of``.

        Month arithmetic clamps to the month's last day, so 29 February minus one year is
        28 February rather than an error.
        """
        return self._shift(as_of, -1)

    def after(self, start: date) -> date:
        """``start`` moved forward by the window (a cycle starting then ends the day before)."""
        return self._shift(start, 1)

    def _shift(self, day0: date, sign: int) -> date:
        month_index = day0.year * 12 + (day0.month - 1) + sign * (self.years * 12 + self.months)
        year, month = divmod(month_index, 12)
        month += 1
        day = min(day0.day, _days_in_month(year, month))
        return date.fromordinal(date(year, month, day).toordinal() + sign * self.days)

    def __str__(self) -> str:
        parts = [
            _plural(self.years, "year"),
            _plural(self.months, "month"),
            _plural(self.days, "day"),
        ]
        return ", ".join(p for p in parts if p) or "0 days"


def parse_window(text: str) -> Window | None:
    """``P6Y``, ``P18M``, ``P1Y6M``; ``None`` when the text is not such a duration.

    The grammar is the catalog's one for durations (``durations.parse_duration``), so a
    window and a validity period accept exactly the same texts.
    """
    try:
        duration = parse_duration(text.strip())
    except ValueError:
        return None
    return Window(years=duration.years, months=duration.months, days=duration.days)


def _days_in_month(year: int, month: int) -> int:
    if month == 12:
        return 31
    return (date(year, month + 1, 1) - date(year, month, 1)).days


def _plural(n: int, unit: str) -> str:
    if n == 0:
        return ""
    return f"{n} {unit}" if n == 1 else f"{n} {unit}s"
