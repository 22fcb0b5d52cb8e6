"""A learner's rows as the domain's records: the stacking engine's view of what they did.

Record ids name the row kind and its public id (`award:…`, `attempt:…`, `attestation:…`,
`course:…`), so the evidence an award counted can always be traced back to a row. Achievement
and assessment keys are namespaced by issuer (`harbor-college:cert-x`) except for the issuer
whose requirements are being evaluated: catalogs name their own achievements by bare key, and
two issuers' keys may collide.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from credstack.domain.calendar import day_of
from credstack.domain.quantities import ZERO, exact
from credstack.domain.records import (
    AssessmentResult,
    Attestation,
    Award,
    AwardStatus,
    CourseCompletion,
    Proctoring,
    Record,
    RubricScore,
)
from credstack.service.achievements import achievement_of
from credstack.service.clock import issuer_zone
from credstack.store.models import (
    AchievementRow,
    AchievementVersionRow,
    AssessmentAttemptRow,
    AssessmentRow,
    AwardRow,
    IssuerRow,
    LearnerRow,
)
from credstack.store.uow import UnitOfWork

__all__ = ["Records", "load_records", "record_id"]


def record_id(kind: str, public_id: str) -> str:
    return f"{kind}:{public_id}"


@dataclass
class Records:
    """A learner's records from one issuer's point of view, with the rows behind them."""

    perspective: IssuerRow
    items: list[Record] = field(default_factory=list)
    awards: dict[str, AwardRow] = field(default_factory=dict)
    attempts: dict[str, AssessmentAttemptRow] = field(default_factory=dict)

    def by_id(self) -> dict[str, Record]:
        return {r.id: r for r in self.items}


class _Names:
    """Issuer keys, achievement keys and versions looked up once per load."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        self.issuers = {i.id: i for i in uow.issuers.all()}
        self._versions: dict[int, tuple[str, AchievementVersionRow]] = {}
        self._assessments: dict[int, str] = {}

    def achievement(self, version_id: int) -> tuple[str, AchievementVersionRow]:
        if version_id not in self._versions:
            version = self.uow.achievements.version_by_id(version_id)
            assert version is not None
            achievement = self.uow.session.get(AchievementRow, version.achievement_id)
            assert achievement is not None
            self._versions[version_id] = (achievement.key, version)
        return self._versions[version_id]

    def assessment(self, version_id: int) -> str:
        if version_id not in self._assessments:
            version = self.uow.records.assessment_version(version_id)
            assert version is not None
            row = self.uow.session.get(AssessmentRow, version.assessment_id)
            assert row is not None
            self._assessments[version_id] = row.key
        return self._assessments[version_id]


def _scoped(key: str, issuer_id: int, perspective: IssuerRow, names: _Names) -> str:
    return key if issuer_id == perspective.id else f"{names.issuers[issuer_id].key}:{key}"


def load_records(uow: UnitOfWork, learner: LearnerRow, perspective: IssuerRow) -> Records:
    """Every dated record is put on the perspective issuer's calendar day (domain.calendar)."""
    names = _Names(uow)
    out = Records(perspective)
    where = issuer_zone(perspective)
    for row in uow.awards.for_learner(learner.id):
        key, version = names.achievement(row.achievement_version_id)
        achievement = achievement_of(version)
        ce = achievement.ce
        rid = record_id("award", row.public_id)
        out.awards[rid] = row
        out.items.append(
            Award(
                id=rid,
                achievement_id=_scoped(key, row.issuer_id, perspective, names),
                issuer_id=names.issuers[row.issuer_id].key,
                achievement_type=version.type,
                awarded_on=day_of(row.awarded_at, where) if row.awarded_at else row.awarded_on,
                valid_until=row.valid_until,
                status=AwardStatus(row.status),
                status_changed_on=(
                    day_of(row.status_changed_at, where) if row.status_changed_at else None
                ),
                credits=achievement.credits if achievement.credits is not None else ZERO,
                ce_hours=ce.hours if ce else ZERO,
                ce_category=ce.category if ce else None,
                grade=row.grade,
                score=None if row.score is None else exact(row.score),
                counted=tuple(row.counted),
                issuer_name=names.issuers[row.issuer_id].name,
                title=version.name,
            )
        )
    for attempt in uow.records.attempts(learner.id):
        key = _scoped(
            names.assessment(attempt.assessment_version_id), attempt.issuer_id, perspective, names
        )
        rid = record_id("attempt", attempt.public_id)
        out.attempts[rid] = attempt
        on = day_of(attempt.sat_at, where)
        if attempt.source == "rubric":
            out.items.append(
                RubricScore(
                    id=rid,
                    rubric_id=key,
                    score=exact(attempt.raw_score),
                    max_score=exact(attempt.max_score),
                    reviewer_id=str(attempt.scored_by_user_id or ""),
                    scored_on=on,
                    reviewer_role="reviewer",
                )
            )
            continue
        out.items.append(
            AssessmentResult(
                id=rid,
                assessment_id=key,
                score=exact(attempt.raw_score),
                max_score=exact(attempt.max_score),
                passed=attempt.passed,
                taken_on=on,
                proctoring=Proctoring(attempt.proctoring),
                identity_verified=attempt.identity_method is not None,
                identity_method=attempt.identity_method,
                attempt_id=attempt.external_attempt_id,
            )
        )
    for attestation in uow.records.attestations(learner.id):
        out.items.append(
            Attestation(
                id=record_id("attestation", attestation.public_id),
                subject=attestation.subject or "",
                attester_id=str(attestation.attester_user_id),
                role=attestation.role,
                program=attestation.program or None,
                statement=attestation.statement,
                attested_on=attestation.attested_on,
            )
        )
    for completion in uow.records.completions(learner.id):
        out.items.append(
            CourseCompletion(
                id=record_id("course", completion.public_id),
                course_id=completion.course,
                provider_id=completion.provider,
                hours=exact(completion.hours),
                completed_on=completion.completed_on,
                grade=completion.grade,
                credits=ZERO if completion.credits is None else exact(completion.credits),
            )
        )
    return out
