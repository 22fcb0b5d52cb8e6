"""The delivery log an admin reads, and redelivering an event by hand.

A delivery is one event for one endpoint (an outbox row); its attempts are the log. Only
what a receiver answered is kept, as a short excerpt: never the payload's secret-signed
headers, never the secret.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from credstack.errors import Conflict, NotFound
from credstack.service import audit_trail, clock
from credstack.service.actor import Actor, authorise
from credstack.service.mail.outbox import FAILED, PENDING
from credstack.service.runtime import Runtime
from credstack.service.webhooks.events import KIND
from credstack.store.models import (
    IssuerRow,
    OutboxMessageRow,
    WebhookAttemptRow,
    WebhookEndpointRow,
)

__all__ = ["MAX_LISTED", "AttemptView", "DeliveryView", "list_deliveries", "redeliver"]

MAX_LISTED = 100
"""The newest deliveries shown at once: a log to look into, not an export."""


@dataclass(frozen=True)
class AttemptView:
    at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int
    excerpt: str | None


@dataclass(frozen=True)
class DeliveryView:
    id: str
    """The `webhook-id` the receiver saw."""
    event: str
    endpoint: str
    url: str
    status: str
    """pending, sent or failed."""
    created_at: datetime
    next_attempt_at: datetime | None
    attempts: tuple[AttemptView, ...]


def _view(
    row: OutboxMessageRow, endpoint: WebhookEndpointRow, log: list[WebhookAttemptRow]
) -> DeliveryView:
    return DeliveryView(
        row.public_id,
        str(row.details.get("type", "")),
        endpoint.public_id,
        endpoint.url,
        row.status,
        row.created_at,
        row.due_at if row.status == PENDING else None,
        tuple(
            AttemptView(a.attempted_at, a.status_code, a.error, a.duration_ms, a.excerpt)
            for a in log
        ),
    )


def list_deliveries(
    runtime: Runtime, actor: Actor, issuer: str, *, failed_only: bool = False
) -> tuple[DeliveryView, ...]:
    """The issuer's newest deliveries, each with its attempts; `failed_only`: given up on."""
    authorise(actor, issuer, "admin", what="read webhook deliveries")
    with runtime.uow(write=False) as uow:
        owner = uow.issuers.by_key(issuer)
        if owner is None:
            raise NotFound(f"unknown issuer {issuer!r}")
        query = (
            select(OutboxMessageRow, WebhookEndpointRow)
            .join(WebhookEndpointRow, OutboxMessageRow.endpoint_id == WebhookEndpointRow.id)
            .where(WebhookEndpointRow.issuer_id == owner.id, OutboxMessageRow.kind == KIND)
            .order_by(OutboxMessageRow.id.desc())
            .limit(MAX_LISTED)
        )
        if failed_only:
            query = query.where(OutboxMessageRow.status == FAILED)
        pairs = [(row, endpoint) for row, endpoint in uow.session.execute(query)]
        logs: dict[int, list[WebhookAttemptRow]] = {row.id: [] for row, _ in pairs}
        if logs:
            for attempt in uow.session.scalars(
                select(WebhookAttemptRow)
                .where(WebhookAttemptRow.outbox_id.in_(logs))
                .order_by(WebhookAttemptRow.id)
            ):
                logs[attempt.outbox_id].append(attempt)
        return tuple(_view(row, endpoint, logs[row.id]) for row, endpoint in pairs)


def redeliver(
    runtime: Runtime, actor: Actor, delivery_id: str, *, issuer: str | None = None
) -> DeliveryView:
    """Queue a delivery again, due now, with the same `webhook-id` and payload (a receiver
    that already has it drops it). Refused while it is still pending: the sender has it."""
    with runtime.uow() as uow:
        found = uow.session.execute(
            select(OutboxMessageRow, WebhookEndpointRow, IssuerRow)
            .join(WebhookEndpointRow, OutboxMessageRow.endpoint_id == WebhookEndpointRow.id)
            .join(IssuerRow, WebhookEndpointRow.issuer_id == IssuerRow.id)
            .where(OutboxMessageRow.public_id == delivery_id[:36], OutboxMessageRow.kind == KIND)
        ).first()
        if found is None or (issuer is not None and found[2].key != issuer):
            raise NotFound(f"unknown webhook delivery {delivery_id!r}")
        row, endpoint, owner = found
        authorise(actor, owner.key, "admin", what="redeliver webhooks")
        if row.status == PENDING:
            raise Conflict(
                f"delivery {delivery_id} is still pending (next attempt {row.due_at.isoformat()})"
            )
        uow.session.execute(
            update(OutboxMessageRow)
            .where(OutboxMessageRow.id == row.id)
            .values(status=PENDING, due_at=clock.now(), attempts=0, sent_at=None)
            .execution_options(synchronize_session=False)
        )
        audit_trail.record(
            uow,
            action="webhook.redelivered",
            subject=f"webhook-delivery:{row.public_id}",
            details={"issuer": owner.key, "endpoint": endpoint.public_id},
            actor=audit_trail.user_actor(uow, actor.user_id),
        )
        uow.session.refresh(row)
        log = list(
            uow.session.scalars(
                select(WebhookAttemptRow)
                .where(WebhookAttemptRow.outbox_id == row.id)
                .order_by(WebhookAttemptRow.id)
            )
        )
        view = _view(row, endpoint, log)
        uow.commit()
        return view
