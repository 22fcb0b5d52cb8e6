"""Progress, degree audits, CE reports and award decisions over HTTP.

The JSON is the CLI's `--json` output (both come from `service.explain`). Reading a learner's
standing needs a token with a role at the issuer; decisions need the admin role.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Header
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from credstack.domain.calendar import as_given
from credstack.domain.quantities import json_number
from credstack.errors import Forbidden, InvalidInput
from credstack.http.deps import CallerDep, RuntimeDep, UowDep
from credstack.service import ce, clock, engine, lifecycle
from credstack.service.achievements import achievement_of
from credstack.service.awards import grant_award
from credstack.service.clock import check_day, check_instant
from credstack.service.explain import audit_json, compliance_json, outcome_json
from credstack.service.idempotency import MAX_KEY, recall, remember, request_hash
from credstack.service.lookup import find_achievement, find_award, find_learner
from credstack.service.people import ROLES, require_issuer, require_role
from credstack.service.visibility import visible_learner

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["stacking"])


class GrantIn(BaseModel):
    learner: str
    achievement: str
    awarded_on: date | None = Field(
        None, description="The award's day in the issuer's zone; not after today."
    )
    awarded_at: datetime | None = Field(
        None, description="Or its instant, with a UTC offset; not in the future. Default now."
    )
    grade: str | None = None
    score: Decimal | str | None = None


class RevokeIn(BaseModel):
    reason: str


class DecisionIn(BaseModel):
    decision: str
    reason: str


def _standing(
    uow: UowDep,
    caller: CallerDep,
    learner: str,
    issuer: str,
    achievement: str,
    as_of: date | None,
) -> dict[str, Any]:
    """What every standing query takes, once the caller's role at the issuer is checked."""
    require_role(caller, issuer, *ROLES)
    where, key = find_achievement(uow, achievement, issuer)
    # A bad date is refused before the learner is looked up: a 422 says nothing about them.
    on = clock.as_of(as_of, where)
    return {
        "learner": visible_learner(uow, caller, learner),
        "issuer": where,
        "achievement_key": key,
        "as_of": on,
    }


@router.get("/learners/{learner}/progress/{issuer}/{achievement}")
def get_progress(
    learner: str,
    issuer: str,
    achievement: str,
    uow: UowDep,
    caller: CallerDep,
    as_of: date | None = None,
) -> dict[str, Any]:
    standing = _standing(uow, caller, learner, issuer, achievement, as_of)
    outcome = engine.progress(uow, **standing)
    on, key = standing["as_of"], standing["achievement_key"]
    return {
        "learner": learner,
        "issuer": issuer,
        "achievement": key,
        "as_of": on.isoformat(),
        "outcome": outcome_json(outcome),
    }


@router.get("/learners/{learner}/audit/{issuer}/{achievement}")
def get_audit(
    learner: str,
    issuer: str,
    achievement: str,
    uow: UowDep,
    caller: CallerDep,
    as_of: date | None = None,
) -> dict[str, Any]:
    _outcome, result = engine.audit(
        uow, **_standing(uow, caller, learner, issuer, achievement, as_of)
    )
    return audit_json(result)


@router.get("/learners/{learner}/ce/{issuer}/{achievement}")
def get_ce_report(
    learner: str,
    issuer: str,
    achievement: str,
    uow: UowDep,
    caller: CallerDep,
    as_of: date | None = None,
) -> dict[str, Any]:
    report = ce.report_for(uow, **_standing(uow, caller, learner, issuer, achievement, as_of))
    return compliance_json(report)


@router.get("/issuers/{issuer}/ce/reminders")
def get_reminders(
    issuer: str, uow: UowDep, caller: CallerDep, days: int = 180, as_of: date | None = None
) -> list[dict[str, Any]]:
    require_role(caller, issuer, "admin", "registrar")
    due = ce.reminders(uow, as_of=clock.as_of(as_of, require_issuer(uow, issuer)), days=days)
    return [
        {
            "learner": r.learner.key,
            "achievement": r.achievement_key,
            "hours_needed": json_number(r.report.hours_needed),
            "days_left": r.report.days_left,
            "cycle_end": r.report.cycle.end.isoformat(),
        }
        for r in due
        if r.issuer.key == issuer
    ]


def _issuer_of(uow: UowDep, award_id: str) -> tuple[Any, str]:
    award = find_award(uow, award_id)
    issuer = next(i for i in uow.issuers.all() if i.id == award.issuer_id)
    return award, issuer.key


@router.post("/awards/{award_id}/revoke")
def post_revoke(award_id: str, body: RevokeIn, uow: UowDep, caller: CallerDep) -> dict[str, Any]:
    award, issuer = _issuer_of(uow, award_id)
    principal = require_role(caller, issuer, "admin")
    flagged = lifecycle.revoke_award(uow, award, reason=body.reason, by_user_id=principal.user_id)
    uow.commit()
    return {"revoked": award_id, "flagged": [f.public_id for f in flagged]}


