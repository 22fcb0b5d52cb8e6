"""Progress, degree audits, CE reports and award decisions over HTTP.

The JSON is the CLI's `--json` output (both come from `service.explain`). Reading a learner's
standing needs a token with a role at the issuer; decisions need the admin role. Each endpoint
is one use case (`service.standing`, `service.renewals`, `service.lifecycle`,
`service.learner_awards`), which checks the actor and owns its transaction.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import JSONResponse

from credstack.api.standing_schemas import (
    AuditOut,
    ClosureOut,
    ComplianceOut,
    CycleOut,
    DecisionIn,
    DecisionOut,
    GrantedOut,
    GrantIn,
    ProgressOut,
    ReinstateOut,
    ReminderOut,
    RevokeIn,
    RevokeOut,
    SuspendIn,
    SuspendOut,
)
from credstack.domain.quantities import json_number
from credstack.http.deps import ActorDep, RuntimeDep
from credstack.http.paging import page_headers
from credstack.limits import PAGE_ITEMS
from credstack.service import award_decisions, renewals, standing
from credstack.service.explain import audit_json, compliance_json
from credstack.service.idempotency import MAX_KEY, request_hash
from credstack.service.learner_awards import (
    AwardRequest,
    AwardView,
    learner_awards,
    record_award,
)
from credstack.service.standing import Question, progress_json

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["stacking"])


def _question(learner: str, issuer: str, achievement: str, as_of: date | None) -> Question:
    return Question(learner, achievement, issuer=issuer, as_of=as_of)


@router.get(
    "/learners/{learner}/progress/{issuer}/{achievement}",
    response_model=ProgressOut,
    response_model_exclude_unset=True,
)
def get_progress(
    learner: str,
    issuer: str,
    achievement: str,
    runtime: RuntimeDep,
    actor: ActorDep,
    as_of: date | None = None,
) -> ProgressOut:
    found = standing.progress(runtime, actor, _question(learner, issuer, achievement, as_of))
    return ProgressOut.model_validate(progress_json(found))


@router.get("/learners/{learner}/audit/{issuer}/{achievement}")
def get_audit(
    learner: str,
    issuer: str,
    achievement: str,
    runtime: RuntimeDep,
    actor: ActorDep,
    as_of: date | None = None,
) -> AuditOut:
    found = standing.degree_audit(runtime, actor, _question(learner, issuer, achievement, as_of))
    return AuditOut.model_validate(audit_json(found.audit))


@router.get("/learners/{learner}/ce/{issuer}/{achievement}")
def get_ce_report(
    learner: str,
    issuer: str,
    achievement: str,
    runtime: RuntimeDep,
    actor: ActorDep,
    as_of: date | None = None,
) -> ComplianceOut:
    found = standing.ce_report(runtime, actor, _question(learner, issuer, achievement, as_of))
    return ComplianceOut.model_validate(compliance_json(found.report))


_REMINDER_HEADERS = {
    "X-Total-Count": {
        "description": "Open cycles of active certifications ending within `days`: what the "
        f"pages divide, {PAGE_ITEMS} to a page (a page lists those among its cycles still "
        "short of hours, so it may hold fewer).",
        "schema": {"type": "integer"},
    },
    "Link": {
        "description": 'RFC 8288 links to the `rel="next"` and `rel="prev"` pages, when there are.',
        "schema": {"type": "string"},
    },
}


@router.get(
    "/issuers/{issuer}/ce/reminders",
    responses={200: {"headers": _REMINDER_HEADERS}, 404: {"description": "Past the last page."}},
)
def get_reminders(
    issuer: str,
    request: Request,
    response: Response,
    runtime: RuntimeDep,
    actor: ActorDep,
    days: int = 180,
    as_of: date | None = None,
    page: Annotated[
        int, Query(ge=1, le=10_000, description=f"From 1; {PAGE_ITEMS} cycles to a page.")
    ] = 1,
) -> list[ReminderOut]:
    """Certificants short of hours with fewer than `days` days left, by their cycle's end."""
    found = renewals.reminder_page(runtime, actor, issuer=issuer, days=days, as_of=as_of, page=page)
    page_headers(request, response, found.pager)
    return [
        ReminderOut(
            learner=r.learner,
            achievement=r.achievement,
            hours_needed=json_number(r.hours_needed),
            days_left=r.days_left,
            cycle_end=r.cycle_end.isoformat(),
        )
        for r in found.reminders
    ]


