"""Sign-in links: a one-time, expiring link by e-mail that opens a page session.

Only the SHA-256 of the link's token is kept for look-up. Until the message carrying it has
been handed to the mail server, the token is also kept sealed (under a key derived from the
master key) so the outbox can write the message; it is wiped on delivery and on use, so a copy
of the database taken afterwards holds no usable link. The link is bound to the browser that
asked for it: `browser_hash` is the hash of a random cookie set on that browser.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from credstack.store.models.base import Base
from credstack.store.types import UtcDateTime, utcnow

__all__ = ["SigninLinkRow"]


class SigninLinkRow(Base):
    """For a learner, a staff member, or both when one address is both (they choose)."""

    __tablename__ = "signin_links"
    __table_args__ = (
        CheckConstraint("learner_id IS NOT NULL OR user_id IS NOT NULL", name="some_holder"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    browser_hash: Mapped[str] = mapped_column(String(64))
    learner_id: Mapped[int | None] = mapped_column(
        ForeignKey("learners.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    next_path: Mapped[str | None] = mapped_column(String(500))
    """Where to go after sign-in: a path on this site, checked when it was asked for."""
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
