"""The master key that encrypts issuers' private keys and learners' personal data at rest.

Private keys are sealed with AES-256-GCM; the associated data binds each ciphertext to its
issuer and key id, so a sealed key copied onto another row does not decrypt. The master key
lives outside the database (a 0600 file in the data directory, or `CREDSTACK_MASTER_KEY`), so a
stolen database alone yields no signing keys.
"""

from __future__ import annotations

import base64
import hmac
import os
import secrets
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from credstack.errors import CredstackError

__all__ = ["MasterKey", "PersonalData", "normalise_email"]

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


_FIELDS_PURPOSE = b"credstack learner personal fields v1"
_LOOKUP_PURPOSE = b"credstack learner email lookup v1"


def normalise_email(email: str) -> str:
    """One spelling per address, so a look-up finds it however it was typed."""
    return unicodedata.normalize("NFC", email).strip().lower()


@dataclass(frozen=True)
class PersonalData:
    """Learners' names and e-mail addresses, sealed at rest, with a keyed hash for look-ups.

    Both keys are derived from the master key with HKDF under distinct purpose labels, so
    neither the sealing key nor the look-up key is the key that seals private signing keys,
    and a database dump without the master key reveals no address, not even by guessing
    addresses and hashing them (the look-up hash is keyed).
    """

    sealing_key: bytes
    lookup_key: bytes

    @classmethod
    def derive(cls, master: MasterKey) -> PersonalData:
        def hkdf(purpose: bytes) -> bytes:
            return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
                master.key
            )

        return cls(hkdf(_FIELDS_PURPOSE), hkdf(_LOOKUP_PURPOSE))

    @cached_property
    def _cipher(self) -> AESGCM:
        # One cipher object for every value (each still gets its own random nonce): a bulk
        # import seals two values per new learner, and setting the key up was a third of that.
        return AESGCM(self.sealing_key)

    def seal(self, value: str, context: str) -> bytes:
        nonce = secrets.token_bytes(_NONCE)
        return nonce + self._cipher.encrypt(nonce, value.encode(), context.encode())

    def open(self, sealed: bytes, context: str) -> str:
        try:
            plain = self._cipher.decrypt(sealed[:_NONCE], sealed[_NONCE:], context.encode())
        except InvalidTag as exc:
            raise CredstackError(
                "a learner's personal data could not be decrypted: wrong master key, or the "
                "value was moved to another learner"
            ) from exc
        return plain.decode()

    def lookup_hash(self, email: str) -> str:
        # The one-shot `hmac.digest` (C), not an `hmac.new` object: a bulk import hashes each
        # row's address when the file is checked and again when the learner is made.
        return hmac.digest(self.lookup_key, normalise_email(email).encode(), "sha256").hex()
