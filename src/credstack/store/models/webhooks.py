"""Webhook endpoints per issuer, and the log of each attempt to deliver an event to one.

The events themselves are rows of the outbox (`mail_outbox`, kind `webhook`, with the
endpoint they go to): one queue and one sender for mail and webhooks alike. An endpoint's
secret is kept sealed under the master key; it is shown once, when made or rotated.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from credstack.store.models.base import Base
from credstack.store.types import JsonDoc, UtcDateTime, utcnow

__all__ = ["WebhookAttemptRow", "WebhookEndpointRow"]


class WebhookEndpointRow(Base):
    """Where an issuer wants its events POSTed, and which events."""

    __tablename__ = "webhook_endpoints"
    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(36), unique=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[list[str]] = mapped_column(JsonDoc, default=list)
    secret_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    """`whsec_...`, sealed with the endpoint's public id as associated data."""
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class WebhookAttemptRow(Base):
    """One POST of one event: when, how long, and what came back (a short excerpt only)."""

    __tablename__ = "webhook_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    outbox_id: Mapped[int] = mapped_column(
        ForeignKey("mail_outbox.id", ondelete="CASCADE"), index=True
    )
    attempted_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    status_code: Mapped[int | None] = mapped_column(Integer)
    """None when no response came (refused, timed out, address not allowed)."""
    error: Mapped[str | None] = mapped_column(String(300))
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    excerpt: Mapped[str | None] = mapped_column(String(200))
