"""Standard Webhooks signatures: `v1,` + base64 HMAC-SHA256 of `{id}.{timestamp}.{body}`.

Written here (a dozen lines of the standard library) rather than taken from the
`standardwebhooks` package, whose client side is what receivers use; the tests verify every
delivery with that package, so the two cannot drift apart.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

__all__ = ["PREFIX", "new_secret", "signature"]

PREFIX = "whsec_"
_SECRET_BYTES = 32


def new_secret() -> str:
    """A fresh secret in the spec's form: `whsec_` and 32 random bytes in base64."""
    return PREFIX + base64.b64encode(secrets.token_bytes(_SECRET_BYTES)).decode()


def signature(secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` header's value for one attempt."""
    key = base64.b64decode(secret.removeprefix(PREFIX))
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()
