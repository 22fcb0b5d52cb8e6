"""A learner's awards as staff read them, and an award an issuer records by hand.

`record_award` is for awards made outside the engine (a course grade, a transfer): it may
cascade into what the award completes, all in one transaction. A retry carrying the same
idempotency key and request gets the first answer again (`service.idempotency`), so the
answer is kept as the JSON of its `AwardView`s, the same JSON a first answer is sent as.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from credstack.domain.calendar import as_given
from credstack.errors import Forbidden, InvalidInput
from credstack.service import clock, engine
from credstack.service.achievements import achievement_of
from credstack.service.actor import Actor, authorise
from credstack.service.awards import grant_award
from credstack.service.idempotency import Replay, recall, remember
from credstack.service.lookup import find_achievement, find_learner
from credstack.service.runtime import Runtime
from credstack.service.visibility import visible_learner
from credstack.store.models import AwardRow, IssuerRow
from credstack.store.uow import UnitOfWork

__all__ = [
    "AwardHistoryEntry",
    "AwardRequest",
    "AwardView",
    "Recorded",
    "award_view",
    "learner_awards",
    "record_award",
    "recorded_json",
]


@dataclass(frozen=True)
class AwardHistoryEntry:
    event: str
    reason: str | None
    at: str


@dataclass(frozen=True)
class AwardView:
    """An award as staff read it; days and instants as ISO text (an instant keeps the offset
    it was given in), so `dataclasses.asdict` of it is the JSON the API sends."""

    id: str
    issuer: str
    achievement: str
    name: str
    type: str
    version: int
    awarded_on: str
    awarded_at: str | None
    valid_until: str | None
    status: str
    status_reason: str | None
    review_flag: str | None
    origin: str
    grade: str | None
    designation: str | None
    counted: list[str]
    evidence: list[Any]
    history: list[AwardHistoryEntry]


def award_view(uow: UnitOfWork, award: AwardRow) -> AwardView:
    version = uow.achievements.version_by_id(award.achievement_version_id)
    _learner, issuer = uow.awards.parties(award)
    assert version is not None
    achievement = achievement_of(uow, version)
    return AwardView(
        id=award.public_id,
        issuer=issuer.key,
        achievement=achievement.key,
        name=version.name,
        type=version.type,
        version=version.version,
        awarded_on=award.awarded_on.isoformat(),
        awarded_at=as_given(award.awarded_at, award.awarded_offset).isoformat()
        if award.awarded_at
        else None,
        valid_until=award.valid_until.isoformat() if award.valid_until else None,
        status=award.status,
        status_reason=award.status_reason,
        review_flag=award.review_flag,
        origin=award.origin,
        grade=award.grade,
        designation=achievement.designation,
        counted=list(award.counted),
        evidence=list(award.evidence),
        history=[
            AwardHistoryEntry(e.kind, e.reason, e.at.isoformat())
            for e in uow.records.events(award.id)
        ],
    )


def learner_awards(runtime: Runtime, actor: Actor, *, learner: str) -> list[AwardView]:
    """A learner's awards from every issuer where the actor has a role."""
    if actor.user_id is None and not actor.is_operator:
        raise Forbidden("this needs an API token (Authorization: Bearer ...)")
    with runtime.uow(write=False) as uow:
        who = visible_learner(uow, actor, learner)
        views = [award_view(uow, award) for award in uow.awards.for_learner(who.id)]
        return [v for v in views if actor.is_operator or v.issuer in actor.issuers()]


@dataclass(frozen=True)
class AwardRequest:
    issuer: str
    learner: str
    achievement: str
    awarded_on: date | None = None
    awarded_at: datetime | None = None
    grade: str | None = None
    score: Decimal | str | None = None


@dataclass(frozen=True)
class Recorded:
    """The award and what it completed; or, for a retry, the first answer's JSON."""

    award: AwardView | None
    cascade: tuple[AwardView, ...] = ()
    replay: Replay | None = None


def recorded_json(award: AwardView, cascade: tuple[AwardView, ...]) -> dict[str, Any]:
    """The answer as JSON, as it is sent and kept for a retry."""
    return {"award": asdict(award), "cascade": [asdict(a) for a in cascade]}


def _awarded_at(asked: AwardRequest, where: IssuerRow) -> datetime | None:
    """The award's instant, or None when only its day is given (checked: not after today)."""
    if asked.awarded_on is not None and asked.awarded_at is not None:
        raise InvalidInput("give awarded_on or awarded_at, not both")
    if asked.awarded_on is not None:
        clock.check_day(asked.awarded_on, "awarded_on", where)
        return None
    return clock.check_instant(asked.awarded_at or clock.now(), "awarded_at")


def record_award(
    runtime: Runtime,
    actor: Actor,
    asked: AwardRequest,
    *,
    idempotency_key: str | None = None,
    digest: str = "",
) -> Recorded:
    """Grant the award and settle what it completes; `digest` identifies the request for an
    idempotent retry under `idempotency_key`."""
    authorise(actor, asked.issuer, "admin", "registrar")
    user_id = actor.user_id
    remembered = None if user_id is None else idempotency_key
    with runtime.uow() as uow:
        if remembered is not None and user_id is not None:
            replay = recall(uow, user_id=user_id, key=remembered, digest=digest)
            if replay is not None:
                return Recorded(None, replay=replay)
        where, key = find_achievement(uow, asked.achievement, asked.issuer)
        who = find_learner(uow, asked.learner)
        keys = runtime.keys(uow)
        award = grant_award(
            uow,
            issuer=where,
            learner=who,
            achievement_key=key,
            awarded_on=asked.awarded_on,
            awarded_at=_awarded_at(asked, where),
            grade=asked.grade,
            score=asked.score,
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
        view = award_view(uow, award)
        cascade = tuple(award_view(uow, a) for a in settled.awarded)
        if remembered is not None and user_id is not None:
            remember(
                uow,
                user_id=user_id,
                key=remembered,
                digest=digest,
                status_code=201,
                response=recorded_json(view, cascade),
            )
        uow.commit()
        return Recorded(view, cascade)
