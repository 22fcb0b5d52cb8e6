"""Fetching a learner's did:web DID document: the one place credstack reads a URL a stranger chose.

Only to resolve the DID a learner presents in DID authentication, and only after the challenge
they answered proved to be a live one of ours, so nobody can make us fetch at will. The
request is bounded: https only (plain http only for localhost, and only when the settings say
so, for tests), no redirects at all (a redirect could point anywhere, including inside our own
network), a short deadline and a size cap on the answer.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import httpx

from credstack.config import Settings
from credstack.errors import InvalidInput
from credstack.limits import DID_WEB_TIMEOUT_SECONDS, MAX_DID_DOCUMENT_BYTES
from credstack.service.outbound import pinned
from credstack.vc.resolve import did_web_url

__all__ = ["fetch_did_document"]

_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1"})
_ACCEPT = {"accept": "application/did+json, application/json"}


def _url(did: str, settings: Settings) -> str:
    try:
        url = did_web_url(did)
    except ValueError as exc:
        raise InvalidInput(f"{did} is not a did:web DID") from exc
    host = urlsplit(url).hostname or ""
    if settings.did_web_http_localhost and host in _LOCAL_HOSTS:
        url = "http://" + url.removeprefix("https://")
    return url


def fetch_did_document(did: str, settings: Settings) -> dict[str, Any]:
    """The DID document served for `did`, or why it could not be resolved."""
    url = _url(did, settings)
    unresolved = f"the DID {did} could not be resolved from {url}"
    try:
        # Only public addresses (this machine too under the test switch), and the connection
        # goes to the address checked: a DID must not make the server a proxy into its network.
        target = pinned(url, allow_loopback=settings.did_web_http_localhost)
    except InvalidInput as exc:
        raise InvalidInput(f"{unresolved}: {exc}") from exc
    except OSError as exc:
        raise InvalidInput(f"{unresolved}: its host does not resolve") from exc
    try:
        with (
            httpx.Client(timeout=DID_WEB_TIMEOUT_SECONDS, follow_redirects=False) as client,
            client.stream(
                "GET",
                target.url,
                headers={**_ACCEPT, **target.headers},
                extensions=target.extensions,
            ) as answer,
        ):
            if answer.status_code != 200:
                raise InvalidInput(f"{unresolved}: it answered HTTP {answer.status_code}")
            body = bytearray()
            for chunk in answer.iter_bytes():
                body.extend(chunk)
                if len(body) > MAX_DID_DOCUMENT_BYTES:
                    raise InvalidInput(
                        f"{unresolved}: the document is over {MAX_DID_DOCUMENT_BYTES} bytes"
                    )
    except httpx.HTTPError as exc:
        raise InvalidInput(f"{unresolved} ({type(exc).__name__})") from exc
    try:
        document = json.loads(bytes(body))
    except (ValueError, RecursionError) as exc:
        raise InvalidInput(f"{unresolved}: the answer is not JSON") from exc
    if not isinstance(document, dict) or document.get("id") != did:
        raise InvalidInput(f"{unresolved}: the document there is not the DID document of {did}")
    return document
