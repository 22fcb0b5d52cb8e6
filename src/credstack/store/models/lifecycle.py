"""What happens to awards after they are made: events, status lists, CE cycles, reviews."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from credstack.store.models.base import Base
from credstack.store.types import UtcDateTime, utcnow

__all__ = [
    "AwardEventRow",
    "CeCountRow",
    "CeCycleRow",
    "FreeStatusIndexRow",
    "ReviewEventRow",
    "StatusListRow",
]


class AwardEventRow(Base):
    """The audit trail of an award: issued, revoked, flagged, kept, expired, renewed."""

    __tablename__ = "award_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("awards.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str | None] = mapped_column(Text)
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class StatusListRow(Base):
    """One Bitstring Status List of an issuer, for one purpose (revocation or suspension)."""

    __tablename__ = "status_lists"
    __table_args__ = (UniqueConstraint("issuer_id", "list_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"), index=True)
    list_key: Mapped[str] = mapped_column(String(60))
    purpose: Mapped[str] = mapped_column(String(20))
    size: Mapped[int] = mapped_column(Integer)
    next_index: Mapped[int] = mapped_column(Integer, default=0)
    bits: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class FreeStatusIndexRow(Base):
    """An index below its list's `next_index` that no award holds: it was set aside for an
    import row that then failed or took the single-award path. The next index handed out, to
    an import or a single award, is the lowest free one, so the gap lasts only until then."""

    __tablename__ = "free_status_indexes"
    status_list_id: Mapped[int] = mapped_column(
        ForeignKey("status_lists.id", ondelete="CASCADE"), primary_key=True
    )
    status_list_index: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)


class CeCycleRow(Base):
    """One continuing-education cycle of a certification award."""

    __tablename__ = "ce_cycles"
    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("awards.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open")
    """open, compliant (renewed into the next), lapsed."""
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class CeCountRow(Base):
    """An activity counted in a cycle; unique per award, so it counts in one cycle only."""

    __tablename__ = "ce_counts"
    __table_args__ = (UniqueConstraint("counted_award_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(
        ForeignKey("ce_cycles.id", ondelete="CASCADE"), index=True
    )
    counted_award_id: Mapped[int] = mapped_column(ForeignKey("awards.id", ondelete="CASCADE"))


class ReviewEventRow(Base):
    """A step of the quality review of an achievement version, with the reviewer's comment."""

    __tablename__ = "review_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    achievement_version_id: Mapped[int] = mapped_column(
        ForeignKey("achievement_versions.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str | None] = mapped_column(Text)
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
