"""The OpenID provider's discovery document and signing keys, kept between sign-ins.

Fetching both on every sign-in costs two round trips to the provider and makes every sign-in
fail while the provider's discovery endpoint is slow or down. They change rarely, so they are
kept for as long as the provider's `Cache-Control: max-age` allows, at most `MAX_KEPT` (a
provider that says nothing: `DEFAULT_KEPT`; `no-store` or `no-cache`: not kept). Keys are
fetched again, once, when an ID token names a key (`kid`) the kept set does not have: the
provider has rotated its keys. One per runtime (`Caches.oidc`), keyed by the issuer.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["DEFAULT_KEPT", "MAX_KEPT", "ProviderDocuments", "kept_for"]

MAX_KEPT = 3600.0
"""Seconds at most, whatever the provider says: a key it withdraws stops counting within."""
DEFAULT_KEPT = 300.0
_MAX_AGE = re.compile(r"(?:^|,)\s*max-age\s*=\s*\"?(\d{1,10})\"?\s*(?:,|$)", re.IGNORECASE)
_NOT_KEPT = re.compile(r"(?:^|,)\s*(?:no-store|no-cache)\s*(?:,|$)", re.IGNORECASE)


def kept_for(cache_control: str | None) -> float:
    """Seconds a document may be kept, from its `Cache-Control` header."""
    if cache_control is None:
        return DEFAULT_KEPT
    if _NOT_KEPT.search(cache_control):
        return 0.0
    found = _MAX_AGE.search(cache_control)
    if found is None:
        return DEFAULT_KEPT
    return min(float(found.group(1)), MAX_KEPT)


@dataclass(frozen=True)
class _Kept:
    document: Mapping[str, Any]
    until: float


class ProviderDocuments:
    """Documents by (issuer, kind), each until its time is up (monotonic clock)."""

    def __init__(self) -> None:
        self._kept: dict[tuple[str, str], _Kept] = {}
        self._lock = threading.Lock()

    def get(self, issuer: str, kind: str) -> Mapping[str, Any] | None:
        with self._lock:
            kept = self._kept.get((issuer, kind))
            if kept is None or kept.until <= time.monotonic():
                self._kept.pop((issuer, kind), None)
                return None
            return kept.document

    def put(self, issuer: str, kind: str, document: Mapping[str, Any], seconds: float) -> None:
        if seconds <= 0:
            return
        with self._lock:
            self._kept[(issuer, kind)] = _Kept(document, time.monotonic() + seconds)

    def forget(self, issuer: str, kind: str) -> None:
        with self._lock:
            self._kept.pop((issuer, kind), None)
