"""What a registrar reads about awards: a filtered, paged list, and one award's history.

Both are read from the records that exist (awards and their events: issued, revoked,
suspended, reinstated, flagged, kept, restored, expired, renewed, shared), so what they say is
what was recorded. An award's state is one of five words a person uses: active, flagged
(active, but something it counted was revoked, suspended or lapsed, and it waits for a
decision), expired (its validity ended or its CE cycle lapsed), suspended (until an admin
reinstates it) and revoked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal, get_args

from sqlalchemy import ColumnElement, and_, func, or_, select

from credstack.errors import InvalidInput
from credstack.service import clock
from credstack.service.learners import profile
from credstack.service.lookup import find_achievement, find_award, find_learner
from credstack.service.people import require_issuer
from credstack.service.runtime import Runtime
from credstack.store.models import (
    AchievementRow,
    AchievementVersionRow,
    AwardRow,
    IssuerRow,
    LearnerRow,
    UserRow,
)
from credstack.store.uow import UnitOfWork
from credstack.vc.vocabulary import parse_datetime

__all__ = [
    "MAX_PAGE",
    "STATES",
    "AwardEvent",
    "AwardFilter",
    "AwardPage",
    "AwardSummary",
    "State",
    "award_history",
    "award_history_of",
    "find_awards",
    "list_awards",
    "valid_until",
]

State = Literal["active", "flagged", "expired", "suspended", "revoked"]
STATES: tuple[str, ...] = get_args(State)
MAX_PAGE = 500
"""A page a person can read; more is a query for the API or the analytics CSV."""

_ACTOR_OF_KIND = {
    "issued": "credstack",
    "flagged": "credstack",
    "renewed": "credstack",
    "restored": "credstack",
}
_ORIGIN_WORDS = {
    "automatic": "made by the stacking engine",
    "manual": "granted by the issuer",
    "imported": "imported from another issuer",
    "bulk": "issued by the issuer in a bulk import",
}


@dataclass(frozen=True, slots=True)
class AwardSummary:
    public_id: str
    learner_key: str
    learner_name: str
    issuer_key: str
    issuer_name: str
    achievement_key: str
    achievement_name: str
    version: int
    awarded_on: date
    valid_until: date | None
    state: State


@dataclass(frozen=True, slots=True)
class AwardPage:
    awards: list[AwardSummary]
    total: int
    """How many awards match the filter, on every page."""
    offset: int
    limit: int


@dataclass(frozen=True, slots=True)
class AwardFilter:
    issuer: IssuerRow | None = None
    learner: LearnerRow | None = None
    achievement: AchievementRow | None = None
    state: str | None = None


@dataclass(frozen=True, slots=True)
class AwardEvent:
    at: datetime
    kind: str
    """issued, revoked, suspended, reinstated, flagged, kept, restored, expired, renewed or
    shared."""
    actor: str
    """Who did it: a user's name and email, credstack itself, or `operator` (no user named)."""
    reason: str | None


def valid_until(award: AwardRow, issuer: IssuerRow) -> date | None:
    """The valid-until date people are shown: the last day of the signed credential's own
    `validUntil`, so a page or listing never disagrees with the document a verifier reads;
    the recorded last valid day while the award is still unsigned.

    The day is the issuer's calendar day of that instant (the one "which day" rule); a
    `validUntil` at midnight is an exclusive end, so its last valid day is the day before.
    """
    signed = parse_datetime((award.credential or {}).get("validUntil"))
    if signed is None:
        return award.valid_until
    return clock.on_day(issuer, signed - timedelta(seconds=1))


def _state_condition(state: str, today: date) -> ColumnElement[bool]:
    lapsed = and_(AwardRow.valid_until.is_not(None), AwardRow.valid_until < today)
    if state in ("revoked", "suspended"):
        return AwardRow.status == state
    if state == "expired":
        return or_(AwardRow.status == "expired", and_(AwardRow.status == "active", lapsed))
    current = and_(AwardRow.status == "active", ~lapsed)
    if state == "flagged":
        return and_(current, AwardRow.review_flag.is_not(None))
    return and_(current, AwardRow.review_flag.is_(None))


def _state_of(award: AwardRow, today: date) -> State:
    if award.status == "revoked":
        return "revoked"
    if award.status == "suspended":
        return "suspended"
    if award.status == "expired" or (award.valid_until is not None and award.valid_until < today):
        return "expired"
    return "flagged" if award.review_flag is not None else "active"


