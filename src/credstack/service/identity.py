"""Issuers' decentralised identifiers, derived from where the server is reachable.

An issuer is `did:web:<host>:issuers:<key>`, so its DID document is served by credstack itself
at `/issuers/<key>/did.json` and any verifier can resolve it without asking us for anything else.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlsplit

from credstack.errors import NotFound
from credstack.store.uow import UnitOfWork
from credstack.vc.keys import decode_public_key_multibase
from credstack.vc.resolve import did_web_document

__all__ = ["issuer_did", "issuer_did_document", "issuer_url"]


def issuer_did(base_url: str, issuer_key: str) -> str:
    parts = urlsplit(base_url)
    host = quote(parts.netloc, safe="")
    path = [p for p in parts.path.split("/") if p]
    return ":".join(["did:web", host, *path, "issuers", issuer_key])


def issuer_url(base_url: str, issuer_key: str) -> str:
    return f"{base_url.rstrip('/')}/issuers/{issuer_key}"


def issuer_did_document(uow: UnitOfWork, base_url: str, issuer_key: str) -> dict[str, Any]:
    """Every key the issuer ever signed with, retired ones included, so old proofs still verify.

    A retired key carries its retirement instant, so proofs made after it are refused.
    """
    issuer = uow.issuers.by_key(issuer_key)
    if issuer is None:
        raise NotFound(f"unknown issuer {issuer_key!r}")
    rows = uow.signing_keys.all(issuer.id)
    keys = [(row.key_id, decode_public_key_multibase(row.public_key_multibase)) for row in rows]
    retired = {row.key_id: row.retired_at for row in rows if row.retired_at is not None}
    return did_web_document(issuer_did(base_url, issuer_key), keys, retired)
