"""Share links a learner (or an issuer's admin for them) hands out: one credential or a bundle.

A link is a row, so it can be listed, counted and revoked. The token in its URL is random and
stored as it is: it leads only to credentials the learner chose to show, whose own URLs are
public anyway, and the learner must be able to copy their link again from the wallet.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from credstack.store.models.base import Base
from credstack.store.types import UtcDateTime, utcnow

__all__ = ["ShareLinkAwardRow", "ShareLinkRow"]


class ShareLinkRow(Base):
    """One link: live until `expires_on` (the issuer's calendar day) or until revoked."""

    __tablename__ = "share_links"
    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(36), unique=True)
    """How the wallet names the link in its forms (never the token)."""
    token: Mapped[str] = mapped_column(String(64), unique=True)
    learner_id: Mapped[int] = mapped_column(
        ForeignKey("learners.id", ondelete="CASCADE"), index=True
    )
    created_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    """The issuer's admin who made it for the learner; None when the learner made it."""
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_on: Mapped[date | None] = mapped_column(Date)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    views: Mapped[int] = mapped_column(Integer, default=0)
    last_viewed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ShareLinkAwardRow(Base):
    """A credential shown through a link, in the order the learner chose."""

    __tablename__ = "share_link_awards"
    share_link_id: Mapped[int] = mapped_column(
        ForeignKey("share_links.id", ondelete="CASCADE"), primary_key=True
    )
    award_id: Mapped[int] = mapped_column(
        ForeignKey("awards.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer)
