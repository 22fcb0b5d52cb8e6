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
from credstack.errors import Forbidden, InvalidInput
from credstack.http.deps import CallerDep, RuntimeDep, UowDep
from credstack.service import clock
from credstack.service.earning import (
    ItemResponses,
    Recorded,
    ResultInput,
    RubricScores,
    Sitting,
    TotalScore,
    attest,
    enrol,
    history,
    import_results,
    quality_report,
    record_course_completion,
    record_result,
    review,
    set_review_required,
)
from credstack.service.earning.actors import user_of
from credstack.service.lookup import find_learner
from credstack.service.people import Principal, require_issuer, require_role
from credstack.store.models import UserRow
from credstack.store.uow import UnitOfWork

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/issuers/{issuer}", tags=["earning routes"])


def _acting(uow: UnitOfWork, caller: Principal | None) -> UserRow:
    if caller is None:
        raise Forbidden("this needs an API token (Authorization: Bearer ...)")
    return user_of(uow, caller)


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
def post_result(
    issuer: str, body: ResultIn, uow: UowDep, runtime: RuntimeDep, caller: CallerDep
) -> RecordedOut:
    """Record one sitting (assessor, admin or registrar; a rubric: reviewer or assessor)."""
    user = _acting(uow, caller)
    issuer_row = require_issuer(uow, issuer)
    s = body.sitting
    recorded = record_result(
        uow,
        runtime.keys(uow),
        issuer=issuer_row,
        learner=find_learner(uow, body.learner),
        assessment=body.assessment,
        result=_result(body),
        sitting=Sitting(
            sat_at=s.sat_at or clock.now(),
            proctoring=s.proctoring,
            proctored_by=s.proctored_by,
            identity_method=s.identity_method,
            identity_verified_by=s.identity_verified_by,
            identity_verified_at=s.identity_verified_at,
        ),
        recorded_by=user,
        attempt_id=body.attempt_id,
    )
    uow.commit()
    return _out(recorded)


@router.post("/results/import")
def post_results_import(
    issuer: str,
    uow: UowDep,
    runtime: RuntimeDep,
    caller: CallerDep,
    text: Annotated[str, Body(media_type="text/csv")],
    partial: Annotated[bool, Query(description="Keep the good rows when some are bad.")] = False,
    add_learners: Annotated[bool, Query(description="Create unknown learners.")] = False,
) -> ImportOut:
    """Import a CSV export; a rejected file answers 422 with one problem per row."""
    user = _acting(uow, caller)
    report = import_results(
        uow,
        runtime.keys(uow),
        issuer=require_issuer(uow, issuer),
        text=text,
        partial=partial,
        add_learners=add_learners,
        recorded_by=user,
        checkpoint=uow.checkpoint,
    )
    uow.commit()
    return ImportOut.model_validate(report.as_dict())


@router.post("/enrolments", status_code=201)
def post_enrolment(issuer: str, body: EnrolmentIn, uow: UowDep, caller: CallerDep) -> EnrolmentOut:
    """Enrol a learner in a program (registrar or admin)."""
    user = _acting(uow, caller)
    where = require_issuer(uow, issuer)
    row = enrol(
        uow,
        issuer=where,
        learner=find_learner(uow, body.learner),
        program=body.program,
        enrolled_on=body.enrolled_on or clock.today(where),
        by=user,
    )
    uow.commit()
    return EnrolmentOut(learner=body.learner, program=row.program, enrolled_on=row.enrolled_on)


@router.post("/attestations", status_code=201)
def post_attestation(
    issuer: str, body: AttestationIn, uow: UowDep, runtime: RuntimeDep, caller: CallerDep
) -> RecordedOut:
    """The calling mentor attests a learner's skill (mentor of the program only)."""
    user = _acting(uow, caller)
    where = require_issuer(uow, issuer)
    recorded = attest(
        uow,
        runtime.keys(uow),
        issuer=where,
        learner=find_learner(uow, body.learner),
        attester=user,
        program=body.program,
        statement=body.statement,
        subject=body.achievement,
        attested_on=body.attested_on or clock.today(where),
    )
    uow.commit()
    return _out(recorded)


@router.post("/course-completions", status_code=201)
def post_course_completion(
    issuer: str, body: CourseCompletionIn, uow: UowDep, runtime: RuntimeDep, caller: CallerDep
) -> RecordedOut:
    """Record a course completion (registrar or admin)."""
    user = _acting(uow, caller)
    recorded = record_course_completion(
        uow,
        runtime.keys(uow),
        issuer=require_issuer(uow, issuer),
        learner=find_learner(uow, body.learner),
        provider=body.provider,
        course=body.course,
        hours=body.hours,
        completed_on=body.completed_on,
        grade=body.grade,
        credits=body.credits,
        external_id=body.external_id,
        recorded_by=user,
    )
    uow.commit()
    return _out(recorded)


@router.post("/achievements/{achievement}/review/{action}")
def post_review_step(
    issuer: str,
    achievement: str,
    action: str,
    uow: UowDep,
    runtime: RuntimeDep,
    caller: CallerDep,
    body: ReviewIn | None = None,
) -> ReviewStepOut:
    """submit, approve, send-back (with a comment), publish, retire, or comment."""
    user = _acting(uow, caller)
    step = review(
        uow,
        issuer=require_issuer(uow, issuer),
        achievement_key=achievement,
        action=action,
        by=user,
        comment=body.comment if body else None,
        version=body.version if body else None,
        keys=runtime.keys(uow),
    )
    uow.commit()
    return ReviewStepOut(**asdict(step))


@router.get("/achievements/{achievement}/review")
def get_review_history(
    issuer: str, achievement: str, uow: UowDep, caller: CallerDep
) -> list[ReviewStepOut]:
    """Every review step with its comment (reviewer or admin)."""
    require_role(caller, issuer, "reviewer", "admin")
    steps = history(uow, issuer=require_issuer(uow, issuer), achievement_key=achievement)
    return [ReviewStepOut(**asdict(step)) for step in steps]


@router.get("/achievements/{achievement}/quality")
def get_quality_report(
    issuer: str,
    achievement: str,
    uow: UowDep,
    caller: CallerDep,
    version: int | None = None,
) -> QualityReportOut:
    """The quality report of a version (reviewer or admin)."""
    require_role(caller, issuer, "reviewer", "admin")
    report = quality_report(
        uow, issuer=require_issuer(uow, issuer), achievement_key=achievement, version=version
    )
    return QualityReportOut.model_validate(report.as_dict())


@router.put("/review-policy")
def put_review_policy(
    issuer: str, body: ReviewPolicyIn, uow: UowDep, caller: CallerDep
) -> ReviewPolicyIn:
    """Whether new versions start as drafts that must pass review (admin)."""
    user = _acting(uow, caller)
    set_review_required(uow, require_issuer(uow, issuer), required=body.required, by=user)
    uow.commit()
    return body
