"""Was this credential issued to the holder of a given e-mail address?

Open Badges hide the address: the subject carries ``sha256$hex(address + salt)`` with the salt
beside it (OB 3.0 ``IdentityObject``, OB 2.0 ``recipient``), so the verifier who knows the
address recomputes the hash with that credential's own salt. Nothing here reveals an address.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["MAX_EMAIL_LENGTH", "RecipientCheck", "check_recipient", "email_identities"]

MAX_EMAIL_LENGTH = 254
"""The longest address SMTP can deliver to (RFC 5321 path limit)."""


@dataclass(frozen=True)
class RecipientCheck:
    email: str
    matches: bool | None
    """None when the credential names its holder by something other than an e-mail address."""

    @property
    def message(self) -> str:
        if self.matches is None:
            return (
                "The credential does not identify its holder by an e-mail address, so it cannot "
                f"be checked against {self.email}."
            )
        answer = "yes" if self.matches else "no"
        return f"Issued to the holder of {self.email}: {answer}."

    def as_json(self) -> dict[str, Any]:
        return {"email": self.email, "matches": self.matches, "message": self.message}


def email_identities(credential: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The e-mail identity objects a credential's subject (or OB 2.0 recipient) carries."""
    found: list[Mapping[str, Any]] = []
    subjects = credential.get("credentialSubject")
    for subject in subjects if isinstance(subjects, list) else [subjects]:
        if not isinstance(subject, Mapping):
            continue
        identifiers = subject.get("identifier")
        for item in identifiers if isinstance(identifiers, list) else [identifiers]:
            if isinstance(item, Mapping) and item.get("identityType") == "emailAddress":
                found.append(
                    {
                        "hashed": item.get("hashed"),
                        "identity": item.get("identityHash"),
                        "salt": item.get("salt"),
                    }
                )
    recipient = credential.get("recipient")
    if isinstance(recipient, Mapping) and recipient.get("type") == "email":
        found.append(recipient)
    return found


def identity_matches(identity: Mapping[str, Any], email: str) -> bool:
    value, salt = identity.get("identity"), identity.get("salt")
    if not isinstance(value, str):
        return False
    address = email.strip().lower()
    if identity.get("hashed") is not True:
        return value.strip().lower() == address
    salt_text = salt if isinstance(salt, str) else ""
    algorithm, _, digest = value.partition("$")
    if algorithm.lower() != "sha256":
        return False
    # credstack hashes the trimmed, lower-cased address; others may hash it as typed.
    candidates = {address + salt_text, email.strip() + salt_text}
    return any(hashlib.sha256(c.encode()).hexdigest() == digest.lower() for c in candidates)


def check_recipient(credential: Mapping[str, Any] | None, email: str) -> RecipientCheck:
    identities = email_identities(credential or {})
    if not identities:
        return RecipientCheck(email, None)
    return RecipientCheck(email, any(identity_matches(i, email) for i in identities))
