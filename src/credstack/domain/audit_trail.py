"""The audit trail as a hash chain: each event's hash covers its content and the previous hash.

Changing, inserting or deleting any event changes a hash that a later event depends on, so a
walk from the first event finds the first link that no longer holds. The serialisation is
canonical JSON (sorted keys, no spaces, UTF-8) so the same event hashes the same on every
database, whatever order a JSON column hands its keys back in.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

__all__ = ["GENESIS", "AuditEvent", "BrokenLink", "first_broken_link"]

GENESIS = "0" * 64
"""The previous hash of the first event."""


@dataclass(frozen=True)
class AuditEvent:
    seq: int
    at: datetime
    actor: str
    action: str
    subject: str
    details: Mapping[str, Any] = field(default_factory=dict)
    prev_hash: str = GENESIS

    def canonical(self) -> bytes:
        at = self.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        body = [self.prev_hash, self.seq, at, self.actor, self.action, self.subject, self.details]
        return json.dumps(
            body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        ).encode()

    def digest(self) -> str:
        return hashlib.sha256(self.canonical()).hexdigest()


@dataclass(frozen=True)
class BrokenLink:
    seq: int
    why: str


def first_broken_link(events: Iterable[tuple[AuditEvent, str]]) -> BrokenLink | None:
    """Walk ``(event, stored hash)`` pairs in sequence order; None when every link holds."""
    expected_prev, expected_seq = GENESIS, 1
    for event, stored in events:
        if event.seq != expected_seq:
            return BrokenLink(event.seq, f"expected event {expected_seq} here: events are missing")
        if event.prev_hash != expected_prev:
            return BrokenLink(event.seq, "its previous hash is not the hash of the event before")
        if event.digest() != stored:
            return BrokenLink(event.seq, "its content does not match its hash")
        expected_prev, expected_seq = stored, expected_seq + 1
    return None
