"""Recording that a learner holds an achievement: the one place an award row is made."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.exc import IntegrityError

from credstack.domain.calendar import offset_minutes
from credstack.domain.catalog import Achievement
from credstack.domain.parsing import MAX_AMOUNT
from credstack.domain.quantities import AmountError, parse_amount
from credstack.domain.records import AwardStatus
from credstack.errors import Conflict, InvalidInput, NotFound
from credstack.service import audit_trail
from credstack.service.achievements import achievement_of
from credstack.service.ce import open_first_cycle
from credstack.service.clock import issuer_zone, on_day, start_of_day
from credstack.service.evidence import EvidenceRef
from credstack.service.issuance import issue
from credstack.service.keys import IssuerKeys
from credstack.service.lifecycle import validity_ended
from credstack.service.mail import outbox as mail_outbox
from credstack.service.mail.kinds import AWARDED
from credstack.service.webhooks import events as webhook_events
from credstack.store.models import AwardEventRow, AwardRow, IssuerRow, LearnerRow
from credstack.store.uow import UnitOfWork

__all__ = ["AlreadyHeld", "award_time", "grant_award", "holds", "valid_until_of"]


class AlreadyHeld(Conflict):
    """The learner already holds this achievement; names the award so a client can use it."""

    def __init__(self, learner_key: str, achievement_key: str, award_id: str | None) -> None:
        super().__init__(f"{learner_key} already holds {achievement_key}")
        self.award_id = award_id
        self.problems = [f"existing award: {award_id}"] if award_id else []


def _active_of_version(uow: UnitOfWork, learner: LearnerRow, version_id: int) -> AwardRow | None:
    for held in uow.awards.for_learner(learner.id):
        if held.achievement_version_id == version_id and held.status == "active":
            return held
    return None


def _retire_lapsed(uow: UnitOfWork, award: AwardRow) -> None:
    """An award past its validity is still marked active until something notices (the nightly
    re-evaluation, or a new award of the same version here), so the one-active-award rule
    holds; it lapses by the one rule, `lifecycle.validity_ended`."""
    validity_ended(uow, award)


def holds(uow: UnitOfWork, learner: LearnerRow, achievement_id: int, on: date) -> AwardRow | None:
    """The learner's award of this achievement that is active and unexpired on `on`, if any."""
    for held in uow.awards.for_learner(learner.id):
        version = uow.achievements.version_by_id(held.achievement_version_id)
        if (
            version is not None
            and version.achievement_id == achievement_id
            and held.status == AwardStatus.ACTIVE
            and (held.valid_until is None or held.valid_until >= on)
        ):
            return held
    return None


def award_time(
    issuer: IssuerRow, awarded_on: date | None, awarded_at: datetime | None
) -> tuple[date, datetime]:
    """The award's day and instant from either: a day alone is its first instant in the
    issuer's zone, and the day is always the issuer's calendar day of the instant."""
    if awarded_at is None:
        if awarded_on is None:
            raise ValueError("an award needs its day or its instant")
        awarded_at = start_of_day(issuer, awarded_on).astimezone(issuer_zone(issuer))
    elif awarded_at.tzinfo is None:
        raise ValueError("an award instant needs a UTC offset")
    return on_day(issuer, awarded_at), awarded_at


def valid_until_of(achievement: Achievement, awarded_on: date) -> date | None:
    """The last day an award of `achievement` made on `awarded_on` is valid (None: for good)."""
    validity = achievement.validity
    return validity.after(awarded_on) - timedelta(days=1) if validity is not None else None


