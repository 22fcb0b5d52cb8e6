"""One POST of one webhook event, for the outbox's sender (`service.mail.sender`).

The body is rebuilt from the outbox row on every attempt, byte for byte the same (keys
sorted: PostgreSQL's JSONB does not keep their order), so a retry or a redelivery carries the
same `webhook-id` and the same payload; only `webhook-timestamp` and the signature are new.
A receiver deduplicates on `webhook-id`: a crash after the receiver answered and before the
attempt was recorded sends the event again (at least once, as for mail).

Retries follow the Standard Webhooks schedule: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h
after each failed attempt, then the event counts as failed (eight attempts in about 28 h).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx

from credstack.errors import InvalidInput
from credstack.service.issuance import credential_url, verification_url
from credstack.service.outbound import pinned
from credstack.service.webhooks.endpoints import endpoint_secret
from credstack.service.webhooks.signing import signature
from credstack.store.models import OutboxMessageRow, WebhookAttemptRow, WebhookEndpointRow
from credstack.store.uow import UnitOfWork

__all__ = [
    "RETRY_SCHEDULE",
    "TIMEOUT_SECONDS",
    "Attempt",
    "Request",
    "body_of",
    "post",
    "prepare",
    "record",
    "retry_after",
]

RETRY_SCHEDULE = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
TIMEOUT_SECONDS = 10.0
_EXCERPT = 200
_READ_AT_MOST = 1024
_USER_AGENT = "credstack-webhooks"


def retry_after(attempts: int) -> timedelta | None:
    """The wait after the `attempts`-th failed attempt, or None: give up."""
    return RETRY_SCHEDULE[attempts - 1] if attempts <= len(RETRY_SCHEDULE) else None


@dataclass(frozen=True)
class Request:
    """What one attempt sends; `secret` stays in memory for the signature only."""

    webhook_id: str
    url: str
    body: bytes
    secret: str

    def __repr__(self) -> str:  # never a secret in a log line or a traceback
        return f"Request({self.webhook_id!r}, {self.url!r})"


@dataclass(frozen=True)
class Attempt:
    delivered: bool
    status_code: int | None
    error: str | None
    duration_ms: int
    excerpt: str | None
    permanent: bool = False
    """Retrying cannot help (the address is not allowed)."""


def body_of(row: OutboxMessageRow, base_url: str) -> bytes:
    """The payload `{"type", "timestamp", "data"}`, with the credential's public URLs."""
    details = row.details
    data: dict[str, Any] = dict(details["data"])
    credential = dict(data.get("credential") or {})
    if "id" in credential:
        credential["url"] = credential_url(base_url, credential["id"])
        credential["verify_url"] = verification_url(base_url, credential["id"])
        data["credential"] = credential
    payload = {"type": details["type"], "timestamp": details["timestamp"], "data": data}
    return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()


def prepare(uow: UnitOfWork, row: OutboxMessageRow, base_url: str) -> Request | None:
    """None when the endpoint is gone (its events go with it, so only in a race)."""
    if row.endpoint_id is None:
        return None
    endpoint = uow.session.get(WebhookEndpointRow, row.endpoint_id)
    if endpoint is None:
        return None
    secret = endpoint_secret(uow, endpoint)
    return Request(row.public_id, endpoint.url, body_of(row, base_url), secret)


def post(request: Request, sent_at: datetime, *, allow_loopback: bool) -> Attempt:
    """POST once: 2xx is delivered; anything else, or no answer within the timeout, is not.
    Redirects are not followed (a 3xx is a failure), and the response is read only as far as
    a short excerpt."""
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        target = pinned(request.url, allow_loopback=allow_loopback)
    except InvalidInput as exc:
        return Attempt(False, None, f"refused: {exc}", took(), None, permanent=True)
    except OSError as exc:
        return Attempt(False, None, f"cannot resolve the host: {exc}"[:300], took(), None)
    timestamp = int(sent_at.timestamp())
    headers = {
        "content-type": "application/json",
        "user-agent": _USER_AGENT,
        "webhook-id": request.webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(request.secret, request.webhook_id, timestamp, request.body),
    }
    try:
        client = httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False, trust_env=False)
        with (
            client,
            client.stream(
                "POST",
                target.url,
                content=request.body,
                headers={**headers, **target.headers},
                extensions=target.extensions,
            ) as response,
        ):
            read = b""
            for chunk in response.iter_bytes():
                read += chunk
                if len(read) >= _READ_AT_MOST:
                    break
            excerpt = read[:_READ_AT_MOST].decode("utf-8", "replace")[:_EXCERPT] or None
            ok = 200 <= response.status_code < 300
            error = None if ok else f"HTTP {response.status_code}"
            return Attempt(ok, response.status_code, error, took(), excerpt)
    except httpx.HTTPError as exc:
        return Attempt(False, None, f"{exc.__class__.__name__}: {exc}"[:300], took(), None)


def record(uow: UnitOfWork, outbox_id: int, attempt: Attempt, at: datetime) -> None:
    """The delivery log's line for one attempt."""
    uow.session.add(
        WebhookAttemptRow(
            outbox_id=outbox_id,
            attempted_at=at,
            status_code=attempt.status_code,
            error=attempt.error,
            duration_ms=attempt.duration_ms,
            excerpt=attempt.excerpt,
        )
    )
