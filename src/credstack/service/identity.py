"""Issuers' decentralised identifiers: did:web served by credstack, or did:key.

A did:web issuer is `did:web:<host>:issuers:<key>`, so its DID document is served by
credstack itself at `/issuers/<key>/did.json` and any verifier can resolve it without asking
us for anything else; its keys rotate, and the document keeps every key with the time it was
retired. A did:key issuer's identity is its one key: verifiers need nothing from us at all,
but the key can never change (a new key would be a new issuer).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from credstack.errors import InvalidInput, NotFound
from credstack.store.models import IssuerRow, SigningKeyRow
from credstack.store.uow import UnitOfWork
from credstack.vc.keys import DID_KEY, decode_public_key_multibase
from credstack.vc.resolve import did_web_document

if TYPE_CHECKING:  # the runtime's key store depends on this module
    from credstack.service.runtime import Runtime

__all__ = [
    "DID_METHODS",
    "IssuerKey",
    "check_did_method",
    "did_document",
    "dids_of",
    "issuer_did",
    "issuer_did_document",
    "issuer_dids",
    "issuer_identity",
    "issuer_url",
    "key_document",
]

DID_METHODS = ("web", "key")


@dataclass(frozen=True)
class IssuerKey:
    """One key an issuer signs or signed with, as a verifier sees it."""

    did: str
    verification_method: str
    retired_at: datetime | None


def issuer_did(base_url: str, issuer_key: str) -> str:
    """The did:web DID credstack serves for an issuer (whatever method the issuer uses)."""
    parts = urlsplit(base_url)
    host = quote(parts.netloc, safe="")
    path = [p for p in parts.path.split("/") if p]
    return ":".join(["did:web", host, *path, "issuers", issuer_key])


def issuer_identity(uow: UnitOfWork, base_url: str, issuer: IssuerRow) -> str:
    """The DID the issuer's credentials name as their issuer."""
    if issuer.did_method == "key":
        return issuer_dids(uow, base_url, issuer)[0].did
    return issuer_did(base_url, issuer.key)


def issuer_dids(uow: UnitOfWork, base_url: str, issuer: IssuerRow) -> list[IssuerKey]:
    """Every (DID, key, retirement) that is this issuer's: what a verifier recognises as ours.

    did:web: one DID, every key it ever had (retired ones dated). did:key: the DID of its key.
    """
    return dids_of(base_url, issuer, uow.signing_keys.all(issuer.id))


def dids_of(base_url: str, issuer: IssuerRow, rows: Sequence[SigningKeyRow]) -> list[IssuerKey]:
    """`issuer_dids` from the issuer's key rows (oldest first), already read."""
    if issuer.did_method == "key":
        if not rows:  # pragma: no cover - add_issuer creates the key with the issuer
            raise NotFound(f"issuer {issuer.key} has no key, so no did:key identity")
        did = f"{DID_KEY}:{rows[0].public_key_multibase}"
        return [IssuerKey(did, f"{did}#{rows[0].public_key_multibase}", None)]
    did = issuer_did(base_url, issuer.key)
    return [IssuerKey(did, f"{did}#{row.key_id}", row.retired_at) for row in rows]


def issuer_url(base_url: str, issuer_key: str) -> str:
    return f"{base_url.rstrip('/')}/issuers/{issuer_key}"


def issuer_did_document(uow: UnitOfWork, base_url: str, issuer_key: str) -> dict[str, Any]:
    """Every key the issuer ever signed with, retired ones included, so old proofs still verify.

    A retired key carries its retirement instant, so proofs made after it are refused.
    """
    issuer = uow.issuers.by_key(issuer_key)
    if issuer is None:
        raise NotFound(f"unknown issuer {issuer_key!r}")
    if issuer.did_method == "key":
        raise NotFound(
            f"issuer {issuer_key!r} is identified by did:key, which needs no DID document: "
            f"{issuer_identity(uow, base_url, issuer)}"
        )
    return key_document(issuer_did(base_url, issuer_key), uow.signing_keys.all(issuer.id))


def key_document(did: str, rows: Sequence[SigningKeyRow]) -> dict[str, Any]:
    """`issuer_did_document` from the issuer's DID and key rows (oldest first), already read."""
    keys = [(row.key_id, decode_public_key_multibase(row.public_key_multibase)) for row in rows]
    retired = {row.key_id: row.retired_at for row in rows if row.retired_at is not None}
    return did_web_document(did, keys, retired)


def did_document(runtime: Runtime, issuer_key: str) -> dict[str, Any]:
    """The did:web issuer's DID document, where the did:web method says a resolver looks."""
    with runtime.uow(write=False) as uow:
        return issuer_did_document(uow, runtime.settings.base_url, issuer_key)


def check_did_method(method: str) -> str:
    if method not in DID_METHODS:
        raise InvalidInput(f"DID method {method!r}: use one of {', '.join(DID_METHODS)}")
    return method
