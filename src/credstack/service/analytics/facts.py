"""The issuer's records, read once and reduced to the few fields the figures need.

Only records held at the issuer count: its assessments' attempts, the course completions it
recorded, its program enrolments and the awards it made. A partner's awards are the partner's
figures, not this issuer's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from credstack.domain.records import AwardStatus
from credstack.service.clock import on_day
from credstack.store.models import (
    AchievementRow,
    AchievementVersionRow,
    AssessmentAttemptRow,
    AssessmentRow,
    AssessmentVersionRow,
    AwardRow,
    CourseCompletionRow,
    EnrolmentRow,
    IssuerRow,
)
from credstack.store.uow import UnitOfWork

__all__ = ["AttemptFact", "AwardFact", "Facts", "load_facts"]


@dataclass(frozen=True, slots=True)
class AttemptFact:
    id: int
    learner_id: int
    assessment: str
    sat_on: date
    passed: bool


@dataclass(frozen=True, slots=True)
class AwardFact:
    id: int
    learner_id: int
    achievement: str
    type: str
    awarded_on: date
    status: str

    @property
    def earned(self) -> bool:
        """A revoked award was voided; an expired or suspended one was still earned."""
        return self.status != AwardStatus.REVOKED


@dataclass(frozen=True, slots=True)
class Facts:
    attempts: tuple[AttemptFact, ...]
    awards: tuple[AwardFact, ...]
    completions: tuple[tuple[int, date], ...]
    """(learner id, completed on)."""
    enrolments: tuple[tuple[int, date], ...]
    """(learner id, enrolled on)."""


def load_facts(uow: UnitOfWork, issuer: IssuerRow) -> Facts:
    session = uow.session
    attempts = session.execute(
        select(
            AssessmentAttemptRow.id,
            AssessmentAttemptRow.learner_id,
            AssessmentRow.key,
            AssessmentAttemptRow.sat_at,
            AssessmentAttemptRow.passed,
        )
        .join(
            AssessmentVersionRow,
            AssessmentVersionRow.id == AssessmentAttemptRow.assessment_version_id,
        )
        .join(AssessmentRow, AssessmentRow.id == AssessmentVersionRow.assessment_id)
        .where(AssessmentAttemptRow.issuer_id == issuer.id)
        .order_by(AssessmentAttemptRow.sat_at, AssessmentAttemptRow.id)
    ).all()
    awards = session.execute(
        select(
            AwardRow.id,
            AwardRow.learner_id,
            AchievementRow.key,
            AchievementVersionRow.type,
            AwardRow.awarded_on,
            AwardRow.status,
        )
        .join(AchievementVersionRow, AchievementVersionRow.id == AwardRow.achievement_version_id)
        .join(AchievementRow, AchievementRow.id == AchievementVersionRow.achievement_id)
        .where(AwardRow.issuer_id == issuer.id)
        .order_by(AwardRow.awarded_on, AwardRow.id)
    ).all()
    completions = session.execute(
        select(CourseCompletionRow.learner_id, CourseCompletionRow.completed_on).where(
            CourseCompletionRow.issuer_id == issuer.id
        )
    ).all()
    enrolments = session.execute(
        select(EnrolmentRow.learner_id, EnrolmentRow.enrolled_on).where(
            EnrolmentRow.issuer_id == issuer.id
        )
    ).all()
    return Facts(
        attempts=tuple(
            AttemptFact(int(i), int(lid), str(key), on_day(issuer, sat_at), bool(passed))
            for i, lid, key, sat_at, passed in attempts
        ),
        awards=tuple(
            AwardFact(int(i), int(lid), str(key), str(kind), on, str(status))
            for i, lid, key, kind, on, status in awards
        ),
        completions=tuple((int(lid), on) for lid, on in completions),
        enrolments=tuple((int(lid), on) for lid, on in enrolments),
    )
