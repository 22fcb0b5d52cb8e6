"""The figures a program office reads, as plain frozen values (no rows, no JSON-LD).

Each section is computed from the issuer's own records over an optional period; counts are
whole numbers of learners or records and every rate is a fraction rounded to four places, so
the same figures can be recomputed elsewhere and compared exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

__all__ = [
    "Analytics",
    "CeCycleFigures",
    "Enrolments",
    "FunnelStep",
    "IssuedCount",
    "MonthCount",
    "PassRate",
    "Period",
    "StackFunnel",
    "TimeToStack",
    "rate",
]


def rate(part: int, whole: int) -> float | None:
    """A fraction to four places; None when there is nothing to divide by (not 0%)."""
    return None if whole == 0 else round(part / whole, 4)


@dataclass(frozen=True, slots=True)
class Period:
    """Both ends inclusive; a missing end is unbounded."""

    start: date | None = None
    end: date | None = None

    def __contains__(self, day: object) -> bool:
        if not isinstance(day, date):
            return False
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)

    def reaches(self, day: date) -> bool:
        """Whether `day` is on or before the period's end (for snapshots "as held by the end")."""
        return self.end is None or day <= self.end


@dataclass(frozen=True, slots=True)
class MonthCount:
    month: str
    """YYYY-MM."""
    count: int


@dataclass(frozen=True, slots=True)
class Enrolments:
    """Distinct learners active at the issuer in the period, in all and by kind of activity."""

    learners: int
    attempted: int
    enrolled: int
    completed_course: int
    awarded: int
    new_by_month: tuple[MonthCount, ...]
    """Learners by the month of their first activity at the issuer ever."""


@dataclass(frozen=True, slots=True)
class IssuedCount:
    month: str
    type: str
    count: int


@dataclass(frozen=True, slots=True)
class PassRate:
    assessment: str
    attempts: int
    passes: int
    pass_rate: float | None
    first_attempts: int
    """Learners whose first attempt of the assessment falls in the period."""
    first_attempt_passes: int
    first_attempt_pass_rate: float | None


@dataclass(frozen=True, slots=True)
class FunnelStep:
    parts: int
    exactly: int
    at_least: int


@dataclass(frozen=True, slots=True)
class StackFunnel:
    achievement: str
    name: str
    parts: tuple[str, ...]
    started: int
    """Learners meeting at least one of the ``needed`` requirements with the parts they hold."""
    steps: tuple[FunnelStep, ...]
    completed: int
    """Learners holding the stacked credential itself."""
    needed: int
    """Requirements the stack asks of a learner (``domain.outcome.requirement_progress``): the
    "of N" the funnel and the learner's page both show; ``parts`` may list more (choices)."""


@dataclass(frozen=True, slots=True)
class TimeToStack:
    achievement: str
    name: str
    learners: int
    median_days: float | None
    min_days: int | None
    max_days: int | None


@dataclass(frozen=True, slots=True)
class CeCycleFigures:
    """The CE cycles of one certification that end in one year."""

    certification: str
    end_year: int
    closed_compliant: int
    closed_lapsed: int
    compliance_rate: float | None
    open: int
    open_compliant_now: int


@dataclass(frozen=True, slots=True)
class Analytics:
    issuer: str
    period: Period
    as_of: date
    enrolments: Enrolments
    issued: tuple[IssuedCount, ...]
    pass_rates: tuple[PassRate, ...]
    funnels: tuple[StackFunnel, ...]
    time_to_stack: tuple[TimeToStack, ...]
    ce_compliance: tuple[CeCycleFigures, ...]