def grant_award(
    uow: UnitOfWork,
    *,
    issuer: IssuerRow,
    learner: LearnerRow,
    achievement_key: str,
    awarded_on: date | None = None,
    awarded_at: datetime | None = None,
    evidence: list[dict[str, Any]] | None = None,
    counted: list[str] | None = None,
    evidence_refs: Sequence[EvidenceRef] | None = None,
    origin: str = "manual",
    grade: str | None = None,
    score: Decimal | int | float | str | None = None,
    keys: IssuerKeys,
    base_url: str | None = None,
    status_index: tuple[int, int] | None = None,
) -> AwardRow:
    """Award the current, published version; never twice while an award is current.

    The award is an instant (`awarded_at`, e.g. the attempt that earned it) or, given only a
    day, that day's first instant in the issuer's zone; its day is always the issuer's calendar
    day of that instant (domain.calendar.day_of). `evidence_refs` are the rows behind
    `counted` when the caller holds them (the engine does): the credential is built from them
    rather than from the ids read back. Validity runs from the award day:
    `valid_until` is the last day the award is valid (P3Y from 2024-01-15 gives 2027-01-14,
    and the credential's validUntil is that day's last second in the issuer's zone).
    `status_index` is a (revocation list id, index) the caller took for this award from
    `status.allocate_many` in this transaction (several awards' indexes taken at once);
    without it the award takes the next one itself. A caller whose grant fails returns it
    with `status.free`.
    """
    try:
        exact_score = (
            None
            if score is None
            else parse_amount(score, places=2, maximum=MAX_AMOUNT, what="score")
        )
    except AmountError as exc:
        raise InvalidInput(str(exc)) from None
    awarded_on, awarded_at = award_time(issuer, awarded_on, awarded_at)
    achievement = uow.achievements.by_key(issuer.id, achievement_key)
    if achievement is None:
        raise NotFound(f"issuer {issuer.key} has no achievement {achievement_key!r}")
    version = uow.achievements.issuable(achievement)
    if version is None:
        current = uow.achievements.current(achievement)
        raise Conflict(
            f"{achievement_key} has no published version (v{current.version} is "
            f"{current.status}): nothing is issued until a version is published"
        )
    held = holds(uow, learner, achievement.id, awarded_on)
    if held is not None:
        raise AlreadyHeld(learner.key, achievement_key, held.public_id)
    existing = _active_of_version(uow, learner, version.id)
    if existing is not None:
        # Read again: under READ COMMITTED a grant may have committed since `holds` looked.
        if existing.valid_until is None or existing.valid_until >= awarded_on:
            raise AlreadyHeld(learner.key, achievement_key, existing.public_id)
        _retire_lapsed(uow, existing)
    valid_until = valid_until_of(achievement_of(uow, version), awarded_on)
    award = AwardRow(
        public_id=str(uuid.uuid4()),
        learner_id=learner.id,
        issuer_id=issuer.id,
        achievement_version_id=version.id,
        awarded_on=awarded_on,
        awarded_at=awarded_at,
        awarded_offset=offset_minutes(awarded_at),
        valid_until=valid_until,
        status=AwardStatus.ACTIVE,
        grade=grade,
        score=None if exact_score is None else float(exact_score),
        evidence=evidence or [],
        counted=counted or [],
        origin=origin,
    )
    if status_index is not None:
        award.status_list_id, award.status_list_index = status_index
    savepoint = uow.session.begin_nested()
    try:
        uow.awards.add(award)
    except IntegrityError as exc:
        # Another transaction granted it between our check and our insert (PostgreSQL; on
        # SQLite writers are serialised and the check above already saw it).
        savepoint.rollback()
        uow.session.expire_all()
        raced = _active_of_version(uow, learner, version.id)
        if raced is None:
            raise
        raise AlreadyHeld(learner.key, achievement_key, raced.public_id) from exc
    savepoint.commit()
    uow.awards.add(AwardEventRow(award_id=award.id, kind="issued", reason=origin))
    audit_trail.record(
        uow,
        action="award.issued",
        subject=f"award:{award.public_id}",
        details={
            "issuer": issuer.key,
            "learner": learner.public_id,
            "achievement": achievement_key,
            "version": version.version,
            "origin": origin,
        },
    )
    open_first_cycle(uow, award, version)
    mail_outbox.queue_for_award(uow, AWARDED, award)
    webhook_events.award_events(uow, webhook_events.ISSUED, award)
    # Signed in the same transaction: an award never exists without its credential.
    issue(uow, keys, base_url or keys.base_url, award, evidence=evidence_refs)
    return award
