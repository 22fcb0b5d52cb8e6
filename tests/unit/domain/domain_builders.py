"""Small record factories and a pure "service" for the domain tests.

``Learner`` plays the service layer's part with nothing but domain functions: it keeps a
learner's records, and on each new record runs ``cascade`` so that awards follow as the
stories describe ("awarded automatically").
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

import yaml

from credstack.domain.dependants import DependantIndex, cascade
from credstack.domain.outcome import Outcome
from credstack.domain.parsing import parse_requirement
from credstack.domain.records import (
    AssessmentResult,
    Award,
    CourseCompletion,
    Proctoring,
    Record,
    RubricScore,
)
from credstack.domain.requirements import Requirement

_ids = itertools.count(1)


def next_id(prefix: str) -> str:
    return f"{prefix}-{next(_ids):06d}"  # zero-padded: string order is creation order


def requirement(text: str) -> Requirement:
    """Parse a YAML requirement tree, failing loudly on any problem."""
    req, problems = parse_requirement(yaml.safe_load(text), ("requirements",))
    assert problems == [], problems
    assert req is not None
    return req


def catalog(text: str) -> dict[str, Requirement]:
    """``{achievement: requirements-yaml}`` in one YAML document."""
    raw = yaml.safe_load(text)
    out: dict[str, Requirement] = {}
    for key, value in raw.items():
        req, problems = parse_requirement(value, ("achievements", key, "requirements"))
        assert problems == [], problems
        assert req is not None
        out[key] = req
    return out


def attempt(
    assessment: str,
    percent: float,
    on: date,
    *,
    cut: float = 70,
    proctoring: Proctoring = Proctoring.NONE,
    identity_verified: bool = False,
) -> AssessmentResult:
    return AssessmentResult(
        id=next_id("result"),
        assessment_id=assessment,
        score=percent,
        max_score=100,
        passed=percent >= cut,
        taken_on=on,
        proctoring=proctoring,
        identity_verified=identity_verified,
        identity_method="government-id" if identity_verified else None,
        attempt_id=next_id("attempt"),
    )


def award(
    achievement: str,
    on: date,
    *,
    kind: str = "microcredential",
    issuer: str = "issuer",
    **extra: object,
) -> Award:
    return Award(
        id=next_id("award"),
        achievement_id=achievement,
        issuer_id=issuer,
        achievement_type=kind,
        awarded_on=on,
        **extra,  # type: ignore[arg-type]
    )


def course(
    course_id: str,
    on: date,
    *,
    provider: str = "provider",
    hours: float = 8,
    grade: str | None = None,
    credits: float = 0,
    title: str | None = None,
) -> CourseCompletion:
    return CourseCompletion(
        id=next_id("course"),
        course_id=course_id,
        provider_id=provider,
        hours=hours,
        completed_on=on,
        grade=grade,
        credits=credits,
        title=title,
    )


def rubric(rubric_id: str, score: float, on: date) -> RubricScore:
    return RubricScore(
        id=next_id("rubric"),
        rubric_id=rubric_id,
        score=score,
        max_score=4,
        reviewer_id="reviewer-1",
        scored_on=on,
        reviewer_role="reviewer",
    )


@dataclass
class Learner:
    """A learner's records plus automatic awarding, as the service layer will do it."""

    requirements: Mapping[str, Requirement]
    types: Mapping[str, str] = field(default_factory=dict)
    records: list[Record] = field(default_factory=list)
    outcomes: dict[str, Outcome] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.index = DependantIndex.build(self.requirements)

    def add(self, record: Record, on: date) -> tuple[str, ...]:
        """Add a record; return the achievements awarded as a consequence."""

        def make_award(achievement: str, outcome: Outcome) -> Award:
            return Award(
                id=next_id(f"award-{achievement}"),
                achievement_id=achievement,
                issuer_id="issuer",
                achievement_type=self.types.get(achievement, "microcredential"),
                awarded_on=on,
                counted=outcome.counted,
            )

        result = cascade(self.requirements, self.index, self.records, record, on, make_award)
        self.records.append(record)
        self.records.extend(result.awarded)
        self.outcomes.update(result.outcomes)
        return tuple(a.achievement_id for a in result.awarded)

    def holds(self, achievement: str) -> bool:
        return any(isinstance(r, Award) and r.achievement_id == achievement for r in self.records)

    def award_of(self, achievement: str) -> Award:
        return next(
            r for r in self.records if isinstance(r, Award) and r.achievement_id == achievement
        )
