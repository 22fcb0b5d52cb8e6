"""Issuers' signing keys: created, rotated and unsealed only inside the key store.

The database holds key ids, public keys and sealed private keys; the master key that unseals
them is outside the database (see `store.secrets`). Rotation retires a key for signing but keeps
it listed in the DID document, so credentials signed with it stay verifiable. A did:key issuer
has exactly one key, since its identity is that key: it cannot rotate.
"""

from __future__ import annotations

from typing import Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from credstack.errors import Conflict, NotFound
from credstack.service import audit_trail, clock
from credstack.service.identity import issuer_did
from credstack.store.models import IssuerRow, SigningKeyRow
from credstack.store.secrets import MasterKey
from credstack.store.uow import UnitOfWork
from credstack.vc.keys import (
    DID_KEY,
    SigningKey,
    public_key_multibase,
    signing_key_from_private_key,
)

__all__ = ["IssuerKeys", "KeyStore"]


class IssuerKeys(Protocol):
    """What issuance, re-signing and the key commands need of issuers' keys.

    Every award is signed when it is made, so every service that can make or re-sign one takes
    a `IssuerKeys`, never an optional one. `KeyStore` is the implementation: keys sealed in
    the database, their public halves in the signing-key rows that our issuers' DID documents
    (and so verification) are read from.
    """

    @property
    def base_url(self) -> str:
        """Where the issuers' DIDs point; credentials signed with these keys name it too."""
        ...

    def create(self, issuer: IssuerRow) -> SigningKeyRow:
        """A new active key for the issuer; an earlier active one is retired, not removed."""
        ...

    def signing_key(self, issuer: IssuerRow) -> SigningKey:
        """The issuer's active key, ready to sign."""
        ...


class KeyStore:
    """`IssuerKeys` sealed in the database with the master key."""

    def __init__(self, uow: UnitOfWork, master: MasterKey, base_url: str) -> None:
        self._uow = uow
        self._master = master
        self._base_url = base_url

    @property
    def base_url(self) -> str:
        """Where the issuers' DIDs point; credentials signed with these keys name it too."""
        return self._base_url

    @staticmethod
    def _context(issuer: IssuerRow, key_id: str) -> str:
        return f"credstack signing key {issuer.key} {key_id}"

    def create(self, issuer: IssuerRow) -> SigningKeyRow:
        """A new active key; any earlier active key is retired (kept for verification)."""
        existing = self._uow.signing_keys.all(issuer.id)
        if issuer.did_method == "key" and existing:
            raise Conflict(
                f"issuer {issuer.key} is identified by did:key, so its key is its identity and "
                "cannot be rotated; a did:web issuer (`credstack issuer add ... --did-method web`) "
                "can rotate keys"
            )
        private = Ed25519PrivateKey.generate()
        key_id = public_key_multibase(private.public_key())
        raw = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        now = clock.now()
        retired = []
        for row in existing:
            if row.retired_at is None:
                row.retired_at = now
                retired.append(row.key_id)
        row = SigningKeyRow(
            issuer_id=issuer.id,
            key_id=key_id,
            public_key_multibase=key_id,
            encrypted_private_key=self._master.seal(raw, self._context(issuer, key_id)),
            created_at=now,
        )
        self._uow.signing_keys.add(row)
        audit_trail.record(
            self._uow,
            action="key.rotated" if retired else "key.created",
            subject=f"issuer:{issuer.key}",
            details={"key": key_id, "retired": retired},
        )
        return row

    def signing_key(self, issuer: IssuerRow) -> SigningKey:
        row = self._uow.signing_keys.active(issuer.id)
        if row is None:
            raise NotFound(
                f"issuer {issuer.key} has no active signing key: run "
                f"`credstack issuer rotate-key {issuer.key}`"
            )
        raw = self._master.open(row.encrypted_private_key, self._context(issuer, row.key_id))
        private = Ed25519PrivateKey.from_private_bytes(raw)
        if issuer.did_method == "key":
            return signing_key_from_private_key(DID_KEY, private)
        return signing_key_from_private_key(issuer_did(self._base_url, issuer.key), private)
