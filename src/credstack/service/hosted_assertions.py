"""Fetching an Open Badges 2.0 *hosted* assertion, its BadgeClass and its issuer's profile, for
an import only: a hosted assertion is verified by finding the issuer still publishes it.

These are URLs a stranger chose, so the fetch follows did:web's rules (`service.did_web`) and
the outbound address guard (`service.outbound`): https only, the host resolved and
every address it has public (not private, loopback, link-local or reserved; plain http and
loopback only with `CREDSTACK_DID_WEB_HTTP_LOCALHOST`, for tests), no redirects, 3 s and
64 KiB per document, and at most `MAX_FETCHES` documents per verification. A document that
cannot be had is None, which the verifier reports as not retrieved; what is fetched counts
only as far as the trust directory names the issuer (the import refuses an unlisted one).
The public verifier (`/api/v1/verify`) never fetches.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx

from credstack.config import Settings
from credstack.errors import InvalidInput
from credstack.limits import DID_WEB_TIMEOUT_SECONDS, MAX_DID_DOCUMENT_BYTES
from credstack.service.outbound import check_url, pinned

__all__ = ["MAX_FETCHES", "HostedFetcher"]

MAX_FETCHES = 6
"""An assertion, its BadgeClass, its issuer and a revocation list, with room to spare."""
_ACCEPT = {"accept": "application/ld+json, application/json"}


class HostedFetcher:
    """The documents one verification fetches, each once (the verifier asks more than once)."""

    def __init__(self, settings: Settings) -> None:
        self._loopback = settings.did_web_http_localhost
        self._seen: dict[str, Mapping[str, Any] | None] = {}

    def __call__(self, url: str) -> Mapping[str, Any] | None:
        if url not in self._seen:
            if len(self._seen) >= MAX_FETCHES:
                return None
            self._seen[url] = self._fetch(url)
        return self._seen[url]

    def _fetch(self, url: str) -> Mapping[str, Any] | None:
        try:
            checked = check_url(url, allow_loopback=self._loopback, resolve=False)
            if not checked.startswith("https://") and not self._loopback:
                return None
            target = pinned(checked, allow_loopback=self._loopback)
            with (
                httpx.Client(timeout=DID_WEB_TIMEOUT_SECONDS, follow_redirects=False) as client,
                client.stream(
                    "GET",
                    target.url,
                    headers={**_ACCEPT, **target.headers},
                    extensions=target.extensions,
                ) as answer,
            ):
                # 410 Gone is how OB 2.0 says a hosted assertion was revoked: read its body.
                if answer.status_code not in (200, 410):
                    return None
                body = bytearray()
                for chunk in answer.iter_bytes():
                    body.extend(chunk)
                    if len(body) > MAX_DID_DOCUMENT_BYTES:
                        return None
            document = json.loads(bytes(body))
        except (InvalidInput, OSError, httpx.HTTPError, ValueError, RecursionError):
            return None
        return document if isinstance(document, dict) else None
