"""What learners did: assessment attempts, attestations, course completions.

Every attempt is kept, pass or fail; an import is idempotent by the platform's attempt id.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from credstack.store.models.base import Base
from credstack.store.types import JsonDoc, UtcDateTime, utcnow

__all__ = ["AssessmentAttemptRow", "AttestationRow", "CourseCompletionRow"]


class AssessmentAttemptRow(Base):
    __tablename__ = "assessment_attempts"
    __table_args__ = (UniqueConstraint("issuer_id", "external_attempt_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(64), unique=True)
    learner_id: Mapped[int] = mapped_column(
        ForeignKey("learners.id", ondelete="CASCADE"), index=True
    )
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"), index=True)
    assessment_version_id: Mapped[int] = mapped_column(
        ForeignKey("assessment_versions.id"), index=True
    )
    external_attempt_id: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(20))
    """responses (credstack scored them), external (a test platform's total), rubric."""
    sat_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sat_offset: Mapped[int | None] = mapped_column(Integer)
    """The UTC offset in minutes `sat_at` was reported with (None: recorded before 0007)."""
    raw_score: Mapped[float] = mapped_column(Float)
    max_score: Mapped[float] = mapped_column(Float)
    percent: Mapped[float] = mapped_column(Float)
    passed: Mapped[bool] = mapped_column(Boolean)
    responses: Mapped[dict[str, Any] | None] = mapped_column(JsonDoc)
    scored_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    proctoring: Mapped[str] = mapped_column(String(30), default="none")
    proctored_by: Mapped[str | None] = mapped_column(String(300))
    identity_method: Mapped[str | None] = mapped_column(String(100))
    identity_verified_by: Mapped[str | None] = mapped_column(String(300))
    identity_verified_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class AttestationRow(Base):
    """A mentor's or supervisor's statement that a learner has a skill."""

    __tablename__ = "attestations"
    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(64), unique=True)
    learner_id: Mapped[int] = mapped_column(
        ForeignKey("learners.id", ondelete="CASCADE"), index=True
    )
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"), index=True)
    attester_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(40))
    program: Mapped[str] = mapped_column(String(120), default="")
    subject: Mapped[str | None] = mapped_column(String(120))
    """The achievement the attestation is for, when it names one."""
    statement: Mapped[str] = mapped_column(Text)
    attested_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class CourseCompletionRow(Base):
    """A training provider's record that a learner completed a course."""

    __tablename__ = "course_completions"
    __table_args__ = (UniqueConstraint("issuer_id", "external_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(64), unique=True)
    learner_id: Mapped[int] = mapped_column(
        ForeignKey("learners.id", ondelete="CASCADE"), index=True
    )
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"), index=True)
    external_id: Mapped[str | None] = mapped_column(String(200))
    provider: Mapped[str] = mapped_column(String(120))
    course: Mapped[str] = mapped_column(String(200))
    hours: Mapped[float] = mapped_column(Float)
    grade: Mapped[str | None] = mapped_column(String(10))
    credits: Mapped[float | None] = mapped_column(Float)
    completed_on: Mapped[date] = mapped_column(Date)
    recorded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
