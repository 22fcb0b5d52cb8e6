"""Recording assessment results three ways: item responses, an external total, a rubric score.

Every attempt is kept, pass or fail, with its integrity conditions (proctoring, identity
verification). Whether a pass *counts* is the route's decision, made by the stacking engine
from what the attempt recorded; this module only refuses input that is wrong or not allowed
(unknown items, scores off the scale, a retake the attempts policy forbids).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from credstack.assessment import (
    AssessmentError,
    PriorAttempt,
    check_attempt,
    score_responses,
    score_rubric,
    score_total,
)
from credstack.assessment.scoring import Answer
from credstack.domain.calendar import offset_minutes
from credstack.domain.records import Proctoring
from credstack.errors import Conflict, InvalidInput
from credstack.service.actor import Actor, Authorised, authorise
from credstack.service.clock import check_instant, on_day
from credstack.service.earning.definitions import StoredAssessment, stored_assessment
from credstack.service.earning.recorded import Recorded
from credstack.service.earning.review import unissued_dependants
from credstack.service.earning.settling import record_then_settle
from credstack.service.keys import IssuerKeys
from credstack.store.models import (
    AssessmentAttemptRow,
    AssessmentVersionRow,
    IssuerRow,
    LearnerRow,
)
from credstack.store.uow import UnitOfWork

__all__ = [
    "RECORDER_ROLES",
    "RUBRIC_ROLES",
    "AttemptConditions",
    "ItemResponses",
    "ResultInput",
    "RubricScores",
    "TotalScore",
    "attempts_of",
    "authorise_recording",
    "record_result",
]

RECORDER_ROLES = ("assessor", "admin", "registrar")
RUBRIC_ROLES = ("reviewer", "assessor")


@dataclass(frozen=True)
class ItemResponses:
    """The candidate's answer per item; credstack scores them with the keys."""

    answers: Mapping[str, Answer]


@dataclass(frozen=True)
class TotalScore:
    """A total from an external test platform, on the assessment's own scale."""

    raw: float


@dataclass(frozen=True)
class RubricScores:
    """A reviewer's score per rubric criterion."""

    scores: Mapping[str, int]


ResultInput = ItemResponses | TotalScore | RubricScores


@dataclass(frozen=True)
class AttemptConditions:
    """When and under what conditions the candidate sat: what a route may require."""

    sat_at: datetime
    proctoring: Proctoring = Proctoring.NONE
    proctored_by: str | None = None
    identity_method: str | None = None
    identity_verified_by: str | None = None
    identity_verified_at: datetime | None = None

    def problems(self) -> list[str]:
        found = []
        if self.sat_at.tzinfo is None:
            found.append("the attempt's time needs a time zone (e.g. 2026-05-02T10:00:00+00:00)")
        if self.proctoring is Proctoring.NONE and self.proctored_by:
            found.append("a proctor is named but the attempt is recorded as unproctored")
        if self.proctoring is not Proctoring.NONE and not self.proctored_by:
            found.append(f"a {self.proctoring.value} proctored attempt must say who proctored it")
        if self.identity_method is None and (
            self.identity_verified_by or self.identity_verified_at
        ):
            found.append("identity verification needs its method (e.g. government-id)")
        if self.identity_method is not None and not self.identity_verified_by:
            found.append("identity verification must say who verified the candidate's identity")
        at = self.identity_verified_at
        if at is not None and at.tzinfo is None:
            found.append("the identity verification time needs a time zone")
        return found


def attempts_of(
    uow: UnitOfWork, learner: LearnerRow, stored: StoredAssessment
) -> list[AssessmentAttemptRow]:
    """The learner's earlier attempts of this assessment, any version, oldest first."""
    return list(
        uow.session.scalars(
            select(AssessmentAttemptRow)
            .join(
                AssessmentVersionRow,
                AssessmentVersionRow.id == AssessmentAttemptRow.assessment_version_id,
            )
            .where(
                AssessmentAttemptRow.learner_id == learner.id,
                AssessmentVersionRow.assessment_id == stored.row.id,
            )
            .order_by(AssessmentAttemptRow.sat_at, AssessmentAttemptRow.id)
        ).all()
    )


def _score(stored: StoredAssessment, result: ResultInput) -> tuple[float, float, bool, Any, str]:
    definition = stored.definition
    try:
        if isinstance(result, ItemResponses):
            objective = score_responses(definition, result.answers)
            answers = {k: _plain(v) for k, v in result.answers.items()}
            return objective.raw, objective.max_score, objective.passed, answers, "responses"
        if isinstance(result, TotalScore):
            total = score_total(definition, result.raw)
            return total.raw, total.max_score, total.passed, None, "external"
        rubric = score_rubric(definition, result.scores)
        return (
            float(rubric.raw),
            float(rubric.max_score),
            rubric.passed,
            dict(result.scores),
            "rubric",
        )
    except AssessmentError as exc:
        raise InvalidInput(f"assessment {definition.id}: {exc}") from exc


