"""Issuers, people and their credentials to act: roles, API tokens, signing keys."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from credstack.store.models.base import Base
from credstack.store.types import UtcDateTime, utcnow

__all__ = [
    "ApiTokenRow",
    "IssuerRow",
    "MembershipRow",
    "SessionRow",
    "SigningKeyRow",
    "UserRow",
]


class IssuerRow(Base):
    __tablename__ = "issuers"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(40))
    url: Mapped[str | None] = mapped_column(String(500))
    email: Mapped[str | None] = mapped_column(String(300))
    review_required: Mapped[bool] = mapped_column(Boolean, default=False)
    """New achievement versions start as drafts and are issued only once published."""
    did_method: Mapped[str] = mapped_column(String(8), default="web", server_default="web")
    """"web" (did:web served by us, keys rotate) or "key" (did:key: the one key is the identity)."""
    timezone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    """IANA zone whose calendar days the issuer's dates count in (domain.calendar.day_of)."""
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class UserRow(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(300), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class MembershipRow(Base):
    """A user's role at one issuer, optionally scoped to one program (mentors attest in theirs)."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "issuer_id", "role", "scope"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(40))
    scope: Mapped[str] = mapped_column(String(120), default="")


class ApiTokenRow(Base):
    """Only a SHA-256 of the token is kept: tokens are 256-bit random, so no slow hash is needed."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class SessionRow(Base):
    """Someone signed in to the pages: the cookie holds a random id, we keep its hash.

    Either a staff member (`user_id`) or a learner (`learner_id`), never both. A staff session
    opened with an API token is tied to it, so revoking the token ends the session too.
    """

    __tablename__ = "sessions"
    __table_args__ = (
        CheckConstraint("(user_id IS NULL) <> (learner_id IS NULL)", name="one_holder"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    id_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    learner_id: Mapped[int | None] = mapped_column(
        ForeignKey("learners.id", ondelete="CASCADE"), index=True
    )
    token_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_tokens.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class SigningKeyRow(Base):
    """An issuer's Ed25519 key: public part in clear, private part encrypted by the master key."""

    __tablename__ = "signing_keys"
    __table_args__ = (UniqueConstraint("issuer_id", "key_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"), index=True)
    key_id: Mapped[str] = mapped_column(String(120))
    public_key_multibase: Mapped[str] = mapped_column(String(120))
    encrypted_private_key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
