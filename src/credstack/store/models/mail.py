"""The mail outbox: messages owed to learners, written in the transaction of what caused them.

A row holds a reference (the kind, the learner, the award, a few non-personal details), not
the rendered message: the address and name stay sealed on the learner alone, so the outbox
holds no personal data to seal, an erased learner's address is simply gone when the sender
looks, and the links use the site's address at delivery time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from credstack.store.models.base import Base
from credstack.store.types import JsonDoc, UtcDateTime, utcnow

__all__ = ["OutboxMessageRow"]


class OutboxMessageRow(Base):
    """One message: `pending` until delivered (`sent`), given up on (`failed`), or found to
    have no one to go to (`dropped`: the learner has no address, or no longer has one)."""

    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_outbox_status_due", "status", "due_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(36), unique=True)
    """Random; the Message-ID is made from it, so a resent message can be recognised."""
    kind: Mapped[str] = mapped_column(String(40))
    learner_id: Mapped[int | None] = mapped_column(
        ForeignKey("learners.id", ondelete="CASCADE"), index=True
    )
    """None only for a message to a staff member (a sign-in link); `details` says to whom."""
    award_id: Mapped[int | None] = mapped_column(ForeignKey("awards.id", ondelete="CASCADE"))
    endpoint_id: Mapped[int | None] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), index=True
    )
    """Set for a webhook event (kind `webhook`): the endpoint it is POSTed to."""
    details: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    """Set for a message owed at most once whatever runs twice (a CE reminder per cycle and
    threshold, an award's expiry notice): the database refuses the second one."""
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    """When a sender may next take it: the next try, or the end of a sender's claim on it."""
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