def _plain(answer: Answer) -> Any:
    if answer is None or isinstance(answer, str | bool):
        return answer
    return sorted(answer)


def _same(row: AssessmentAttemptRow, learner: LearnerRow, version: int, raw: float) -> bool:
    return (
        row.learner_id == learner.id
        and row.assessment_version_id == version
        and abs(row.raw_score - raw) < 1e-9
    )


def authorise_recording(
    actor: Actor, issuer: str, assessment: str, result: ResultInput
) -> Authorised:
    """A rubric score needs its scorer, a user; other results a recorder (the operator too).

    Use cases ask before they look the learner up, so nobody learns who is a learner by trying.
    """
    if isinstance(result, RubricScores):
        if actor.is_operator:
            raise InvalidInput("a rubric score must name the reviewer or assessor who scored it")
        return authorise(actor, issuer, *RUBRIC_ROLES, what=f"score the rubric of {assessment}")
    return authorise(actor, issuer, *RECORDER_ROLES, what=f"record results of {assessment}")


def record_result(
    uow: UnitOfWork,
    keys: IssuerKeys,
    *,
    issuer: IssuerRow,
    learner: LearnerRow,
    assessment: str,
    result: ResultInput,
    conditions: AttemptConditions,
    by: Authorised,
    attempt_id: str | None = None,
) -> Recorded:
    """Score and keep one attempt, then award whatever it completes (in the caller's unit).

    `by` is whoever records it, as `authorise_recording` let them (the operator's own CLI or
    import, or a user); a rubric score names them as its scorer. `attempt_id` is the test
    platform's id: recording it again with the same score is a no-op (`duplicate`), with a
    different score a conflict.
    """
    actor = by.at(issuer.key)
    problems = conditions.problems()
    if problems:
        raise InvalidInput("; ".join(problems))
    check_instant(conditions.sat_at, "sat_at (the attempt's time)")
    stored = stored_assessment(uow, issuer, assessment)
    raw, maximum, passed, responses, source = _score(stored, result)
    percent = 100.0 * raw / maximum if maximum else 0.0
    if attempt_id is not None:
        existing = uow.session.scalar(
            select(AssessmentAttemptRow).where(
                AssessmentAttemptRow.issuer_id == issuer.id,
                AssessmentAttemptRow.external_attempt_id == attempt_id,
            )
        )
        if existing is not None:
            if _same(existing, learner, stored.version.id, raw):
                return Recorded(
                    f"attempt:{existing.public_id}",
                    duplicate=True,
                    passed=existing.passed,
                    percent=existing.percent,
                )
            raise Conflict(
                f"attempt {attempt_id} was already recorded with different content "
                f"(score {existing.raw_score:g}); it is not overwritten"
            )
    earlier = attempts_of(uow, learner, stored)
    try:
        decision = check_attempt(
            stored.definition.attempts,
            [PriorAttempt(row.sat_at, row.passed) for row in earlier],
            conditions.sat_at,
        )
    except AssessmentError as exc:
        raise InvalidInput(f"{learner.key}, {assessment}: {exc}") from exc
    if not decision.allowed:
        day = on_day(issuer, conditions.sat_at).isoformat()
        raise Conflict(f"{learner.key} may not sit {assessment} on {day}: {decision.reason}")
    row = AssessmentAttemptRow(
        public_id=str(uuid.uuid4()),
        learner_id=learner.id,
        issuer_id=issuer.id,
        assessment_version_id=stored.version.id,
        external_attempt_id=attempt_id,
        source=source,
        sat_at=conditions.sat_at,
        sat_offset=offset_minutes(conditions.sat_at),
        raw_score=raw,
        max_score=maximum,
        percent=percent,
        passed=passed,
        responses=responses,
        scored_by_user_id=actor.user_id if isinstance(result, RubricScores) else None,
        proctoring=conditions.proctoring.value,
        proctored_by=conditions.proctored_by,
        identity_method=conditions.identity_method,
        identity_verified_by=conditions.identity_verified_by,
        identity_verified_at=conditions.identity_verified_at
        or (conditions.sat_at if conditions.identity_method else None),
    )
    return record_then_settle(
        uow,
        keys,
        row,
        learner=learner,
        issuer=issuer,
        at=conditions.sat_at,
        unissued=unissued_dependants(uow, issuer, assessment=assessment) if passed else None,
        passed=passed,
        percent=percent,
    )
