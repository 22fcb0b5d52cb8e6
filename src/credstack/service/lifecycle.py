"""After an award: revocation, suspension, the flags they raise on what was built on it, and
decisions.

A revoked, suspended or lapsed credential does not silently take down what was awarded on it:
every award that counted it (directly or through others) is flagged as no longer fully
supported, and the issuer decides, with a recorded reason, to revoke it too or to keep it
(story 02 step 3). A suspension, unlike a revocation, may be lifted: reinstating the award
clears the flags it alone raised, once nothing else is wrong with what they counted.
"""

from __future__ import annotations

import importlib
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import exists, select

from credstack.domain.dependants import counted_by, support_problems
from credstack.domain.records import Award, AwardStatus
from credstack.errors import Conflict, InvalidInput
from credstack.service import audit_trail, clock
from credstack.service.mail import outbox as mail_outbox
from credstack.service.mail.kinds import EXPIRED, REINSTATED, REVOKED, SUSPENDED
from credstack.service.records import load_records, of_learners, record_id
from credstack.service.webhooks import events as webhook_events
from credstack.store.models import AwardEventRow, AwardRow, CeCycleRow, IssuerRow, LearnerRow
from credstack.store.uow import UnitOfWork

__all__ = [
    "REASON_MAX",
    "decide_flag",
    "expire_award",
    "expire_ended",
    "flag_counting",
    "flag_dependants",
    "reinstate_award",
    "revoke_award",
    "suspend_award",
    "validity_ended",
]

REASON_MAX = 2000
"""A revocation's (or suspension's) reason is a sentence or a paragraph shown to the holder and
verifiers."""


def _at(uow: UnitOfWork, award: AwardRow, on: date | None) -> datetime:
    """When a status change dated `on` happened: that day's start in the award issuer's zone,
    so its day reads back as `on` (domain.calendar); undated changes happen now."""
    if on is None:
        return clock.now()
    _learner, issuer = uow.awards.parties(award)
    return clock.start_of_day(issuer, on)


def _mark_status(uow: UnitOfWork, award: AwardRow, purpose: str) -> None:
    """Flip the award's bit in its status list, in this transaction, when it has one."""
    try:
        status = importlib.import_module("credstack.service.status")
    except ImportError:  # pragma: no cover - status lists arrive with issuance
        return
    if purpose == "revocation":
        status.mark_revoked(uow, award)
    elif purpose == "suspension":
        status.mark_suspended(uow, award)
    elif purpose == "reinstatement":
        status.mark_reinstated(uow, award)


@dataclass(frozen=True)
class _Change:
    """One of an admin's changes of an award's status, and what it sends and records."""

    what: str
    """The change in words: a revocation, a suspension, a reinstatement."""
    to: AwardStatus
    event: str
    """The award's history event; the audit trail's action is ``award.<event>``."""
    purpose: str
    """Which status bit (`_mark_status`)."""
    mail: str
    webhook: str
    refused: str
    """The conflict when the award is not in a state this change applies to."""
    applies_to: tuple[AwardStatus, ...]


_REVOKE = _Change(
    "revocation",
    AwardStatus.REVOKED,
    "revoked",
    "revocation",
    REVOKED,
    webhook_events.REVOKED,
    "this award is already revoked",
    (AwardStatus.ACTIVE, AwardStatus.SUSPENDED, AwardStatus.EXPIRED),
)
_SUSPEND = _Change(
    "suspension",
    AwardStatus.SUSPENDED,
    "suspended",
    "suspension",
    SUSPENDED,
    webhook_events.SUSPENDED,
    "only an active award can be suspended; this one is {status}",
    (AwardStatus.ACTIVE,),
)
_REINSTATE = _Change(
    "reinstatement",
    AwardStatus.ACTIVE,
    "reinstated",
    "reinstatement",
    REINSTATED,
    webhook_events.REINSTATED,
    "only a suspended award can be reinstated; this one is {status}",
    (AwardStatus.SUSPENDED,),
)


def _change_status(
    uow: UnitOfWork,
    award: AwardRow,
    change: _Change,
    *,
    reason: str,
    by_user_id: int | None,
    on: date | None,
) -> None:
    """What an admin's revocation, suspension or reinstatement does alike: the reason checked,
    the status and its reason and date, the award's history, the status bit, the learner's
    e-mail, the issuer's webhook event and the audit trail entry, in the caller's transaction.
    """
    if not reason.strip():
        raise InvalidInput(f"a {change.what} needs a reason")
    if len(reason) > REASON_MAX:
        raise InvalidInput(f"a {change.what}'s reason has at most {REASON_MAX} characters")
    if award.status not in change.applies_to:
        raise Conflict(change.refused.format(status=award.status))
    award.status = change.to
    award.status_reason = reason
    award.status_changed_at = _at(uow, award, on)
    event = AwardEventRow(
        award_id=award.id,
        kind=change.event,
        reason=reason,
        by_user_id=by_user_id,
        at=award.status_changed_at,
    )
    uow.awards.add(event)
    _mark_status(uow, award, change.purpose)
    # The reason goes with the message: it is rendered later, perhaps after another change.
    mail_outbox.queue_for_award(uow, change.mail, award, details={"reason": reason})
    webhook_events.award_events(uow, change.webhook, award, occurrence=event.id)
    audit_trail.record(
        uow,
        action=f"award.{change.event}",
        subject=f"award:{award.public_id}",
        details={"reason": reason},
        actor=audit_trail.user_actor(uow, by_user_id),
    )


