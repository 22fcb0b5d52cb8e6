"""Issuers' signing keys: created, rotated and unsealed only inside the key store.

The database holds key ids, public keys and sealed private keys; the master key that unseals
them is outside the database (see `store.secrets`). Rotation retires a key for signing but keeps
it listed in the DID document, so credentials signed with it stay verifiable. A did:key issuer
has exactly one key, since its identity is that key: it cannot rotate.

Two implementations of `IssuerKeys`: `KeyStore` (the installation's: private keys sealed in the
database) and `MemoryKeys` (private keys held only in the object: tests that need signing but
not the master key). Both publish the public halves as signing-key rows, because our issuers'
DIDs and DID documents, and so the verification of their credentials, are read from those.
"""

from __future__ import annotations

from collections.abc import Callable
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

__all__ = ["IssuerKeys", "KeyStore", "MemoryKeys", "OnceKeys"]


class IssuerKeys(Protocol):
    """What issuance, re-signing and the key commands need of issuers' keys.

    Every award is signed when it is made, so every service that can make or re-sign one takes
    `IssuerKeys`, never an optional one: `KeyStore` (sealed in the database) in production,
    `MemoryKeys` where only signing matters.
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
        return _new_key(
            self._uow,
            issuer,
            Ed25519PrivateKey.generate(),
            lambda key_id, raw: self._master.seal(raw, self._context(issuer, key_id)),
        )

    def signing_key(self, issuer: IssuerRow) -> SigningKey:
        row = _active(self._uow, issuer)
        if not row.encrypted_private_key:
            raise NotFound(
                f"issuer {issuer.key}'s key {row.key_id} was made in memory (`MemoryKeys`) and "
                "its private half was never stored"
            )
        raw = self._master.open(row.encrypted_private_key, self._context(issuer, row.key_id))
        return _ready(issuer, self._base_url, Ed25519PrivateKey.from_private_bytes(raw))


class OnceKeys(KeyStore):
    """A `KeyStore` that unseals each issuer's signing key once, on first use, instead of once
    per credential: for a unit of work that signs many (a bulk import's run, a re-evaluation
    batch). A key rotated after the first use is not seen by this object; use it for one run
    or one unit of work, not for a long-lived process."""

    def __init__(self, uow: UnitOfWork, master: MasterKey, base_url: str) -> None:
        super().__init__(uow, master, base_url)
        self._unsealed: dict[int, SigningKey] = {}

    def signing_key(self, issuer: IssuerRow) -> SigningKey:
        found = self._unsealed.get(issuer.id)
        if found is None:
            found = self._unsealed[issuer.id] = super().signing_key(issuer)
        return found


class MemoryKeys:
    """`IssuerKeys` whose private halves live only in this object, never in the database.

    For tests that need every award signed but have nothing to say about sealing or the master
    key. The signing-key rows it writes hold the public half and an empty sealed column, so only
    the object that made a key can sign with it; `KeyStore` refuses such a row.
    """

    def __init__(self, uow: UnitOfWork, base_url: str) -> None:
        self._uow = uow
        self._base_url = base_url
        self._private: dict[str, Ed25519PrivateKey] = {}

    @property
    def base_url(self) -> str:
        """Where the issuers' DIDs point; credentials signed with these keys name it too."""
        return self._base_url

    def create(self, issuer: IssuerRow) -> SigningKeyRow:
        """A new active key, kept here; any earlier active key is retired (and kept listed)."""
        private = Ed25519PrivateKey.generate()
        row = _new_key(self._uow, issuer, private, lambda _key_id, _raw: b"")
        self._private[row.key_id] = private
        return row

    def signing_key(self, issuer: IssuerRow) -> SigningKey:
        row = _active(self._uow, issuer)
        private = self._private.get(row.key_id)
        if private is None:
            raise NotFound(
                f"issuer {issuer.key}'s key {row.key_id} was not made by this in-memory key store"
            )
        return _ready(issuer, self._base_url, private)


def _new_key(
    uow: UnitOfWork,
    issuer: IssuerRow,
    private: Ed25519PrivateKey,
    seal: Callable[[str, bytes], bytes],
) -> SigningKeyRow:
    """A new active key row (the private half as `seal` keeps it); earlier ones are retired."""
    existing = uow.signing_keys.all(issuer.id)
    if issuer.did_method == "key" and existing:
        raise Conflict(
            f"issuer {issuer.key} is identified by did:key, so its key is its identity and "
            "cannot be rotated; a did:web issuer (`credstack issuer add ... --did-method web`) "
            "can rotate keys"
        )
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
        encrypted_private_key=seal(key_id, raw),
        created_at=now,
    )
    uow.signing_keys.add(row)
    audit_trail.record(
        uow,
        action="key.rotated" if retired else "key.created",
        subject=f"issuer:{issuer.key}",
        details={"key": key_id, "retired": retired},
    )
    return row


def _active(uow: UnitOfWork, issuer: IssuerRow) -> SigningKeyRow:
    row = uow.signing_keys.active(issuer.id)
    if row is None:
        raise NotFound(
            f"issuer {issuer.key} has no active signing key: run "
            f"`credstack issuer rotate-key {issuer.key}`"
        )
    return row


def _ready(issuer: IssuerRow, base_url: str, private: Ed25519PrivateKey) -> SigningKey:
    """The private key as the issuer signs with it: under its did:key, or its did:web DID."""
    if issuer.did_method == "key":
        return signing_key_from_private_key(DID_KEY, private)
    return signing_key_from_private_key(issuer_did(base_url, issuer.key), private)