def list_awards(
    uow: UnitOfWork, where: AwardFilter, *, today: date, offset: int = 0, limit: int = 50
) -> AwardPage:
    """Awards matching every given filter, oldest first, one page of them."""
    if where.state is not None and where.state not in STATES:
        raise InvalidInput(f"state {where.state!r}: use one of {', '.join(STATES)}")
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"a page holds 1 to {MAX_PAGE} awards, not {limit}")
    if offset < 0:
        raise InvalidInput(f"the offset counts awards from 0, not {offset}")
    conditions: list[ColumnElement[bool]] = []
    if where.issuer is not None:
        conditions.append(AwardRow.issuer_id == where.issuer.id)
    if where.learner is not None:
        conditions.append(AwardRow.learner_id == where.learner.id)
    if where.achievement is not None:
        conditions.append(AchievementVersionRow.achievement_id == where.achievement.id)
    if where.state is not None:
        conditions.append(_state_condition(where.state, today))
    joined = (
        select(AwardRow, AchievementVersionRow, AchievementRow, LearnerRow, IssuerRow)
        .join(AchievementVersionRow, AwardRow.achievement_version_id == AchievementVersionRow.id)
        .join(AchievementRow, AchievementVersionRow.achievement_id == AchievementRow.id)
        .join(LearnerRow, AwardRow.learner_id == LearnerRow.id)
        .join(IssuerRow, AwardRow.issuer_id == IssuerRow.id)
        .where(*conditions)
    )
    total = uow.session.scalar(select(func.count()).select_from(joined.subquery())) or 0
    rows = uow.session.execute(
        joined.order_by(AwardRow.awarded_on, AwardRow.id).offset(offset).limit(limit)
    ).all()
    return AwardPage(
        awards=[
            AwardSummary(
                public_id=award.public_id,
                learner_key=learner.key,
                learner_name=profile(uow, learner).name,
                issuer_key=issuer.key,
                issuer_name=issuer.name,
                achievement_key=achievement.key,
                achievement_name=version.name,
                version=version.version,
                awarded_on=award.awarded_on,
                valid_until=valid_until(award, issuer),
                state=_state_of(award, today),
            )
            for award, version, achievement, learner, issuer in rows
        ],
        total=int(total),
        offset=offset,
        limit=limit,
    )


def award_history(uow: UnitOfWork, award: AwardRow) -> list[AwardEvent]:
    """Every recorded change of the award, oldest first, with who made it and why."""
    history: list[AwardEvent] = []
    for event in uow.records.events(award.id):
        actor = _ACTOR_OF_KIND.get(event.kind, "operator")
        if event.by_user_id is not None:
            user = uow.session.get(UserRow, event.by_user_id)
            actor = f"{user.name} <{user.email}>" if user is not None else actor
        reason = event.reason
        if event.kind == "issued":
            words = _ORIGIN_WORDS.get(reason or "", reason)
            reason = f"{words}; awarded on {award.awarded_on.isoformat()}"
        history.append(AwardEvent(at=event.at, kind=event.kind, actor=actor, reason=reason))
    return history


def find_awards(
    runtime: Runtime,
    *,
    issuer: str | None = None,
    learner: str | None = None,
    achievement: str | None = None,
    state: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> AwardPage:
    """One page of the awards matching what a registrar names: an issuer's key, a learner's
    key or public id, an achievement (`issuer:id`, or an id with the issuer), a state.
    States are judged on the issuer's calendar today (UTC without an issuer)."""
    with runtime.uow(write=False) as uow:
        owner = require_issuer(uow, issuer) if issuer is not None else None
        named = find_learner(uow, learner) if learner is not None else None
        of_achievement = None
        if achievement is not None:
            owner, key = find_achievement(uow, achievement, issuer)
            of_achievement = uow.achievements.by_key(owner.id, key)
        where = AwardFilter(
            issuer=owner,
            learner=named,
            achievement=of_achievement,
            state=state,
        )
        return list_awards(
            uow,
            where,
            today=clock.as_of(None, where.issuer),
            offset=(page - 1) * per_page,
            limit=per_page,
        )


def award_history_of(runtime: Runtime, public_id: str) -> list[AwardEvent]:
    """Every recorded change of the award `public_id` names, oldest first."""
    with runtime.uow(write=False) as uow:
        return award_history(uow, find_award(uow, public_id))
