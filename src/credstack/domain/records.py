"""What a learner has, as the stacking engine sees it.

Each record carries every attribute a requirement can ask about, so evaluation never looks
anything up: the service layer copies issuer names, course titles and grades in when it loads
a learner. Records are immutable values with a stable id; the id is what an outcome cites as
evidence and what a revocation refers to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from credstack.domain.quantities import ZERO, exact

__all__ = [
    "AssessmentResult",
    "Attestation",
    "Award",
    "AwardStatus",
    "CourseCompletion",
    "Proctoring",
    "Record",
    "RubricScore",
]


def _exact_fields(record: object, names: tuple[str, ...]) -> None:
    """Hold every amount as a ``Decimal``, whatever numeric type the caller passed.

    Records are frozen values built once and read many times, so converting here keeps every
    sum and comparison downstream exact without each of them converting again.
    """
    for name in names:
        value = getattr(record, name)
        if value is not None and type(value) is not Decimal:
            object.__setattr__(record, name, exact(value))


class AwardStatus(StrEnum):
    """Lifecycle of an issued credential; only ``ACTIVE`` awards support other awards."""

    ACTIVE = "active"
    REVOKED = "revoked"
    EXPIRED = "expired"
    SUSPENDED = "suspended"


class Proctoring(StrEnum):
    """How an assessment attempt was supervised; anything but ``NONE`` counts as proctored."""

    NONE = "unproctored"
    ONLINE = "online"
    IN_PERSON = "in_person"


@dataclass(frozen=True, slots=True)
class Award:
    """An achievement issued to the learner (a badge, microcredential, certificate, ...).

    ``counted`` names the records that earned it: a certificate lists its courses so that a
    degree can count course credits inside certificates and judge each course's grade and date.
    """

    id: str
    achievement_id: str
    issuer_id: str
    achievement_type: str
    awarded_on: date
    valid_until: date | None = None
    status: AwardStatus = AwardStatus.ACTIVE
    status_changed_on: date | None = None
    credits: Decimal = ZERO
    ce_hours: Decimal = ZERO
    ce_category: str | None = None
    grade: str | None = None
    score: Decimal | None = None
    counted: tuple[str, ...] = ()
    issuer_name: str | None = None
    title: str | None = None

    def __post_init__(self) -> None:
        # Bulk jobs make these by the hundred thousand, already exact: test before converting.
        if (
            type(self.credits) is not Decimal
            or type(self.ce_hours) is not Decimal
            or (self.score is not None and type(self.score) is not Decimal)
        ):
            _exact_fields(self, ("credits", "ce_hours", "score"))


@dataclass(frozen=True, slots=True)
class AssessmentResult:
    """One attempt at an assessment; ``passed`` was decided against the cut score in force."""

    id: str
    assessment_id: str
    score: Decimal
    max_score: Decimal
    passed: bool
    taken_on: date
    proctoring: Proctoring = Proctoring.NONE
    identity_verified: bool = False
    identity_method: str | None = None
    attempt_id: str | None = None

    def __post_init__(self) -> None:
        if type(self.score) is not Decimal or type(self.max_score) is not Decimal:
            _exact_fields(self, ("score", "max_score"))

    @property
    def percent(self) -> Decimal:
        """For display; decisions compare ``reaches_percent`` instead (no division)."""
        return 100 * self.score / self.max_score if self.max_score else ZERO

    def reaches_percent(self, minimum: Decimal) -> bool:
        """``percent >= minimum`` decided exactly: 2 of 3 is below 66.67% and above 66.66%."""
        return 100 * self.score >= minimum * self.max_score


@dataclass(frozen=True, slots=True)
class Attestation:
    """An accountable person's statement that the learner has a skill.

    ``subject`` is what is attested (usually the achievement id); ``role`` and ``program`` are
    the attester's role *in that program* at the time, as checked when the attestation was made.
    """

    id: str
    subject: str
    attester_id: str
    role: str
    program: str | None
    statement: str
    attested_on: date


@dataclass(frozen=True, slots=True)
class RubricScore:
    """A reviewer's score of a piece of work (a capstone, a portfolio) against a rubric."""

    id: str
    rubric_id: str
    score: Decimal
    max_score: Decimal
    reviewer_id: str
    scored_on: date
    reviewer_role: str | None = None

    def __post_init__(self) -> None:
        _exact_fields(self, ("score", "max_score"))


@dataclass(frozen=True, slots=True)
class CourseCompletion:
    """A completed course: training hours for routes, credits and grade for degrees."""

    id: str
    course_id: str
    provider_id: str
    hours: Decimal
    completed_on: date
    grade: str | None = None
    credits: Decimal = ZERO
    title: str | None = None
    provider_name: str | None = None

    def __post_init__(self) -> None:
        _exact_fields(self, ("hours", "credits"))


Record = Award | AssessmentResult | Attestation | RubricScore | CourseCompletion
