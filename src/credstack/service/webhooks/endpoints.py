"""An issuer's webhook endpoints: add, list, remove, rotate the secret (the admin role).

The secret is made here, shown once in what `add_endpoint` and `rotate_secret` return, and
kept only sealed under the master key: no listing, log or audit entry holds it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from credstack.errors import Conflict, InvalidInput, NotFound
from credstack.service import audit_trail
from credstack.service.actor import Actor, authorise
from credstack.service.outbound import check_url
from credstack.service.runtime import Runtime
from credstack.service.webhooks.events import EVENTS
from credstack.service.webhooks.signing import new_secret
from credstack.store.models import IssuerRow, WebhookEndpointRow
from credstack.store.uow import UnitOfWork

__all__ = [
    "MAX_ENDPOINTS",
    "Endpoint",
    "NewSecret",
    "add_endpoint",
    "endpoint_secret",
    "list_endpoints",
    "remove_endpoint",
    "rotate_secret",
]

MAX_ENDPOINTS = 20
"""Per issuer: one per receiving system is the use; twenty leaves room and bounds the fan-out
of every award."""

_WHAT = "manage webhooks"


@dataclass(frozen=True)
class Endpoint:
    id: str
    issuer: str
    url: str
    events: tuple[str, ...]
    created_at: datetime


@dataclass(frozen=True)
class NewSecret:
    """An endpoint and its secret, which is never shown again."""

    endpoint: Endpoint
    secret: str


def _seal_context(public_id: str) -> str:
    return f"webhook-secret:{public_id}"


def endpoint_secret(uow: UnitOfWork, row: WebhookEndpointRow) -> str:
    """The secret, for signing one delivery."""
    return uow.personal.open(row.secret_sealed, _seal_context(row.public_id))


def _view(row: WebhookEndpointRow, issuer: str) -> Endpoint:
    return Endpoint(row.public_id, issuer, row.url, tuple(row.events), row.created_at)


def _issuer(uow: UnitOfWork, key: str) -> IssuerRow:
    row = uow.issuers.by_key(key)
    if row is None:
        raise NotFound(f"unknown issuer {key!r}")
    return row


def _events(events: Sequence[str]) -> list[str]:
    chosen = list(dict.fromkeys(e.strip() for e in events if e.strip()))
    unknown = [e for e in chosen if e not in EVENTS]
    if unknown or not chosen:
        raise InvalidInput(
            f"unknown event {', '.join(unknown)}; choose from {', '.join(EVENTS)}"
            if unknown
            else f"name at least one event: {', '.join(EVENTS)}"
        )
    return chosen


def _endpoint(
    uow: UnitOfWork, public_id: str, issuer: str | None
) -> tuple[WebhookEndpointRow, str]:
    row = uow.session.scalar(
        select(WebhookEndpointRow).where(WebhookEndpointRow.public_id == public_id[:36])
    )
    owner = uow.session.get(IssuerRow, row.issuer_id) if row is not None else None
    if row is None or owner is None or (issuer is not None and owner.key != issuer):
        raise NotFound(f"unknown webhook endpoint {public_id!r}")
    return row, owner.key


def add_endpoint(
    runtime: Runtime, actor: Actor, issuer: str, url: str, events: Sequence[str]
) -> NewSecret:
    """A new endpoint for `events`; its secret is in the result and nowhere else readable."""
    authorise(actor, issuer, "admin", what=_WHAT)
    checked = check_url(url, allow_loopback=runtime.settings.webhooks_allow_loopback)
    chosen = _events(events)
    with runtime.uow() as uow:
        owner = _issuer(uow, issuer)
        count = uow.session.scalar(
            select(func.count())
            .select_from(WebhookEndpointRow)
            .where(WebhookEndpointRow.issuer_id == owner.id)
        )
        if (count or 0) >= MAX_ENDPOINTS:
            raise Conflict(f"issuer {issuer} has {MAX_ENDPOINTS} webhook endpoints, the most")
        public_id, secret = str(uuid.uuid4()), new_secret()
        row = WebhookEndpointRow(
            public_id=public_id,
            issuer_id=owner.id,
            url=checked,
            events=chosen,
            secret_sealed=uow.personal.seal(secret, _seal_context(public_id)),
        )
        uow.session.add(row)
        uow.session.flush()
        audit_trail.record(
            uow,
            action="webhook.added",
            subject=f"webhook:{public_id}",
            details={"issuer": issuer, "url": checked, "events": chosen},
            actor=audit_trail.user_actor(uow, actor.user_id),
        )
        uow.commit()
        return NewSecret(_view(row, issuer), secret)


def list_endpoints(runtime: Runtime, actor: Actor, issuer: str) -> tuple[Endpoint, ...]:
    authorise(actor, issuer, "admin", what=_WHAT)
    with runtime.uow(write=False) as uow:
        owner = _issuer(uow, issuer)
        rows = uow.session.scalars(
            select(WebhookEndpointRow)
            .where(WebhookEndpointRow.issuer_id == owner.id)
            .order_by(WebhookEndpointRow.created_at, WebhookEndpointRow.id)
        )
        return tuple(_view(row, issuer) for row in rows)


def remove_endpoint(
    runtime: Runtime, actor: Actor, endpoint_id: str, *, issuer: str | None = None
) -> Endpoint:
    """Remove an endpoint with its pending events and its delivery log."""
    with runtime.uow() as uow:
        row, owner = _endpoint(uow, endpoint_id, issuer)
        authorise(actor, owner, "admin", what=_WHAT)
        gone = _view(row, owner)
        uow.session.delete(row)
        audit_trail.record(
            uow,
            action="webhook.removed",
            subject=f"webhook:{row.public_id}",
            details={"issuer": owner, "url": row.url},
            actor=audit_trail.user_actor(uow, actor.user_id),
        )
        uow.commit()
        return gone


def rotate_secret(
    runtime: Runtime, actor: Actor, endpoint_id: str, *, issuer: str | None = None
) -> NewSecret:
    """A new secret, used from the next attempt on (events already queued included)."""
    with runtime.uow() as uow:
        row, owner = _endpoint(uow, endpoint_id, issuer)
        authorise(actor, owner, "admin", what=_WHAT)
        secret = new_secret()
        row.secret_sealed = uow.personal.seal(secret, _seal_context(row.public_id))
        audit_trail.record(
            uow,
            action="webhook.secret_rotated",
            subject=f"webhook:{row.public_id}",
            details={"issuer": owner},
            actor=audit_trail.user_actor(uow, actor.user_id),
        )
        uow.commit()
        return NewSecret(_view(row, owner), secret)
