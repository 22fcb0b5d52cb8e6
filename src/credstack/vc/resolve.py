"""Turning a proof's verification method into a public key, without the network.

did:key carries its key in the identifier, so it resolves locally. did:web (and plain https
controller documents) resolve only from documents the caller supplies: the verifier decides
which issuers it trusts and where their keys came from, and a credential can never make us
fetch a URL of its choosing. A controller document may list several keys; rotated-out keys
stay listed so credentials signed with them keep verifying, each with the instant it was
retired (``revoked``, a dateTimeStamp in the Controlled Identifiers spec): a proof that says
it was made after that instant is refused, so a leaked old key cannot sign new credentials
that pass as current ones.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import quote, unquote

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from credstack.vc.keys import (
    DID_KEY,
    KeyFormatError,
    decode_public_key_multibase,
    public_key_multibase,
)

__all__ = [
    "DID_V1_CONTEXT",
    "MULTIKEY_V1_CONTEXT",
    "DidResolver",
    "KeyResolver",
    "ResolvedKey",
    "did_web_document",
    "did_web_url",
    "format_instant",
    "parse_instant",
]

DID_V1_CONTEXT = "https://www.w3.org/ns/did/v1"
MULTIKEY_V1_CONTEXT = "https://w3id.org/security/multikey/v1"
_KEY_TYPES = frozenset({"Multikey", "Ed25519VerificationKey2020", "JsonWebKey2020", "JsonWebKey"})
_MAX_REMEMBERED = 1024
_MAX_REMEMBERED_CHARS = 512
_RELATIONSHIPS = (
    "assertionMethod",
    "authentication",
    "capabilityInvocation",
    "capabilityDelegation",
    "keyAgreement",
)


@dataclass(frozen=True)
class ResolvedKey:
    public_key: Ed25519PublicKey
    controller: str
    # Verification relationships the controller document grants this key; None means the
    # method grants them all by construction (did:key).
    purposes: frozenset[str] | None = None
    # When the controller retired the key (the method's ``revoked``); None while it is in use.
    retired_at: datetime | None = None

    def allows(self, proof_purpose: str) -> bool:
        return self.purposes is None or proof_purpose in self.purposes

    def refusal(self, signed_at: datetime | None, what: str = "proof") -> str | None:
        """Why a signature made at ``signed_at`` cannot count; None when it can.

        A retired key's signature counts only when it says it was made before the
        retirement; one that does not say when it was made cannot show that.
        """
        if self.retired_at is None:
            return None
        retired = format_instant(self.retired_at)
        if signed_at is None:
            return (
                f"The credential was signed with a key retired on {retired}, and the {what} "
                "does not say when it was made, so it cannot show it predates the retirement."
            )
        if signed_at > self.retired_at:
            return (
                f"The credential was signed with a key retired on {retired}; the {what} was "
                f"made on {format_instant(signed_at)}, after the key was retired."
            )
        return None


class KeyResolver(Protocol):
    def resolve(self, verification_method: str) -> ResolvedKey | None: ...


class DidResolver:
    """Resolves did:key locally and did:web / https controllers from an allow-list.

    ``did_web_documents`` maps a DID (or an https controller URL) to its controller
    document, exactly as served at ``did_web_url(did)``. The documents are taken as they are
    at construction (a changed directory is a new resolver): what a listed method resolves
    to is remembered, since a server verifying with one resolver meets the same few keys
    over and over and each look-up walks the document's methods and relationships.
    """

    def __init__(self, did_web_documents: Mapping[str, dict[str, Any]] | None = None) -> None:
        self._documents: dict[str, dict[str, Any]] = dict(did_web_documents or {})
        self._resolved: dict[str, ResolvedKey | None] = {}

    def resolve(self, verification_method: str) -> ResolvedKey | None:
        controller, _, fragment = verification_method.partition("#")
        if controller.startswith(f"{DID_KEY}:"):
            return _resolve_did_key(controller, fragment)
        document = self._documents.get(controller)
        if document is None or document.get("id", controller) != controller:
            return None
        if verification_method in self._resolved:
            return self._resolved[verification_method]
        resolved = _resolve_in_document(document, verification_method)
        # Bounded in entries and in each id's length: method ids come from strangers.
        if len(verification_method) <= _MAX_REMEMBERED_CHARS:
            if len(self._resolved) >= _MAX_REMEMBERED:
                self._resolved.clear()
            self._resolved[verification_method] = resolved
        return resolved


def did_web_document(
    did: str,
    keys: Sequence[tuple[str, Ed25519PublicKey]],
    retired: Mapping[str, datetime] | None = None,
) -> dict[str, Any]:
    """A DID document listing every key, newest or not, as an assertion method.

    Each pair is ``(fragment or full verification method id, public key)``; keep old keys
    in the list after rotation so earlier credentials still verify. ``retired`` maps a
    name from ``keys`` to when that key stopped signing; it is published as ``revoked``.
    """
    if not did.startswith("did:web:"):
        raise ValueError(f"{did!r} is not a did:web DID.")
    methods = []
    for name, public_key in keys:
        method_id = name if name.startswith(f"{did}#") else f"{did}#{name.lstrip('#')}"
        method = {
            "id": method_id,
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": public_key_multibase(public_key),
        }
        retired_at = (retired or {}).get(name)
        if retired_at is not None:
            method["revoked"] = format_instant(retired_at)
        methods.append(method)
    ids = [m["id"] for m in methods]
    return {
        "@context": [DID_V1_CONTEXT, MULTIKEY_V1_CONTEXT],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": list(ids),
        "authentication": list(ids),
    }


def did_web_url(did: str) -> str:
    """Where a did:web document is served (did:web method spec, "Read (Resolve)")."""
    if not did.startswith("did:web:"):
        raise ValueError(f"{did!r} is not a did:web DID.")
    host, *path = did.removeprefix("did:web:").split(":")
    base = "https://" + unquote(host)
    if not path:
        return f"{base}/.well-known/did.json"
    return base + "/" + "/".join(quote(unquote(p), safe="") for p in path) + "/did.json"


def _resolve_did_key(did: str, fragment: str) -> ResolvedKey | None:
    multikey = did.removeprefix(f"{DID_KEY}:")
    if fragment and fragment != multikey:
        return None
    try:
        public_key = decode_public_key_multibase(multikey)
    except KeyFormatError:
        return None
    return ResolvedKey(public_key=public_key, controller=did)


def _resolve_in_document(document: dict[str, Any], method_id: str) -> ResolvedKey | None:
    controller_id = str(document["id"])
    listed = _listed_methods(document)
    method = next((m for m in listed if _absolute(m.get("id"), controller_id) == method_id), None)
    if method is None or method.get("type") not in _KEY_TYPES:
        return None
    if _absolute(method.get("controller", controller_id), controller_id) != controller_id:
        return None
    public_key = _public_key_of(method)
    if public_key is None:
        return None
    purposes = frozenset(
        relationship
        for relationship in _RELATIONSHIPS
        for entry in _as_list(document.get(relationship))
        if _absolute(entry if isinstance(entry, str) else entry.get("id"), controller_id)
        == method_id
    )
    revoked = method.get("revoked")
    retired_at = parse_instant(revoked) if revoked is not None else None
    if revoked is not None and retired_at is None:
        return None  # an unreadable retirement must not read as "never retired"
    return ResolvedKey(
        public_key=public_key, controller=controller_id, purposes=purposes, retired_at=retired_at
    )


def format_instant(moment: datetime) -> str:
    """An XSD dateTimeStamp in UTC with whole seconds, as DID documents and proofs carry."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_instant(value: object) -> datetime | None:
    """A dateTimeStamp (with a zone; a bare local time is not an instant), else None."""
    if not isinstance(value, str) or "T" not in value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _listed_methods(document: dict[str, Any]) -> list[dict[str, Any]]:
    # Keys may be listed once under verificationMethod or embedded in a relationship.
    found = [m for m in _as_list(document.get("verificationMethod")) if isinstance(m, dict)]
    for relationship in _RELATIONSHIPS:
        found.extend(m for m in _as_list(document.get(relationship)) if isinstance(m, dict))
    return found


def _public_key_of(method: dict[str, Any]) -> Ed25519PublicKey | None:
    try:
        if "publicKeyMultibase" in method:
            return decode_public_key_multibase(str(method["publicKeyMultibase"]))
        jwk = method.get("publicKeyJwk")
        if isinstance(jwk, dict) and jwk.get("kty") == "OKP" and jwk.get("crv") == "Ed25519":
            x = str(jwk["x"])
            raw = base64.urlsafe_b64decode(x + "=" * (-len(x) % 4))
            return Ed25519PublicKey.from_public_bytes(raw)
    except (KeyFormatError, KeyError, ValueError, binascii.Error):
        return None
    return None


def _absolute(method_id: object, controller_id: str) -> str | None:
    if not isinstance(method_id, str):
        return None
    return controller_id + method_id if method_id.startswith("#") else method_id


def _as_list(value: object) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
