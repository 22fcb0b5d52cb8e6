"""Ed25519 signing keys and their Multikey text form.

A key is named by its verification method (``controller#fragment``) because that is what a
proof carries and what a verifier resolves; the private half never leaves this object, so
callers such as a key store hand a ``SigningKey`` to ``sign`` without touching raw bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from credstack.vc.multibase import MultibaseError, decode_base58btc, encode_base58btc

__all__ = [
    "DID_KEY",
    "KeyFormatError",
    "SigningKey",
    "decode_private_key_multibase",
    "decode_public_key_multibase",
    "did_key",
    "generate_signing_key",
    "private_key_multibase",
    "public_key_multibase",
    "signing_key_from_private_key",
]

# Multicodec varint prefixes (multiformats table): ed25519-pub 0xed, ed25519-priv 0x1300.
_ED25519_PUB = b"\xed\x01"
_ED25519_PRIV = b"\x80\x26"
DID_KEY = "did:key"


class KeyFormatError(ValueError):
    """Text that should hold an Ed25519 Multikey but does not."""


@dataclass(frozen=True)
class SigningKey:
    verification_method: str
    private_key: Ed25519PrivateKey

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.private_key.public_key()

    @property
    def controller(self) -> str:
        return self.verification_method.split("#", 1)[0]

    def __repr__(self) -> str:
        # Keeps private material out of logs and tracebacks.
        return f"SigningKey(verification_method={self.verification_method!r})"


def public_key_multibase(pk: Ed25519PublicKey) -> str:
    raw = pk.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return encode_base58btc(_ED25519_PUB + raw)


@lru_cache(maxsize=1024)
def decode_public_key_multibase(s: str) -> Ed25519PublicKey:
    # Memoised by the key text: a verifier meets the same few issuer keys over and over, and
    # decoding one costs about as much as canonicalising a proof configuration. Bounded;
    # what raises is not remembered.
    raw = _decode_multikey(s, _ED25519_PUB, "public")
    return Ed25519PublicKey.from_public_bytes(raw)


def private_key_multibase(sk: Ed25519PrivateKey) -> str:
    raw = sk.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return encode_base58btc(_ED25519_PRIV + raw)


def decode_private_key_multibase(s: str) -> Ed25519PrivateKey:
    raw = _decode_multikey(s, _ED25519_PRIV, "private")
    return Ed25519PrivateKey.from_private_bytes(raw)


def did_key(pk: Ed25519PublicKey) -> str:
    """The did:key DID of a public key; its one verification method is ``did#multikey``."""
    return f"{DID_KEY}:{public_key_multibase(pk)}"


def signing_key_from_private_key(controller: str, private_key: Ed25519PrivateKey) -> SigningKey:
    """Name an existing key; ``controller="did:key"`` derives the did:key DID from the key.

    The fragment is the Multikey itself, as did:key requires and as the OB 3.0 validator's
    ``controller#publicKeyMultibase`` convention expects; it also keeps rotated keys of one
    controller apart without a counter.
    """
    multikey = public_key_multibase(private_key.public_key())
    if controller == DID_KEY:
        controller = f"{DID_KEY}:{multikey}"
    if not controller or "#" in controller:
        raise KeyFormatError("A controller is a DID or URL without a '#' fragment.")
    return SigningKey(verification_method=f"{controller}#{multikey}", private_key=private_key)


def generate_signing_key(controller: str) -> SigningKey:
    return signing_key_from_private_key(controller, Ed25519PrivateKey.generate())


def _decode_multikey(s: str, prefix: bytes, kind: str) -> bytes:
    try:
        data = decode_base58btc(s)
    except MultibaseError as exc:
        raise KeyFormatError(f"The {kind} key is not multibase base58btc: {exc}") from exc
    if not data.startswith(prefix) or len(data) != len(prefix) + 32:
        raise KeyFormatError(f"The {kind} key is not an Ed25519 Multikey.")
    return data[len(prefix) :]
