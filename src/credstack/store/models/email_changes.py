"""A learner's pending change of e-mail address: it takes effect only through a one-time link
mailed to the new address.

Like a sign-in link, only the SHA-256 of the token is kept for look-up, and the token is kept
sealed only until its message is delivered. The new address waits sealed, with its keyed
look-up hash, so the learner's own row (what identifies them) changes only when the link is
followed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from credstack.store.models.base import Base
from credstack.store.types import UtcDateTime, utcnow

__all__ = ["EmailChangeRow"]


class EmailChangeRow(Base):
    __tablename__ = "email_changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    learner_id: Mapped[int] = mapped_column(
        ForeignKey("learners.id", ondelete="CASCADE"), index=True
    )
    email_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    """The new address, sealed like a learner's own."""
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
