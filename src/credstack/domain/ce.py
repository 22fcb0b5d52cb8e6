"""Continuing-education cycles: what a certificant must earn to keep a certification.

A certification's maintenance rule asks for hours per cycle with category minimums. Each
activity counts in exactly one cycle: the one whose dates contain it, and never one it was
already counted in (``already_counted``). Activities before the cycle started do not count.
At the end of a cycle the certification is renewed into the next cycle, which starts the day
after, or it lapses.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Protocol

from credstack.domain.outcome import Contribution
from credstack.domain.quantities import ZERO
from credstack.domain.records import Award, AwardStatus, Record
from credstack.domain.requirements import ContinuingEducation

__all__ = [
    "CategoryProgress",
    "CeRule",
    "CeTally",
    "ComplianceReport",
    "Cycle",
    "CycleEnd",
    "CycleLength",
    "close_cycle",
    "compliance",
    "counts_as_ce",
    "needs_reminder",
    "reminder_due",
    "tally_ce",
]


class CycleLength(Protocol):
    """A calendar length (``durations.Duration``)."""

    def after(self, start: date) -> date: ...


@dataclass(frozen=True, slots=True)
class CeRule:
    """``total`` hours per ``cycle``, of which at least ``minimums[category]`` per category."""

    total: Decimal
    minimums: tuple[tuple[str, Decimal], ...]
    cycle: CycleLength

    @classmethod
    def from_requirement(cls, req: ContinuingEducation, cycle: CycleLength) -> CeRule:
        """The rule a catalog's ``maintenance: {cycle, requirements: {ce: ...}}`` states."""
        return cls(req.total, req.minimums, cycle)


@dataclass(frozen=True, slots=True)
class Cycle:
    """A holder's cycle, both ends inclusive."""

    start: date
    end: date

    @classmethod
    def starting(cls, start: date, length: CycleLength) -> Cycle:
        return cls(start, length.after(start) - timedelta(days=1))

    def following(self, length: CycleLength) -> Cycle:
        return Cycle.starting(self.end + timedelta(days=1), length)

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


@dataclass(frozen=True, slots=True)
class CategoryProgress:
    category: str
    hours: Decimal
    minimum: Decimal

    @property
    def met(self) -> bool:
        return self.hours >= self.minimum

    @property
    def short_by(self) -> Decimal:
        return max(self.minimum - self.hours, ZERO)


@dataclass(frozen=True, slots=True)
class CeTally:
    total: Decimal
    by_category: dict[str, Decimal]
    contributions: tuple[Contribution, ...]


def counts_as_ce(award: Award) -> bool:
    """Whether an award's CE hours can count at all (its date decides which cycle)."""
    # An activity done is done: a microcredential that later expired still carried its hours,
    # but a revoked or suspended one is no evidence of anything.
    return award.ce_hours > 0 and award.status not in (AwardStatus.REVOKED, AwardStatus.SUSPENDED)


def tally_ce(
    records: Iterable[Record],
    start: date | None,
    end: date,
    already_counted: frozenset[str] = frozenset(),
) -> CeTally:
    """CE hours per category from awards dated ``start``..``end`` (inclusive)."""
    by_category: dict[str, Decimal] = {}
    lines: list[Contribution] = []
    awards = sorted(
        (r for r in records if isinstance(r, Award) and counts_as_ce(r)),
        key=lambda a: (a.awarded_on, a.id),
    )
    for a in awards:
        if a.awarded_on > end:
            continue
        name = a.title or a.achievement_id
        category = a.ce_category or "general"
        if start is not None and a.awarded_on < start:
            lines.append(
                Contribution(
                    a.id,
                    a.id,
                    name,
                    a.ce_hours,
                    ZERO,
                    category,
                    reason=f"earned {a.awarded_on.isoformat()}, before the cycle started "
                    f"on {start.isoformat()}",
                )
            )
            continue
        if a.id in already_counted:
            lines.append(
                Contribution(
                    a.id,
                    a.id,
                    name,
                    a.ce_hours,
                    ZERO,
                    category,
                    reason="already counted in an earlier cycle",
                )
            )
            continue
        by_category[category] = by_category.get(category, ZERO) + a.ce_hours
        lines.append(Contribution(a.id, a.id, name, a.ce_hours, a.ce_hours, category))
    return CeTally(sum(by_category.values(), ZERO), by_category, tuple(lines))


