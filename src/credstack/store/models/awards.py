"""Learners holding achievements."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from credstack.store.models.base import Base
from credstack.store.types import JsonDoc, UtcDateTime, utcnow

__all__ = [
    "AwardRow",
]


class AwardRow(Base):
    """A learner holding one version of an achievement."""

    __tablename__ = "awards"
    __table_args__ = (
        # One active award per learner and achievement version, enforced by the database so two
        # simultaneous grants cannot both succeed; revoked and expired awards stay as history.
        Index(
            "uq_awards_active_learner_version",
            "learner_id",
            "achievement_version_id",
            unique=True,
            postgresql_where=text("status = 'active'"),
            sqlite_where=text("status = 'active'"),
        ),
        # One award per status-list index (migration 0033): the allocator's lock hands each
        # index out once, and the database refuses a second holder whatever wrote it.
        Index("uq_awards_status_list_index", "status_list_id", "status_list_index", unique=True),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(64), unique=True)
    learner_id: Mapped[int] = mapped_column(
        ForeignKey("learners.id", ondelete="CASCADE"), index=True
    )
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"), index=True)
    achievement_version_id: Mapped[int] = mapped_column(
        ForeignKey("achievement_versions.id"), index=True
    )
    awarded_on: Mapped[date] = mapped_column(Date)
    """The issuer's calendar day of `awarded_at`, kept for queries and reports."""
    awarded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    """The instant of the award (UTC); None only for rows older than migration 0007."""
    awarded_offset: Mapped[int | None] = mapped_column(Integer)
    """The UTC offset in minutes `awarded_at` was given with, so it can be shown as given."""
    valid_until: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="active")
    status_reason: Mapped[str | None] = mapped_column(Text)
    status_changed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    grade: Mapped[str | None] = mapped_column(String(10))
    score: Mapped[float | None] = mapped_column(Float)
    evidence: Mapped[list[Any]] = mapped_column(JsonDoc, default=list)
    counted: Mapped[list[str]] = mapped_column(JsonDoc, default=list)
    """Ids of the records the requirements counted (domain record ids), for dependants."""
    origin: Mapped[str] = mapped_column(String(20), default="manual")
    """automatic (the engine), manual (an issuer's user) or imported (another issuer's)."""
    review_flag: Mapped[str | None] = mapped_column(Text)
    """Why this award is no longer fully supported (a counted credential was revoked or lapsed)."""
    flagged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    credential: Mapped[dict[str, Any] | None] = mapped_column(JsonDoc)
    """The signed Open Badges 3.0 credential, as issued."""
    status_list_id: Mapped[int | None] = mapped_column(ForeignKey("status_lists.id"))
    status_list_index: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
