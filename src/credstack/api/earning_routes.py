"""Earning routes over HTTP: results, enrolments, attestations, courses and quality review.

Every write needs a token; the acting user's role at the issuer is checked by the service (the
same check the CLI makes), so a reviewer's rubric score or a mentor's attestation names them.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Body, Query

from credstack.api.earning_schemas import (
    AttestationIn,
    CourseCompletionIn,
    EnrolmentIn,
    EnrolmentOut,
    ImportOut,
    QualityReportOut,
    RecordedOut,
    ResultIn,
    ReviewIn,
    ReviewPolicyIn,
    ReviewStepOut,
)
from credstack.errors import InvalidInput
from credstack.http.deps import ActorDep, RuntimeDep
from credstack.service import clock
from credstack.service.earning import (
    AttemptConditions,
    ItemResponses,
    Recorded,
    ResultInput,
    RubricScores,
    TotalScore,
    recording,
    reviewing,
)

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/issuers/{issuer}", tags=["earning routes"])


def _out(recorded: Recorded) -> RecordedOut:
    return RecordedOut.model_validate(recorded.as_dict())


def _result(body: ResultIn) -> ResultInput:
    given = [x for x in (body.score, body.answers, body.rubric) if x is not None]
    if len(given) != 1:
        raise InvalidInput("give exactly one of score, answers or rubric")
    if body.score is not None:
        return TotalScore(body.score)
    if body.answers is not None:
        return ItemResponses(body.answers)
    assert body.rubric is not None
    return RubricScores(body.rubric)


@router.post("/results", status_code=201)
def post_result(issuer: str, body: ResultIn, runtime: RuntimeDep, actor: ActorDep) -> RecordedOut:
    """Record one attempt (assessor, admin or registrar; a rubric: reviewer or assessor)."""
    s = body.conditions
    recorded = recording.record_result(
        runtime,
        actor,
        issuer=issuer,
        learner=body.learner,
        assessment=body.assessment,
        result=_result(body),
        conditions=AttemptConditions(
            sat_at=s.sat_at or clock.now(),
            proctoring=s.proctoring,
            proctored_by=s.proctored_by,
            identity_method=s.identity_method,
            identity_verified_by=s.identity_verified_by,
            identity_verified_at=s.identity_verified_at,
        ),
        attempt_id=body.attempt_id,
    )
    return _out(recorded)


@router.post("/results/import")
def post_results_import(
    issuer: str,
    runtime: RuntimeDep,
    actor: ActorDep,
    text: Annotated[str, Body(media_type="text/csv")],
    partial: Annotated[bool, Query(description="Keep the good rows when some are bad.")] = False,
    add_learners: Annotated[bool, Query(description="Create unknown learners.")] = False,
) -> ImportOut:
    """Import a CSV export; a rejected file answers 422 with one problem per row."""
    report = recording.import_results(
        runtime, actor, issuer=issuer, text=text, partial=partial, add_learners=add_learners
    )
    return ImportOut.model_validate(report.as_dict())


@router.post("/enrolments", status_code=201)
def post_enrolment(
    issuer: str, body: EnrolmentIn, runtime: RuntimeDep, actor: ActorDep
) -> EnrolmentOut:
    """Enrol a learner in a program (registrar or admin)."""
    (enrolment,) = recording.enrol(
        runtime,
        actor,
        issuer=issuer,
        learners=[body.learner],
        program=body.program,
        enrolled_on=body.enrolled_on,
    )
    return EnrolmentOut.model_validate(enrolment, from_attributes=True)


@router.post("/attestations", status_code=201)
def post_attestation(
    issuer: str, body: AttestationIn, runtime: RuntimeDep, actor: ActorDep
) -> RecordedOut:
    """The calling mentor attests a learner's skill (mentor of the program only)."""
    recorded = recording.attest(
        runtime,
        actor,
        issuer=issuer,
        learner=body.learner,
        program=body.program,
        achievement=body.achievement,
        statement=body.statement,
        attested_on=body.attested_on,
    )
    return _out(recorded)


@router.post("/course-completions", status_code=201)
def post_course_completion(
    issuer: str, body: CourseCompletionIn, runtime: RuntimeDep, actor: ActorDep
) -> RecordedOut:
    """Record a course completion (registrar or admin)."""
    recorded = recording.record_course_completion(
        runtime,
        actor,
        issuer=issuer,
        learner=body.learner,
        provider=body.provider,
        course=body.course,
        hours=body.hours,
        completed_on=body.completed_on,
        grade=body.grade,
        credits=body.credits,
        external_id=body.external_id,
    )
    return _out(recorded)


@router.post("/achievements/{achievement}/review/{action}")
def post_review_step(
    issuer: str,
    achievement: str,
    action: str,
    runtime: RuntimeDep,
    actor: ActorDep,
    body: ReviewIn | None = None,
) -> ReviewStepOut:
    """submit, approve, send-back (with a comment), publish, retire, or comment."""
    step = reviewing.take_review_step(
        runtime,
        actor,
        issuer=issuer,
        achievement=achievement,
        action=action,
        comment=body.comment if body else None,
        version=body.version if body else None,
    )
    return ReviewStepOut(**asdict(step))


@router.get("/achievements/{achievement}/review")
def get_review_history(
    issuer: str, achievement: str, runtime: RuntimeDep, actor: ActorDep
) -> list[ReviewStepOut]:
    """Every review step with its comment (reviewer or admin)."""
    steps = reviewing.review_history(runtime, actor, issuer=issuer, achievement=achievement)
    return [ReviewStepOut(**asdict(step)) for step in steps]


@router.get("/achievements/{achievement}/quality")
def get_quality_report(
    issuer: str,
    achievement: str,
    runtime: RuntimeDep,
    actor: ActorDep,
    version: int | None = None,
) -> QualityReportOut:
    """The quality report of a version (reviewer or admin)."""
    report = reviewing.quality_report(
        runtime, actor, issuer=issuer, achievement=achievement, version=version
    )
    return QualityReportOut.model_validate(report.as_dict())


@router.put("/review-policy")
def put_review_policy(
    issuer: str, body: ReviewPolicyIn, runtime: RuntimeDep, actor: ActorDep
) -> ReviewPolicyIn:
    """Whether new versions start as drafts that must pass review (admin)."""
    policy = reviewing.set_review_policy(runtime, actor, issuer=issuer, required=body.required)
    return ReviewPolicyIn(required=policy.required)
