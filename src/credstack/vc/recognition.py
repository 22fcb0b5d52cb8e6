"""Who issued a credential, as far as this verifier knows: recognised, unrecognised, or not.

A valid signature proves only that whoever holds a key signed the document; the name written
in it is self-declared, and anyone can make a fresh ``did:key`` and call themselves anything.
So the name a verifier shows comes from an ``IssuerDirectory`` the operator controls (this
server's own issuers and the trust lists it was given), looked up by the DID that actually
signed, never from the credential. A credential that claims a recognised issuer (by id, URL
or name) but is signed by a DID that issuer never used is an impersonation.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from typing import Any

__all__ = ["IssuerDirectory", "KnownIssuer", "Recognition", "RecognitionStatus", "recognise"]


class RecognitionStatus(StrEnum):
    RECOGNISED = "recognised"
    UNRECOGNISED = "unrecognised"
    IMPERSONATION = "impersonation"


@dataclass(frozen=True)
class KnownIssuer:
    """An issuer the operator recognises: the identifiers it signs with and its real name."""

    dids: tuple[str, ...]
    name: str
    url: str | None = None
    source: str = "this server"
    aliases: tuple[str, ...] = ()
    """Other identifiers it is known by (profile page, web site), which a forger may copy."""


@dataclass(frozen=True)
class IssuerDirectory:
    """Whom a verifier recognises, looked up through indexes built once per directory.

    A trust list may name tens of thousands of issuers and a group verification asks about
    each of up to fifty credentials: scanning the list (and folding every name) per look-up
    made a large list cost seconds per request, so each look-up is a dictionary access. Where
    several issuers match, the first in the list wins, as it did when the list was scanned.
    """

    issuers: tuple[KnownIssuer, ...] = ()
    then: IssuerDirectory | None = None
    """Asked when ``issuers`` has no match: a trust list's directory, indexed once and shared
    by every verifier, after a verifier's own issuers (read per request, and few)."""

    @cached_property
    def _by_did(self) -> dict[str, int]:
        index: dict[str, int] = {}
        for position, known in enumerate(self.issuers):
            for did in known.dids:
                index.setdefault(did, position)
        return index

    @cached_property
    def _by_identifier(self) -> dict[str, int]:
        index: dict[str, int] = {}
        for position, known in enumerate(self.issuers):
            for ident in (*known.dids, *known.aliases, *([known.url] if known.url else [])):
                index.setdefault(ident, position)
        return index

    @cached_property
    def _by_name(self) -> dict[str, int]:
        index: dict[str, int] = {}
        for position, known in enumerate(self.issuers):
            index.setdefault(_fold(known.name), position)
        return index

    def by_did(self, did: str) -> KnownIssuer | None:
        position = self._by_did.get(did)
        if position is not None:
            return self.issuers[position]
        return self.then.by_did(did) if self.then is not None else None

    def claimed(self, issuer: Mapping[str, Any]) -> KnownIssuer | None:
        """The recognised issuer a credential's issuer field names, by id, URL or name."""
        ident, url, name = _str(issuer.get("id")), _str(issuer.get("url")), _str(issuer.get("name"))
        wanted = _fold(name) if name else None
        found = [
            *(self._by_identifier.get(value) for value in (ident, url) if value is not None),
            self._by_name.get(wanted) if wanted else None,
        ]
        positions = [p for p in found if p is not None]
        if positions:
            return self.issuers[min(positions)]
        return self.then.claimed(issuer) if self.then is not None else None


@dataclass(frozen=True)
class Recognition:
    """The issuer-recognition outcome, kept apart from the cryptographic checks."""

    status: RecognitionStatus
    signer: str | None
    name: str | None = None
    claimed_name: str | None = None
    source: str | None = None
    impersonated: str | None = None

    @property
    def message(self) -> str:
        signer = self.signer or "an unknown key"
        if self.status is RecognitionStatus.RECOGNISED:
            return (
                f"Issued by {self.name}, a recognised issuer ({self.source}); signed by {signer}."
            )
        if self.status is RecognitionStatus.IMPERSONATION:
            return (
                f"The credential claims to be from {self.impersonated}, but it was signed by "
                f"{signer}, which {self.impersonated} never used: an impersonation."
            )
        calls = f'calls itself "{self.claimed_name}", ' if self.claimed_name else ""
        return f"The issuer {signer} {calls}not a recognised issuer."

    def as_json(self) -> dict[str, str | None]:
        return {
            "status": self.status.value,
            "signer": self.signer,
            "name": self.name,
            "claimed_name": self.claimed_name,
            "source": self.source,
            "impersonated": self.impersonated,
            "message": self.message,
        }


def recognise(issuer: object, signer: str | None, directory: IssuerDirectory | None) -> Recognition:
    """Recognise the signer; a claim on a recognised issuer it is not is an impersonation."""
    profile: Mapping[str, Any] = (
        issuer if isinstance(issuer, Mapping) else {"id": issuer} if isinstance(issuer, str) else {}
    )
    claimed_name = _str(profile.get("name"))
    directory = directory or IssuerDirectory()
    known = directory.by_did(signer) if signer else None
    claimed = directory.claimed(profile)
    if claimed is not None and claimed is not known and signer not in claimed.dids:
        return Recognition(
            RecognitionStatus.IMPERSONATION,
            signer,
            name=known.name if known else None,
            claimed_name=claimed_name,
            impersonated=claimed.name,
        )
    if known is not None:
        return Recognition(
            RecognitionStatus.RECOGNISED,
            signer,
            name=known.name,
            claimed_name=claimed_name,
            source=known.source,
        )
    return Recognition(RecognitionStatus.UNRECOGNISED, signer, claimed_name=claimed_name)


def _fold(name: str) -> str:
    return re.sub(r"\W+", " ", name).strip().casefold()


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