def revoke_award(
    uow: UnitOfWork,
    award: AwardRow,
    *,
    reason: str,
    by_user_id: int | None = None,
    on: date | None = None,
) -> list[AwardRow]:
    """Revoke an award and flag every award that counted it; returns the flagged awards."""
    _change_status(uow, award, _REVOKE, reason=reason, by_user_id=by_user_id, on=on)
    return flag_dependants(uow, award, on=on)


def suspend_award(
    uow: UnitOfWork,
    award: AwardRow,
    *,
    reason: str,
    by_user_id: int | None = None,
    on: date | None = None,
) -> list[AwardRow]:
    """Suspend an active award (verifiers are told it is not valid until it is reinstated) and
    flag every award that counted it; returns the flagged awards."""
    _change_status(uow, award, _SUSPEND, reason=reason, by_user_id=by_user_id, on=on)
    return flag_dependants(uow, award, on=on)


def reinstate_award(
    uow: UnitOfWork,
    award: AwardRow,
    *,
    reason: str,
    by_user_id: int | None = None,
    on: date | None = None,
) -> list[AwardRow]:
    """Lift an award's suspension (a revocation is final and is never lifted); the awards its
    suspension alone flagged, and that nothing else now undermines, are no longer flagged.
    Returns those awards."""
    _change_status(uow, award, _REINSTATE, reason=reason, by_user_id=by_user_id, on=on)
    # Active again, it is shown with no reason, as before its suspension; why it was
    # reinstated is in its history, the audit trail, the e-mail and the webhook event.
    award.status_reason = None
    return _unflag(uow, award, on=on)


def expire_award(uow: UnitOfWork, award: AwardRow, *, reason: str, on: date) -> list[AwardRow]:
    """A lapse (e.g. a CE cycle ended short): status expired, not revoked; flags dependants."""
    award.status = AwardStatus.EXPIRED
    award.status_reason = reason
    award.status_changed_at = _at(uow, award, on)
    award.valid_until = min(award.valid_until or on, on)
    uow.awards.add(
        AwardEventRow(award_id=award.id, kind="expired", reason=reason, at=award.status_changed_at)
    )
    mail_outbox.queue_for_award(uow, EXPIRED, award, once=True)
    webhook_events.award_events(uow, webhook_events.EXPIRED, award)
    return flag_dependants(uow, award, on=on)


def validity_ended(uow: UnitOfWork, award: AwardRow) -> list[AwardRow]:
    """An award whose last valid day has passed lapses the way a CE lapse does (expired on
    that day, dependants flagged, the learner told once); returns the flagged awards."""
    assert award.valid_until is not None
    return expire_award(
        uow, award, reason=f"validity ended on {award.valid_until}", on=award.valid_until
    )


def expire_ended(
    uow: UnitOfWork,
    *,
    as_of: date,
    issuer_id: int | None = None,
    learner_ids: Collection[int] | None = None,
    span: tuple[int, int] | None = None,
) -> list[AwardRow]:
    """Expire every active award (of one issuer, or all; of some learners, or all) whose last
    valid day is before `as_of` (`span`: the learners' id range, as in
    `records.of_learners`).

    A certification with an open CE cycle is left to closing that cycle, which renews it or
    lapses it with the hours it was short: its end date alone does not decide.
    """
    open_cycle = exists().where(CeCycleRow.award_id == AwardRow.id, CeCycleRow.status == "open")
    query = (
        select(AwardRow)
        .where(
            AwardRow.status == AwardStatus.ACTIVE,
            AwardRow.valid_until.is_not(None),
            AwardRow.valid_until < as_of,
            ~open_cycle,
        )
        .order_by(AwardRow.id)
    )
    if issuer_id is not None:
        query = query.where(AwardRow.issuer_id == issuer_id)
    if learner_ids is not None or span is not None:
        query = query.where(of_learners(AwardRow.learner_id, learner_ids or (), span))
    ended = list(uow.session.scalars(query))
    # Their holders in one read, held while they expire (the session holds rows weakly):
    # each expiry dates itself in its issuer's zone and tells its learner.
    holders = (
        list(
            uow.session.scalars(
                select(LearnerRow).where(LearnerRow.id.in_(sorted({a.learner_id for a in ended})))
            )
        )
        if ended
        else []
    )
    for award in ended:
        if award.status == AwardStatus.ACTIVE:  # still: an earlier one may have cascaded
            validity_ended(uow, award)
    del holders
    return ended


