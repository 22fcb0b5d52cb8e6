"""Learners: who holds credentials, with their personal data sealed at rest.

A learner's name and e-mail address are stored only sealed (AES-GCM under a key derived from
the master key, see `store.secrets.PersonalData`); `email_lookup` is a keyed hash of the
normalised address, so an address can be looked up without being stored. `identity_hash` is
the salted hash that credentials carry as the subject's identifier: kept apart from the
address so credentials can be signed without it, and so they still match after erasure.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from credstack.store.models.base import Base
from credstack.store.types import UtcDateTime, utcnow

__all__ = ["LearnerRow", "new_public_id"]


class LearnerRow(Base):
    """A person who holds credentials, from any number of issuers."""

    __tablename__ = "learners"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    """The registrar's id (`ana`): used by staff in the CLI and the API, never in page URLs."""
    public_id: Mapped[str] = mapped_column(String(22), unique=True)
    """Opaque and random: what learner page URLs carry."""
    legacy_name: Mapped[str | None] = mapped_column("name", String(300))
    """Plaintext from before sealing; emptied by `credstack db upgrade`, never written."""
    legacy_email: Mapped[str | None] = mapped_column("email", String(300), unique=True)
    """Plaintext from before sealing; emptied by `credstack db upgrade`, never written."""
    name_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    email_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    email_lookup: Mapped[str | None] = mapped_column(String(64), unique=True)
    identity_salt: Mapped[str] = mapped_column(String(64))
    identity_hash: Mapped[str] = mapped_column(String(80))
    identity_type: Mapped[str] = mapped_column(String(20))
    """`emailAddress`, or `systemId` when the learner has no address to hash."""
    erased_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


def new_public_id() -> str:
    """22 random base64url characters, at least one upper-case, so never a learner's key.

    Never starting with ``-``: a command line would read such an id as an option.
    """
    while True:
        candidate = secrets.token_urlsafe(16)
        if candidate != candidate.lower() and not candidate.startswith("-"):
            return candidate
