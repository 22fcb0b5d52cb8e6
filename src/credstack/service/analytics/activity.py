"""Who took part, what was issued, and how attempts went: counts over the issuer's records.

"Enrolled" (story 10's "learners who attempted or started a path") means a learner with any
activity at the issuer: an attempt at one of its assessments, a course completion it recorded,
an enrolment in one of its programs, or an award it made (a credential recognised or granted by
a registrar starts a path as surely as an exam does). A learner counts once however many
activities they have; with a period, only activities dated in it count.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

from credstack.service.analytics.facts import AttemptFact, Facts
from credstack.service.analytics.figures import (
    Enrolments,
    IssuedCount,
    MonthCount,
    PassRate,
    Period,
    rate,
)

__all__ = ["enrolments", "issued", "month_of", "pass_rates"]


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _activities(facts: Facts) -> dict[str, list[tuple[int, date]]]:
    return {
        "attempted": [(a.learner_id, a.sat_on) for a in facts.attempts],
        "enrolled": list(facts.enrolments),
        "completed_course": list(facts.completions),
        "awarded": [(a.learner_id, a.awarded_on) for a in facts.awards],
    }


def enrolments(facts: Facts, period: Period) -> Enrolments:
    by_kind = _activities(facts)
    active = {
        kind: {learner for learner, on in dated if on in period} for kind, dated in by_kind.items()
    }
    first: dict[int, date] = {}
    for dated in by_kind.values():
        for learner, on in dated:
            if learner not in first or on < first[learner]:
                first[learner] = on
    new = Counter(month_of(on) for on in first.values() if on in period)
    return Enrolments(
        learners=len(set().union(*active.values())),
        attempted=len(active["attempted"]),
        enrolled=len(active["enrolled"]),
        completed_course=len(active["completed_course"]),
        awarded=len(active["awarded"]),
        new_by_month=tuple(MonthCount(month, new[month]) for month in sorted(new)),
    )


def issued(facts: Facts, period: Period) -> tuple[IssuedCount, ...]:
    """Every award made in the period, whatever became of it later (issued is issued)."""
    counts = Counter(
        (month_of(a.awarded_on), a.type) for a in facts.awards if a.awarded_on in period
    )
    return tuple(IssuedCount(month, kind, counts[month, kind]) for month, kind in sorted(counts))


def pass_rates(facts: Facts, period: Period) -> tuple[PassRate, ...]:
    """Per assessment sat in the period; a learner's first attempt is their first ever one
    (a retake in the period is never anyone's first attempt)."""
    by_assessment: dict[str, list[AttemptFact]] = defaultdict(list)
    for attempt in facts.attempts:  # ordered by sat_at, then id
        by_assessment[attempt.assessment].append(attempt)
    rows: list[PassRate] = []
    for key in sorted(by_assessment):
        attempts = by_assessment[key]
        within = [a for a in attempts if a.sat_on in period]
        if not within:
            continue
        firsts: dict[int, AttemptFact] = {}
        for attempt in attempts:
            firsts.setdefault(attempt.learner_id, attempt)
        first_within = [a for a in firsts.values() if a.sat_on in period]
        passes = sum(a.passed for a in within)
        first_passes = sum(a.passed for a in first_within)
        rows.append(
            PassRate(
                assessment=key,
                attempts=len(within),
                passes=passes,
                pass_rate=rate(passes, len(within)),
                first_attempts=len(first_within),
                first_attempt_passes=first_passes,
                first_attempt_pass_rate=rate(first_passes, len(first_within)),
            )
        )
    return tuple(rows)
