"""Writing messages owed, and the bookkeeping of delivering them.

Messages are queued in the caller's unit of work: a rolled-back award leaves no message, a
committed one always has its message, and its commit asks for the delivery at once
(`UnitOfWork.outbox_written`); the workers' periodic sweep is the safety net. Delivery claims
a row by moving its `due_at` forward in one conditional UPDATE, so two senders (the server's
and `credstack mail send`) never hold the same message at once; see `sender` for the delivery
guarantee this gives.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from credstack.service import clock
from credstack.store.many_rows import insert_many
from credstack.store.models import AwardRow, LearnerRow, OutboxMessageRow
from credstack.store.uow import UnitOfWork

__all__ = [
    "FAILED",
    "PENDING",
    "SENT",
    "OutboxStatus",
    "claim",
    "due_ids",
    "forget_learner",
    "mark_failed",
    "mark_sent",
    "queue",
    "queue_for_award",
    "queue_for_awards",
    "queue_message",
    "status",
]

PENDING, SENT, FAILED, DROPPED = "pending", "sent", "failed", "dropped"


def queue(
    uow: UnitOfWork,
    kind: str,
    learner: LearnerRow,
    *,
    award_id: int | None = None,
    details: dict[str, Any] | None = None,
    key: str | None = None,
) -> OutboxMessageRow | None:
    """Owe `learner` a message of `kind`; nothing is owed to a learner without an address.

    A `key` makes the message owed once: when a message with that key was ever queued (sent
    or not), nothing is queued and None is returned, so a job run twice sends nothing twice.
    """
    if learner.email_sealed is None or learner.erased_at is not None:
        return None
    return queue_message(
        uow, kind, learner_id=learner.id, award_id=award_id, details=details, key=key
    )


def queue_message(
    uow: UnitOfWork,
    kind: str,
    *,
    learner_id: int | None,
    award_id: int | None = None,
    endpoint_id: int | None = None,
    details: dict[str, Any] | None = None,
    key: str | None = None,
) -> OutboxMessageRow | None:
    """Owe a message whose renderer finds its recipient (`details` may name a staff member's
    sign-in link); one tied to a learner goes when the learner is erased. With a `key`, owed
    once (see `queue`)."""
    if key is not None and uow.session.scalar(
        select(OutboxMessageRow.id).where(OutboxMessageRow.dedupe_key == key)
    ):
        return None
    row = OutboxMessageRow(
        public_id=str(uuid.uuid4()),
        kind=kind,
        learner_id=learner_id,
        award_id=award_id,
        endpoint_id=endpoint_id,
        details=details or {},
        status=PENDING,
        attempts=0,
        due_at=clock.now(),
        dedupe_key=key,
    )
    if key is None:
        uow.session.add(row)
        uow.outbox_written()
        return row
    savepoint = uow.session.begin_nested()
    try:
        uow.session.add(row)
        uow.session.flush()
    except IntegrityError:
        # A concurrent run queued the same key between our look and our insert.
        savepoint.rollback()
        return None
    savepoint.commit()
    uow.outbox_written()
    return row


def queue_for_award(
    uow: UnitOfWork,
    kind: str,
    award: AwardRow,
    *,
    once: bool = False,
    details: dict[str, Any] | None = None,
) -> OutboxMessageRow | None:
    """The one-line hook where an award is issued, revoked, suspended, reinstated or expires;
    `once` keys the message by kind and award, for news that can only be true once (an
    expiry); `details` are what the message says that the award may no longer hold when it is
    rendered (a suspension's reason, once it is lifted)."""
    learner = uow.session.get(LearnerRow, award.learner_id)
    if learner is None:
        return None
    key = f"{kind}:{award.public_id}" if once else None
    return queue(uow, kind, learner, award_id=award.id, details=details, key=key)


def queue_for_awards(uow: UnitOfWork, kind: str, awards: Sequence[tuple[int, LearnerRow]]) -> int:
    """`queue_for_award` for many new awards (award id, learner) in one statement; as there,
    nothing is owed to a learner without an address. How many were queued."""
    now = clock.now()
    rows: list[dict[str, Any]] = [
        {
            "public_id": str(uuid.uuid4()),
            "kind": kind,
            "learner_id": learner.id,
            "award_id": award_id,
            "details": {},
            "status": PENDING,
            "attempts": 0,
            "due_at": now,
            "dedupe_key": None,
        }
        for award_id, learner in awards
        if learner.email_sealed is not None and learner.erased_at is None
    ]
    # The driver's executemany: a bulk import queues one message per award. It does not
    # flush the session as an ORM statement would, so the awards must be in the database.
    uow.session.flush()
    insert_many(uow.session.connection(), OutboxMessageRow, rows)
    return len(rows)


def forget_learner(uow: UnitOfWork, learner_id: int) -> int:
    """Erasure: no message, pending or past, stays linked to the person."""
    result = uow.session.execute(
        delete(OutboxMessageRow).where(OutboxMessageRow.learner_id == learner_id)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def due_ids(uow: UnitOfWork, now: datetime, limit: int = 100) -> list[int]:
    return list(
        uow.session.scalars(
            select(OutboxMessageRow.id)
            .where(OutboxMessageRow.status == PENDING, OutboxMessageRow.due_at <= now)
            .order_by(OutboxMessageRow.due_at, OutboxMessageRow.id)
            .limit(limit)
        )
    )


def claim(uow: UnitOfWork, row_id: int, now: datetime, lease: timedelta) -> OutboxMessageRow | None:
    """Take the message for one delivery attempt, or None when another sender has it (or it is
    no longer due). The claim lasts `lease`: a sender that dies holding it lets it go."""
    taken = uow.session.execute(
        update(OutboxMessageRow)
        .where(
            OutboxMessageRow.id == row_id,
            OutboxMessageRow.status == PENDING,
            OutboxMessageRow.due_at <= now,
        )
        .values(due_at=now + lease, attempts=OutboxMessageRow.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    if not getattr(taken, "rowcount", 0):
        return None
    return uow.session.get(OutboxMessageRow, row_id, populate_existing=True)


def mark_sent(uow: UnitOfWork, row_id: int, now: datetime, *, dropped: bool = False) -> None:
    uow.session.execute(
        update(OutboxMessageRow)
        .where(OutboxMessageRow.id == row_id)
        .values(status=DROPPED if dropped else SENT, sent_at=now, last_error=None)
        .execution_options(synchronize_session=False)
    )


def mark_failed(uow: UnitOfWork, row_id: int, error: str, retry_at: datetime | None) -> None:
    """A failed attempt: tried again at `retry_at`, or given up on when that is None."""
    values: dict[str, Any] = {"last_error": error[:500]}
    values.update({"status": FAILED} if retry_at is None else {"due_at": retry_at})
    uow.session.execute(
        update(OutboxMessageRow)
        .where(OutboxMessageRow.id == row_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


@dataclass(frozen=True)
class OutboxStatus:
    counts: dict[str, int]
    oldest_pending: datetime | None
    last_error: str | None


def status(uow: UnitOfWork) -> OutboxStatus:
    """What `credstack mail status` reports: nothing personal, only counts and errors."""
    counts = dict.fromkeys((PENDING, SENT, FAILED, DROPPED), 0)
    for name, count in uow.session.execute(
        select(OutboxMessageRow.status, func.count()).group_by(OutboxMessageRow.status)
    ):
        counts[name] = count
    oldest = uow.session.scalar(
        select(OutboxMessageRow.created_at)
        .where(OutboxMessageRow.status == PENDING)
        .order_by(OutboxMessageRow.created_at)
        .limit(1)
    )
    last_error = uow.session.scalar(
        select(OutboxMessageRow.last_error)
        .where(OutboxMessageRow.last_error.is_not(None))
        .order_by(OutboxMessageRow.due_at.desc())
        .limit(1)
    )
    return OutboxStatus(counts, oldest, last_error)
