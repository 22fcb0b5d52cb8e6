"""Reading the audit trail: its entries in order, and whether its hash chain is intact.

Use cases for `credstack audit-trail`; only the operator (who holds the master key and the
database) reads the whole trail. Both only read, in a read-only unit of work.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from credstack.errors import Forbidden
from credstack.service.actor import Actor
from credstack.service.audit_trail import ChainReport, events, verify_chain
from credstack.service.runtime import Runtime

__all__ = ["TrailEntry", "entries", "verify"]


def _operator_only(actor: Actor) -> None:
    if not actor.is_operator:
        raise Forbidden(f"{actor.label} may not read the audit trail: only the operator may")


@dataclass(frozen=True)
class TrailEntry:
    seq: int
    at: datetime
    actor: str
    action: str
    subject: str
    details: Mapping[str, Any]
    hash: str


def entries(runtime: Runtime, actor: Actor, *, after: int, limit: int) -> list[TrailEntry]:
    """At most `limit` events after sequence number `after`, in order."""
    _operator_only(actor)
    with runtime.uow(write=False) as uow:
        return [
            TrailEntry(e.seq, e.at, e.actor, e.action, e.subject, e.details, e.hash)
            for e in events(uow, after=after, limit=limit)
        ]


def verify(runtime: Runtime, actor: Actor) -> ChainReport:
    """Walk the chain from the first event to the first broken link, if any."""
    _operator_only(actor)
    with runtime.uow(write=False) as uow:
        return verify_chain(uow)
