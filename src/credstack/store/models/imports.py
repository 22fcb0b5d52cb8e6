"""Credentials a learner holds from elsewhere, imported into their wallet after verifying.

The credential is kept exactly as it arrived (the JSON document, and the compact JWT when it
came as one), so it can be handed on and verified again by anyone; the columns beside it are
what credstack read from it once it had verified it, so listing and counting never re-parse.
A learner holds a credential once: importing it again replaces the row (by credential id).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from credstack.store.models.base import Base
from credstack.store.types import JsonDoc, UtcDateTime, utcnow

__all__ = ["ImportedCredentialRow"]


class ImportedCredentialRow(Base):
    __tablename__ = "imported_credentials"
    __table_args__ = (UniqueConstraint("learner_id", "credential_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(36), unique=True)
    learner_id: Mapped[int] = mapped_column(
        ForeignKey("learners.id", ondelete="CASCADE"), index=True
    )
    credential_id: Mapped[str] = mapped_column(String(2048))
    """The credential's own `id` (an OB 2.0 assertion's `id`)."""
    source_format: Mapped[str] = mapped_column(String(20))
    """What was presented: json, jwt, png, svg (as the verifier named it)."""
    credential: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    """The document as signed, unchanged."""
    compact: Mapped[str | None] = mapped_column(Text)
    """The compact JWS it arrived as (VC-JWT, OB 2.0 signed), which is what carries its proof."""
    issuer_ref: Mapped[str] = mapped_column(String(2048))
    """The issuer's id as the credential gives it (its DID, or an OB 2.0 profile URL)."""
    issuer_name: Mapped[str] = mapped_column(String(300))
    """The recognised name when the verifier recognised the signer, else the claimed one."""
    issuer_url: Mapped[str | None] = mapped_column(String(2048))
    """The recognised issuer's web site from the operator's trust list: what a catalog's
    partner `url` is matched against. None when the issuer was not recognised."""
    achievement_ref: Mapped[str] = mapped_column(String(2048))
    achievement_name: Mapped[str] = mapped_column(String(300))
    achievement_type: Mapped[str] = mapped_column(String(40))
    credits: Mapped[float | None] = mapped_column(Float)
    valid_from: Mapped[datetime] = mapped_column(UtcDateTime)
    valid_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    verified_at: Mapped[datetime] = mapped_column(UtcDateTime)
    verification: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    """The verification report when it was imported (`service.verification.result_json`)."""
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(20), default="active", server_default="active")
    """What its issuer last said (`AwardStatus`): active, revoked, suspended, or expired once
    its last valid day has passed. Only an active import counts toward stacks."""
    status_changed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    checked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    """When the nightly run last re-checked its status (None: not since it was imported)."""
    check_failure: Mapped[str | None] = mapped_column(String(500))
    """Why the last re-check could not tell (its status list unreachable, say): the status
    above is then the last known one, kept."""
