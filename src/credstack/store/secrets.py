"""The master key that encrypts issuers' private keys at rest.

Private keys are sealed with AES-256-GCM; the associated data binds each ciphertext to its
issuer and key id, so a sealed key copied onto another row does not decrypt. The master key
lives outside the database (a 0600 file in the data directory, or `CREDSTACK_MASTER_KEY`), so a
stolen database alone yields no signing keys.
"""

from __future__ import annotations

import base64
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from credstack.errors import CredstackError

__all__ = ["MasterKey"]

_NONCE = 12


@dataclass(frozen=True)
class MasterKey:
    key: bytes

    @classmethod
    def generate(cls) -> MasterKey:
        return cls(AESGCM.generate_key(bit_length=256))

    @classmethod
    def load(cls, path: Path, configured: str | None = None) -> MasterKey:
        """The key `configured` in the settings (base64, from `CREDSTACK_MASTER_KEY`) if any,
        else the file; never created implicitly."""
        if configured:
            return cls._decode(configured, "CREDSTACK_MASTER_KEY")
        if not path.exists():
            raise CredstackError(f"no master key at {path}: run `credstack init` first")
        return cls._decode(path.read_text().strip(), str(path))

    @classmethod
    def load_or_create(cls, path: Path, configured: str | None = None) -> MasterKey:
        """As `load`, but a missing file is created (0600) with a new key: `credstack init`."""
        if configured or path.exists():
            return cls.load(path, configured)
        key = cls.generate()
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(base64.b64encode(key.key).decode() + "\n")
        return key

    @classmethod
    def _decode(cls, text: str, where: str) -> MasterKey:
        try:
            raw = base64.b64decode(text, validate=True)
        except ValueError as exc:
            raise CredstackError(f"the master key in {where} is not base64") from exc
        if len(raw) != 32:
            raise CredstackError(f"the master key in {where} must be 32 bytes")
        return cls(raw)

    def seal(self, plaintext: bytes, context: str) -> bytes:
        nonce = secrets.token_bytes(_NONCE)
        return nonce + AESGCM(self.key).encrypt(nonce, plaintext, context.encode())

    def open(self, sealed: bytes, context: str) -> bytes:
        try:
            return AESGCM(self.key).decrypt(sealed[:_NONCE], sealed[_NONCE:], context.encode())
        except InvalidTag as exc:
            raise CredstackError(
                "a private key could not be decrypted: wrong master key, or the key was moved"
            ) from exc
