"""Queueing an issuer's events for its endpoints, in the transaction of the change.

One outbox row per (event, endpoint subscribed to it), keyed in the outbox's `dedupe_key`, so
the same change run twice (a retried request, the nightly job run again) queues nothing
twice. The row's public id is the `webhook-id` a receiver deduplicates on.

Payloads name the learner by the opaque public id only, never by name or e-mail address: a
receiver that needs more asks the API with a token, and an erased learner's pending events go
with the learner (`outbox.forget_learner`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from credstack.service import clock
from credstack.service.issuance import award_context
from credstack.service.mail.outbox import queue_message
from credstack.store.models import AwardRow, WebhookEndpointRow
from credstack.store.uow import UnitOfWork

__all__ = [
    "CE_SHORT",
    "EVENTS",
    "EXPIRED",
    "ISSUED",
    "KIND",
    "REINSTATED",
    "REVOKED",
    "STACK_COMPLETED",
    "SUSPENDED",
    "award_events",
    "ce_short",
    "subscribed",
]

KIND = "webhook"
"""The outbox kind of every webhook row; the event type is in its details."""

ISSUED = "credential.issued"
REVOKED = "credential.revoked"
EXPIRED = "credential.expired"
SUSPENDED = "credential.suspended"
REINSTATED = "credential.reinstated"
STACK_COMPLETED = "stack.completed"
CE_SHORT = "ce.short"
EVENTS = (ISSUED, REVOKED, EXPIRED, SUSPENDED, REINSTATED, STACK_COMPLETED, CE_SHORT)
_REPEATABLE = (SUSPENDED, REINSTATED)
"""Events that may happen to one award more than once (suspended, reinstated, suspended
again): each is keyed by its change (the award's history event), not by the award alone."""

_AUTOMATIC = "automatic"
"""The origin of an award the engine made because its requirements were all met."""


def _completes_stack(award: AwardRow) -> bool:
    """The engine made it by itself, and it counted credentials the learner held."""
    return award.origin == _AUTOMATIC and any(
        str(record).startswith("award:") for record in award.counted
    )


def _endpoints(uow: UnitOfWork, issuer_id: int, event: str) -> list[WebhookEndpointRow]:
    rows = uow.session.scalars(
        select(WebhookEndpointRow)
        .where(WebhookEndpointRow.issuer_id == issuer_id)
        .order_by(WebhookEndpointRow.id)
    )
    return [row for row in rows if event in row.events]


def subscribed(uow: UnitOfWork, issuer_id: int, event: str) -> bool:
    """Whether any of the issuer's endpoints takes `event`: a bulk import asks once per batch."""
    return bool(_endpoints(uow, issuer_id, event))


def _award_data(uow: UnitOfWork, award: AwardRow) -> dict[str, Any]:
    context = award_context(uow, award)
    return {
        "credential": {"id": award.public_id},
        "achievement": {
            "id": context.achievement.key,
            "name": context.version.name,
            "version": context.version.version,
        },
        "issuer": {"id": context.issuer.key, "name": context.issuer.name},
        "learner": {"id": context.learner.public_id},
        "awarded_on": award.awarded_on.isoformat(),
        "valid_until": award.valid_until.isoformat() if award.valid_until else None,
        "status": str(award.status),
    }


def _queue(uow: UnitOfWork, award: AwardRow, event: str, subject: str, data: dict[str, Any]) -> int:
    queued = 0
    for endpoint in _endpoints(uow, award.issuer_id, event):
        details = {"type": event, "timestamp": clock.now().isoformat(), "data": data}
        row = queue_message(
            uow,
            KIND,
            learner_id=award.learner_id,
            award_id=award.id,
            endpoint_id=endpoint.id,
            details=details,
            key=f"{KIND}:{event}:{subject}:{endpoint.public_id}",
        )
        queued += row is not None
    return queued


def award_events(
    uow: UnitOfWork, event: str, award: AwardRow, *, occurrence: int | None = None
) -> int:
    """Queue `event` about `award` (issued, revoked, expired, suspended, reinstated) for every
    subscribed endpoint; an award the engine made by itself from credentials the learner held
    (a stack) is also a `stack.completed`. `occurrence` (the award's history event) tells a
    repeatable event's one occurrence from another. Returns the rows queued."""
    data: dict[str, Any] | None = None
    queued = 0
    wanted = [event]
    if event == ISSUED and _completes_stack(award):
        wanted.append(STACK_COMPLETED)
    for name in wanted:
        if not _endpoints(uow, award.issuer_id, name):
            continue
        if data is None:
            data = _award_data(uow, award)
            if event != ISSUED:
                data["reason"] = award.status_reason
                changed = award.status_changed_at
                data["changed_at"] = changed.isoformat() if changed else None
        subject = award.public_id
        if name in _REPEATABLE and occurrence is not None:
            subject = f"{subject}:{occurrence}"
        queued += _queue(uow, award, name, subject, data)
    return queued


def ce_short(
    uow: UnitOfWork, award: AwardRow, cycle_id: int, threshold: int, short: dict[str, Any]
) -> int:
    """A certification's CE cycle ends within `threshold` days with hours still short: once
    per (cycle, threshold), like the learner's reminder e-mail."""
    if not _endpoints(uow, award.issuer_id, CE_SHORT):
        return 0
    data = _award_data(uow, award)
    data["cycle"] = dict(short)
    return _queue(uow, award, CE_SHORT, f"{cycle_id}:{threshold}", data)