def flag_dependants(uow: UnitOfWork, award: AwardRow, *, on: date | None = None) -> list[AwardRow]:
    rid = record_id("award", award.public_id)
    if not _counted_at_all(uow, award.learner_id, rid):
        return []  # nothing of the learner's counted it: no records to load
    learner, issuer = uow.awards.parties(award)
    return _flag(uow, learner, issuer, rid, on)


def _counted_at_all(uow: UnitOfWork, learner_id: int, rid: str) -> bool:
    """Whether any award of the learner's (of any issuer, in any state) counted the record
    `rid` directly. `counted_by` follows chains of `counted` links that start at such an
    award, and the learner's records are made from these rows, so without one `_flag` finds
    nothing: one read of a column instead of the learner's records (an expiry, a revocation
    or a suspension of an award nothing stacks on is most of them)."""
    lists = uow.session.scalars(select(AwardRow.counted).where(AwardRow.learner_id == learner_id))
    return any(rid in counted for counted in lists if counted)


def flag_counting(
    uow: UnitOfWork, learner: LearnerRow, rid: str, *, on: date | None = None
) -> list[AwardRow]:
    """Flag the learner's awards, from any issuer, that counted the record `rid` (an imported
    credential its issuer has since revoked, say), as `flag_dependants` flags an award's."""
    issuer_ids = {row.issuer_id for row in uow.awards.for_learner(learner.id)}
    flagged: list[AwardRow] = []
    for issuer_id in sorted(issuer_ids):
        issuer = uow.session.get(IssuerRow, issuer_id)
        assert issuer is not None
        # Each award is judged from its own issuer's point of view (whose partners decide
        # what the import counts as there).
        flagged += _flag(uow, learner, issuer, rid, on, own_only=True)
    return flagged


def _flag(
    uow: UnitOfWork,
    learner: LearnerRow,
    issuer: IssuerRow,
    rid: str,
    on: date | None,
    *,
    own_only: bool = False,
) -> list[AwardRow]:
    records = load_records(uow, learner, issuer)
    awards = [r for r in records.items if isinstance(r, Award)]
    as_of = on or clock.today(issuer)
    flagged: list[AwardRow] = []
    for dependant in counted_by(rid, awards):
        row = records.awards[dependant.id]
        if row.status != AwardStatus.ACTIVE or (own_only and row.issuer_id != issuer.id):
            continue
        problems = support_problems(dependant, records.items, as_of)
        if not problems:
            continue
        row.review_flag = "; ".join(problems)
        row.flagged_at = _at(uow, row, on)
        uow.awards.add(
            AwardEventRow(
                award_id=row.id, kind="flagged", reason=row.review_flag, at=row.flagged_at
            )
        )
        flagged.append(row)
    return flagged


def _unflag(uow: UnitOfWork, award: AwardRow, *, on: date | None) -> list[AwardRow]:
    """Clear the flags that `award`'s suspension raised on what counted it, where that was the
    only reason (the flag names it alone) and nothing is wrong with their support now; any
    other flag stays for the issuer's decision."""
    learner, issuer = uow.awards.parties(award)
    records = load_records(uow, learner, issuer)
    rid = record_id("award", award.public_id)
    awards = [r for r in records.items if isinstance(r, Award)]
    as_of = on or clock.today(issuer)
    cleared: list[AwardRow] = []
    for dependant in counted_by(rid, awards):
        row = records.awards[dependant.id]
        flag = row.review_flag
        if row.status != AwardStatus.ACTIVE or flag is None or ";" in flag:
            continue
        if f"({rid}) was suspended" not in flag:
            continue
        if support_problems(dependant, records.items, as_of):
            continue
        row.review_flag = None
        row.flagged_at = None
        uow.awards.add(
            AwardEventRow(
                award_id=row.id,
                kind="restored",
                reason=f"support restored: {award.public_id} was reinstated",
                at=_at(uow, row, on),
            )
        )
        cleared.append(row)
    return cleared


def decide_flag(
    uow: UnitOfWork,
    award: AwardRow,
    *,
    decision: str,
    reason: str,
    by_user_id: int | None = None,
    on: date | None = None,
) -> list[AwardRow]:
    """The issuer's decision on a flagged award: `keep` it or `revoke` it, with a reason."""
    if decision not in ("keep", "revoke"):
        raise InvalidInput(f"decision {decision!r}: use keep or revoke")
    if award.review_flag is None:
        raise Conflict("this award is not flagged for review")
    if not reason.strip():
        raise InvalidInput("a decision needs a recorded reason")
    if decision in ("keep", "revoke"):
        audit_trail.record(
            uow,
            action="award.decision",
            subject=f"award:{award.public_id}",
            details={"decision": decision, "reason": reason, "flag": award.review_flag},
            actor=audit_trail.user_actor(uow, by_user_id),
        )
    if decision == "keep":
        uow.awards.add(
            AwardEventRow(
                award_id=award.id,
                kind="kept",
                reason=reason,
                by_user_id=by_user_id,
                at=_at(uow, award, on),
            )
        )
        award.review_flag = None
        award.flagged_at = None
        return []
    flagged = revoke_award(uow, award, reason=reason, by_user_id=by_user_id, on=on)
    award.review_flag = None
    return flagged
