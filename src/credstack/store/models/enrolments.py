"""Learners enrolled in an issuer's programs: who a program's mentors may attest for."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from credstack.store.models.base import Base
from credstack.store.types import UtcDateTime, utcnow

__all__ = ["EnrolmentRow"]


class EnrolmentRow(Base):
    """A learner in one program of one issuer (e.g. Acme's management program).

    An attestation is evidence only when the attester is accountable for the learner: a
    mentor of the program attesting for a learner enrolled in it (story 07).
    """

    __tablename__ = "enrolments"
    __table_args__ = (UniqueConstraint("issuer_id", "program", "learner_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"), index=True)
    program: Mapped[str] = mapped_column(String(120))
    learner_id: Mapped[int] = mapped_column(
        ForeignKey("learners.id", ondelete="CASCADE"), index=True
    )
    enrolled_on: Mapped[date] = mapped_column(Date)
    enrolled_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