@router.post("/awards/{award_id}/revoke")
def post_revoke(award_id: str, body: RevokeIn, runtime: RuntimeDep, actor: ActorDep) -> RevokeOut:
    done = award_decisions.revoke(runtime, actor, award_id, reason=body.reason)
    return RevokeOut(revoked=award_id, flagged=list(done.flagged))


@router.post("/awards/{award_id}/suspend")
def post_suspend(
    award_id: str, body: SuspendIn, runtime: RuntimeDep, actor: ActorDep
) -> SuspendOut:
    """Suspend an active award until it is reinstated: verifiers are told it is not valid.
    Awards built on it are flagged for the issuer's decision."""
    done = award_decisions.suspend(runtime, actor, award_id, reason=body.reason)
    return SuspendOut(suspended=award_id, flagged=list(done.flagged))


@router.post("/awards/{award_id}/reinstate")
def post_reinstate(
    award_id: str, body: SuspendIn, runtime: RuntimeDep, actor: ActorDep
) -> ReinstateOut:
    """Lift a suspended award's suspension (a revoked award stays revoked). Flags the
    suspension alone raised on awards built on it are cleared."""
    done = award_decisions.reinstate(runtime, actor, award_id, reason=body.reason)
    return ReinstateOut(reinstated=award_id, cleared=list(done.cleared))


@router.post("/awards/{award_id}/decision")
def post_decision(
    award_id: str, body: DecisionIn, runtime: RuntimeDep, actor: ActorDep
) -> DecisionOut:
    done = award_decisions.decide_flagged(
        runtime, actor, award_id, decision=body.decision, reason=body.reason
    )
    return DecisionOut(award=award_id, decision=done.decision, status=done.status)


@router.get("/learners/{learner}/awards")
def get_awards(learner: str, runtime: RuntimeDep, actor: ActorDep) -> list[AwardView]:
    """A learner's awards from every issuer where the caller has a role."""
    return learner_awards(runtime, actor, learner=learner)


@router.post("/issuers/{issuer}/awards", status_code=201, response_model=GrantedOut)
def post_award(
    issuer: str,
    body: GrantIn,
    runtime: RuntimeDep,
    actor: ActorDep,
    idempotency_key: Annotated[str | None, Header(max_length=MAX_KEY)] = None,
) -> GrantedOut | JSONResponse:
    """Record an award made outside the engine (a course grade, a transfer); it may cascade.

    A learner who already holds the achievement gets 409 naming the award (`award`); send an
    `Idempotency-Key` to make a retry safe: the same key and body get the first answer again.
    """
    asked = AwardRequest(
        issuer=issuer,
        learner=body.learner,
        achievement=body.achievement,
        awarded_on=body.awarded_on,
        awarded_at=body.awarded_at,
        grade=body.grade,
        score=body.score,
    )
    digest = request_hash("POST", f"/issuers/{issuer}/awards", body.model_dump(mode="json"))
    done = record_award(runtime, actor, asked, idempotency_key=idempotency_key, digest=digest)
    if done.replay is not None:
        return JSONResponse(done.replay.response, status_code=done.replay.status_code)
    assert done.award is not None
    return GrantedOut(award=done.award, cascade=list(done.cascade))


@router.post("/issuers/{issuer}/ce/close")
def post_ce_close(
    issuer: str, runtime: RuntimeDep, actor: ActorDep, as_of: date | None = None
) -> list[ClosureOut]:
    """Close the issuer's cycles that ended before the date: renew or lapse each."""
    closures = renewals.close_cycles(runtime, actor, issuer=issuer, as_of=as_of)
    return [
        ClosureOut(
            award=c.award,
            renewed=c.renewed,
            cycle=CycleOut(start=c.starts_on.isoformat(), end=c.ends_on.isoformat()),
            hours=json_number(c.hours),
        )
        for c in closures
    ]
