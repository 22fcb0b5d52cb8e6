"""Holder DIDs: a learner's own DID, proven by a signed challenge, and the challenges.

A binding is kept only after the learner signed a DID-authentication presentation over a
challenge we made; later credentials then name that DID as ``credentialSubject.id``. One DID
per learner: binding another replaces it (credentials already issued keep the old one).

A challenge is 256 random bits of which only the SHA-256 is kept; it is for one purpose
(binding from the wallet page, or one credential's exchange with a wallet app), lives a few
minutes and is used once (a conditional UPDATE sets ``used_at``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from credstack.store.models.base import Base
from credstack.store.types import UtcDateTime, utcnow

__all__ = ["HolderChallengeRow", "HolderDidRow"]

DID_MAX = 2048
"""A DID of any method we resolve fits easily; the bound keeps hostile input small."""


class HolderDidRow(Base):
    __tablename__ = "holder_dids"
    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(
        ForeignKey("learners.id", ondelete="CASCADE"), unique=True
    )
    did: Mapped[str] = mapped_column(String(DID_MAX))
    bound_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class HolderChallengeRow(Base):
    """``award_id`` is set for a wallet exchange (that credential only), None for binding."""

    __tablename__ = "holder_challenges"
    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_hash: Mapped[str] = mapped_column(String(64), unique=True)
    learner_id: Mapped[int] = mapped_column(
        ForeignKey("learners.id", ondelete="CASCADE"), index=True
    )
    award_id: Mapped[int | None] = mapped_column(ForeignKey("awards.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