@dataclass(frozen=True, slots=True)
class ComplianceReport:
    """Where a certificant stands in a cycle on ``as_of``."""

    cycle: Cycle
    as_of: date
    hours: Decimal
    required: Decimal
    categories: tuple[CategoryProgress, ...]
    contributions: tuple[Contribution, ...] = field(default=())

    @property
    def compliant(self) -> bool:
        return self.hours >= self.required and all(c.met for c in self.categories)

    @property
    def short_by(self) -> Decimal:
        """Hours still to earn in total ("total short by 5 hours")."""
        return max(self.required - self.hours, ZERO)

    @property
    def hours_needed(self) -> Decimal:
        """Least further hours that could make the cycle compliant, counting category gaps."""
        return max(self.short_by, sum((c.short_by for c in self.categories), ZERO))

    @property
    def days_left(self) -> int:
        """Days from ``as_of`` until the cycle's last day (0 on the last day itself)."""
        return (self.cycle.end - self.as_of).days

    @property
    def counted(self) -> tuple[str, ...]:
        return tuple(c.record_id for c in self.contributions if c.counted > 0)

    def category(self, name: str) -> CategoryProgress:
        return next(c for c in self.categories if c.category == name)


def compliance(
    rule: CeRule,
    cycle: Cycle,
    records: Sequence[Record],
    as_of: date,
    already_counted: frozenset[str] = frozenset(),
) -> ComplianceReport:
    """The compliance report on ``as_of`` (activities after it, or after the cycle, ignored)."""
    tally = tally_ce(records, cycle.start, min(as_of, cycle.end), already_counted)
    categories = tuple(
        CategoryProgress(name, tally.by_category.get(name, ZERO), minimum)
        for name, minimum in rule.minimums
    )
    return ComplianceReport(cycle, as_of, tally.total, rule.total, categories, tally.contributions)


@dataclass(frozen=True, slots=True)
class CycleEnd:
    """What happens when a cycle closes: renewal into ``next_cycle``, or a lapse."""

    report: ComplianceReport
    next_cycle: Cycle | None

    @property
    def renewed(self) -> bool:
        return self.next_cycle is not None

    @property
    def lapsed_on(self) -> date | None:
        """The certification's last valid day when it lapses."""
        return None if self.renewed else self.report.cycle.end


def close_cycle(
    rule: CeRule,
    cycle: Cycle,
    records: Sequence[Record],
    already_counted: frozenset[str] = frozenset(),
) -> CycleEnd:
    """Decide renewal or lapse on the cycle's last day."""
    report = compliance(rule, cycle, records, cycle.end, already_counted)
    return CycleEnd(report, cycle.following(rule.cycle) if report.compliant else None)


def needs_reminder(report: ComplianceReport, within_days: int = 180) -> bool:
    """Short of hours with fewer than ``within_days`` days left (and the cycle not over)."""
    return not report.compliant and 0 <= report.days_left < within_days


def reminder_due(report: ComplianceReport, thresholds: Iterable[int]) -> int | None:
    """The reminder owed on ``report.as_of``: the nearest threshold (days before the cycle's
    last day) already reached, while the cycle is short and not over; None when none is.

    Only the nearest one: a learner first found short 20 days before the end is told once
    (the 30-day reminder), not also the 90-day one they were never sent.
    """
    if report.compliant or report.days_left < 0:
        return None
    reached = [days for days in thresholds if report.days_left <= days]
    return min(reached) if reached else None