@router.post("/awards/{award_id}/decision")
def post_decision(
    award_id: str, body: DecisionIn, uow: UowDep, caller: CallerDep
) -> dict[str, Any]:
    award, issuer = _issuer_of(uow, award_id)
    principal = require_role(caller, issuer, "admin")
    lifecycle.decide_flag(
        uow, award, decision=body.decision, reason=body.reason, by_user_id=principal.user_id
    )
    uow.commit()
    return {"award": award_id, "decision": body.decision, "status": award.status}


def award_json(uow: UowDep, award: Any) -> dict[str, Any]:
    version = uow.achievements.version_by_id(award.achievement_version_id)
    issuer = next(i for i in uow.issuers.all() if i.id == award.issuer_id)
    assert version is not None
    achievement = achievement_of(version)
    return {
        "id": award.public_id,
        "issuer": issuer.key,
        "achievement": achievement.key,
        "name": version.name,
        "type": version.type,
        "version": version.version,
        "awarded_on": award.awarded_on.isoformat(),
        "awarded_at": as_given(award.awarded_at, award.awarded_offset).isoformat()
        if award.awarded_at
        else None,
        "valid_until": award.valid_until.isoformat() if award.valid_until else None,
        "status": award.status,
        "status_reason": award.status_reason,
        "review_flag": award.review_flag,
        "origin": award.origin,
        "grade": award.grade,
        "designation": achievement.designation,
        "counted": list(award.counted),
        "evidence": list(award.evidence),
        "history": [
            {"event": e.kind, "reason": e.reason, "at": e.at.isoformat()}
            for e in uow.records.events(award.id)
        ],
    }


@router.get("/learners/{learner}/awards")
def get_awards(learner: str, uow: UowDep, caller: CallerDep) -> list[dict[str, Any]]:
    """A learner's awards from every issuer where the caller has a role."""
    if caller is None:
        raise Forbidden("this needs an API token (Authorization: Bearer ...)")
    who = visible_learner(uow, caller, learner)
    visible = {i for i, _role, _scope in caller.roles}
    out = []
    for award in uow.awards.for_learner(who.id):
        data = award_json(uow, award)
        if data["issuer"] in visible:
            out.append(data)
    return out


@router.post("/issuers/{issuer}/awards", status_code=201, response_model=None)
def post_award(
    issuer: str,
    body: GrantIn,
    uow: UowDep,
    caller: CallerDep,
    runtime: RuntimeDep,
    idempotency_key: Annotated[str | None, Header(max_length=MAX_KEY)] = None,
) -> dict[str, Any] | JSONResponse:
    """Record an award made outside the engine (a course grade, a transfer); it may cascade.

    A learner who already holds the achievement gets 409 naming the award (`award`); send an
    `Idempotency-Key` to make a retry safe: the same key and body get the first answer again.
    """
    principal = require_role(caller, issuer, "admin", "registrar")
    digest = request_hash("POST", f"/issuers/{issuer}/awards", body.model_dump(mode="json"))
    if idempotency_key is not None:
        replay = recall(uow, user_id=principal.user_id, key=idempotency_key, digest=digest)
        if replay is not None:
            return JSONResponse(replay.response, status_code=replay.status_code)
    where, key = find_achievement(uow, body.achievement, issuer)
    who = find_learner(uow, body.learner)
    keys = runtime.keys(uow)
    if body.awarded_on is not None and body.awarded_at is not None:
        raise InvalidInput("give awarded_on or awarded_at, not both")
    if body.awarded_on is not None:
        check_day(body.awarded_on, "awarded_on", where)
    awarded_at = (
        None
        if body.awarded_on is not None
        else check_instant(body.awarded_at or clock.now(), "awarded_at")
    )
    award = grant_award(
        uow,
        issuer=where,
        learner=who,
        achievement_key=key,
        awarded_on=body.awarded_on,
        awarded_at=awarded_at,
        grade=body.grade,
        score=body.score,
        keys=keys,
    )
    settled = engine.settle(
        uow,
        keys,
        learner=who,
        issuer=where,
        trigger=f"award:{award.public_id}",
        at=award.awarded_at,
    )
    answer = {
        "award": award_json(uow, award),
        "cascade": [award_json(uow, a) for a in settled.awarded],
    }
    if idempotency_key is not None:
        remember(
            uow,
            user_id=principal.user_id,
            key=idempotency_key,
            digest=digest,
            status_code=201,
            response=jsonable_encoder(answer),
        )
    uow.commit()
    return answer


@router.post("/issuers/{issuer}/ce/close")
def post_ce_close(
    issuer: str, uow: UowDep, caller: CallerDep, as_of: date | None = None
) -> list[dict[str, Any]]:
    """Close the issuer's cycles that ended before the date: renew or lapse each."""
    require_role(caller, issuer, "admin")
    where = require_issuer(uow, issuer)
    closures = ce.close_due_cycles(uow, on=clock.as_of(as_of, where), issuer=where)
    out = [
        {
            "award": c.award.public_id,
            "renewed": c.renewed,
            "cycle": {"start": c.cycle.starts_on.isoformat(), "end": c.cycle.ends_on.isoformat()},
            "hours": json_number(c.report.hours),
        }
        for c in closures
    ]
    uow.commit()
    return out
