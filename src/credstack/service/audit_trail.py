"""Appending to and checking the audit trail; there is deliberately no update or delete here.

An event is written in the unit of work of the change it records, so the change and its entry
commit or roll back together. Appends are serialised so the chain never forks: on PostgreSQL
a transaction-scoped advisory lock is taken before the head is read (held until commit); on
SQLite the database's single writer does the same, and `seq` being the primary key makes a
second writer that read a stale head fail instead of forking.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text

from credstack.domain.audit_trail import GENESIS, AuditEvent, BrokenLink, first_broken_link
from credstack.service import clock
from credstack.store.many_rows import insert_many
from credstack.store.models import AuditEventRow, UserRow
from credstack.store.uow import UnitOfWork

__all__ = [
    "ChainReport",
    "Entry",
    "deferred",
    "events",
    "record",
    "record_many",
    "user_actor",
    "verify_chain",
]

_LOCK = 0x63726564_61756474  # "credaudt": the advisory lock id of the chain head
_BATCH = 1000


def user_actor(uow: UnitOfWork, user_id: int | None) -> str:
    """Who did it, as the trail names them: a user's address, or `system` for the engine."""
    user = uow.session.get(UserRow, user_id) if user_id is not None else None
    return f"user:{user.email}" if user is not None else "system"


def record(
    uow: UnitOfWork,
    *,
    action: str,
    subject: str,
    details: Mapping[str, Any] | None = None,
    actor: str = "system",
) -> None:
    """Append one event after the chain's head (or, inside `deferred`, keep it to be appended
    when that block ends)."""
    session = uow.session
    kept: list[Entry] | None = session.info.get(_DEFERRED)
    if kept is not None:
        kept.append(Entry(action, subject, dict(details or {}), actor, at=clock.now()))
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LOCK})
    # limit(1): an ORM result is buffered whole, so `.first()` alone would load the entire
    # trail for every event appended (quadratic in a bulk import).
    head = session.scalars(
        select(AuditEventRow).order_by(AuditEventRow.seq.desc()).limit(1)
    ).first()
    event = AuditEvent(
        seq=head.seq + 1 if head is not None else 1,
        at=clock.now(),
        actor=actor,
        action=action,
        subject=subject,
        details=dict(details or {}),
        prev_hash=head.hash if head is not None else GENESIS,
    )
    row = AuditEventRow(hash=event.digest(), **asdict(event))
    session.add(row)
    session.flush()


_DEFERRED = "credstack.audit_trail.deferred"
"""The key, in a session's `info`, of the events `record` keeps for `deferred`."""


@contextmanager
def deferred(uow: UnitOfWork) -> Iterator[None]:
    """Within the block, `record` keeps its events, and they are appended together (in the
    order recorded, each with the instant it was recorded) when the block ends: one read of
    the head and one insert instead of a lock, a read and a flush per event, and the chain's
    head held from there to the commit rather than from the first event. An exception
    leaving the block drops them, as the transaction they belong to is not committed.
    Nothing inside may roll back a savepoint that recorded an event (its event would be
    appended all the same): the block is for work that either commits whole or not at all.
    """
    info = uow.session.info
    if info.get(_DEFERRED) is not None:  # already deferring: the outer block appends them
        yield
        return
    kept: list[Entry] = []
    info[_DEFERRED] = kept
    try:
        yield
    finally:
        del info[_DEFERRED]
    record_many(uow, kept)


@dataclass(frozen=True)
class Entry:
    """One event to append with `record_many`."""

    action: str
    subject: str
    details: Mapping[str, Any]
    actor: str = "system"
    at: datetime | None = None
    """When it happened; `record_many`'s own instant if not given."""


def _lock_head(uow: UnitOfWork) -> tuple[int, str]:
    session = uow.session
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LOCK})
    head = session.execute(
        select(AuditEventRow.seq, AuditEventRow.hash).order_by(AuditEventRow.seq.desc()).limit(1)
    ).first()
    return (head[0], head[1]) if head is not None else (0, GENESIS)


def record_many(uow: UnitOfWork, entries: Sequence[Entry]) -> None:
    """Append several events in order, reading the head once and writing them in one
    statement: a bulk import's two events per award, without two round trips per event."""
    if not entries:
        return
    uow.session.flush()  # an event `record` added must be the head we chain onto
    seq, prev = _lock_head(uow)
    at = clock.now()
    rows = []
    for entry in entries:
        seq += 1
        event = AuditEvent(
            seq=seq,
            at=entry.at or at,
            actor=entry.actor,
            action=entry.action,
            subject=entry.subject,
            details=dict(entry.details),
            prev_hash=prev,
        )
        prev = event.digest()
        # Not `asdict`: it deep-copies every event's details and time, which cost a bulk
        # import more than the digests themselves.
        rows.append(
            {
                "seq": seq,
                "at": event.at,
                "actor": event.actor,
                "action": event.action,
                "subject": event.subject,
                "details": event.details,
                "prev_hash": event.prev_hash,
                "hash": prev,
            }
        )
    insert_many(uow.session.connection(), AuditEventRow, rows)


def _event(row: AuditEventRow) -> AuditEvent:
    return AuditEvent(
        row.seq, row.at, row.actor, row.action, row.subject, row.details, row.prev_hash
    )


def events(uow: UnitOfWork, *, after: int = 0, limit: int | None = None) -> Iterator[AuditEventRow]:
    """Events in sequence order, read in batches so a long trail never sits in memory at once."""
    seen = 0
    while limit is None or seen < limit:
        size = _BATCH if limit is None else min(_BATCH, limit - seen)
        batch = uow.session.scalars(
            select(AuditEventRow)
            .where(AuditEventRow.seq > after)
            .order_by(AuditEventRow.seq)
            .limit(size)
        ).all()
        if not batch:
            return
        yield from batch
        seen += len(batch)
        after = batch[-1].seq
        uow.session.expunge_all()


@dataclass(frozen=True)
class ChainReport:
    count: int
    broken: BrokenLink | None


def verify_chain(uow: UnitOfWork) -> ChainReport:
    count = uow.session.scalar(select(func.count()).select_from(AuditEventRow)) or 0
    broken = first_broken_link((_event(row), row.hash) for row in events(uow))
    return ChainReport(count, broken)
