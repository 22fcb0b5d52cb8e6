"""What issuers offer: frameworks, achievements and assessments, versioned by content."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from credstack.store.models.base import Base
from credstack.store.types import JsonDoc, UtcDateTime, utcnow

__all__ = [
    "AchievementRow",
    "AchievementVersionRow",
    "AssessmentRow",
    "AssessmentVersionRow",
    "CatalogLoadRow",
    "CompetencyRow",
    "FrameworkRow",
    "PartnerRow",
]


class PartnerRow(Base):
    __tablename__ = "partners"
    __table_args__ = (UniqueConstraint("issuer_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(120))
    name: Mapped[str] = mapped_column(String(300))
    url: Mapped[str | None] = mapped_column(String(500))


class FrameworkRow(Base):
    __tablename__ = "frameworks"
    __table_args__ = (UniqueConstraint("issuer_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(120))
    name: Mapped[str] = mapped_column(String(300))
    url: Mapped[str | None] = mapped_column(String(500))
    version: Mapped[str | None] = mapped_column(String(60))


class CompetencyRow(Base):
    __tablename__ = "competencies"
    __table_args__ = (UniqueConstraint("framework_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(
        ForeignKey("frameworks.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(120))
    name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    code: Mapped[str | None] = mapped_column(String(120))


class AchievementRow(Base):
    """The stable identity of an achievement; its content lives in versions."""

    __tablename__ = "achievements"
    __table_args__ = (UniqueConstraint("issuer_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(120))
    current_version: Mapped[int] = mapped_column(Integer)


class AchievementVersionRow(Base):
    __tablename__ = "achievement_versions"
    __table_args__ = (UniqueConstraint("achievement_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    achievement_id: Mapped[int] = mapped_column(
        ForeignKey("achievements.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(300))
    content_hash: Mapped[str] = mapped_column(String(64))
    definition: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    status: Mapped[str] = mapped_column(String(20), default="published")
    """draft, in-review, approved, published, retired (quality review, story 09)."""
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class AssessmentRow(Base):
    __tablename__ = "assessments"
    __table_args__ = (UniqueConstraint("issuer_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(120))
    current_version: Mapped[int] = mapped_column(Integer)


class AssessmentVersionRow(Base):
    __tablename__ = "assessment_versions"
    __table_args__ = (UniqueConstraint("assessment_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    definition: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class CatalogLoadRow(Base):
    """One `catalog load`: what file, what it changed. Loads that change nothing are kept too."""

    __tablename__ = "catalog_loads"
    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(500))
    content_hash: Mapped[str] = mapped_column(String(64))
    summary: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    loaded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
