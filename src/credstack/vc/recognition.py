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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
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
    issuers: tuple[KnownIssuer, ...] = ()

    def by_did(self, did: str) -> KnownIssuer | None:
        return next((i for i in self.issuers if did in i.dids), None)

    def claimed(self, issuer: Mapping[str, Any]) -> KnownIssuer | None:
        """The recognised issuer a credential's issuer field names, by id, URL or name."""
        ident, url, name = _str(issuer.get("id")), _str(issuer.get("url")), _str(issuer.get("name"))
        wanted = _fold(name) if name else None
        for known in self.issuers:
            ids = {*known.dids, *known.aliases, *([known.url] if known.url else [])}
            if (ident is not None and ident in ids) or (url is not None and url in ids):
                return known
            if wanted and wanted == _fold(known.name):
                return known
        return None

    def merged(self, more: Iterable[KnownIssuer]) -> IssuerDirectory:
        return IssuerDirectory((*self.issuers, *more))


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
