"""Where the server may send a request to a URL someone else chose: the guard against making
it a proxy into its own network.

Webhooks, hosted Open Badges 2.0 assertions and did:web documents all go through here. A URL is
https to a public address. A host named in the URL is resolved and every address it has is
checked (for a webhook when the endpoint is added, and for every kind before each request: a
name can be repointed after it was checked), and the connection is then made to an address
that was checked (`pinned`), not to whatever the name resolves to a moment later, so a name
that answers a public address to the check and a private one to the connection (DNS
rebinding) gets nowhere; redirects are never followed. Loopback (`http://` or `https://` to
this machine) is allowed only when the caller's setting says so
(`CREDSTACK_WEBHOOKS_ALLOW_LOOPBACK`, `CREDSTACK_DID_WEB_HTTP_LOCALHOST`), for tests and local
development.
"""

from __future__ import annotations

import ipaddress
import socket
from contextlib import suppress
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from credstack.errors import InvalidInput

__all__ = ["MAX_URL", "Pinned", "check_url", "pinned", "resolve_checked"]

MAX_URL = 2000
"""As long as a URL browsers and proxies reliably accept."""

_LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _allowed(address: Address, allow_loopback: bool) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback:
        return allow_loopback
    return address.is_global and not address.is_multicast


def _literal(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def check_url(url: str, *, allow_loopback: bool, resolve: bool = True) -> str:
    """The URL as given when it may be an endpoint; InvalidInput saying why not otherwise."""
    url = url.strip()
    if len(url) > MAX_URL:
        raise InvalidInput(f"a webhook URL has at most {MAX_URL} characters")
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host:
        raise InvalidInput("a webhook URL is an absolute https:// URL")
    if parts.username is not None or parts.password is not None:
        raise InvalidInput("a webhook URL carries no user name or password: the secret signs")
    if parts.fragment:
        raise InvalidInput("a webhook URL has no #fragment")
    literal = _literal(host)
    loopback = host in _LOOPBACK_NAMES or (literal is not None and literal.is_loopback)
    if loopback and not allow_loopback:
        raise InvalidInput(
            f"{host} is this machine: allowed only with CREDSTACK_WEBHOOKS_ALLOW_LOOPBACK=1"
        )
    if parts.scheme == "http" and not loopback:
        raise InvalidInput("a webhook URL must use https:// (http:// only to this machine)")
    if literal is not None and not _allowed(literal, allow_loopback):
        raise InvalidInput(f"{host} is a private or reserved address: webhooks go to public ones")
    if resolve and literal is None and not loopback:
        with suppress(OSError):  # not resolvable today: checked again before every POST
            resolve_checked(url, allow_loopback=allow_loopback)
    return url


def resolve_checked(url: str, *, allow_loopback: bool) -> list[str]:
    """Every address the URL's host has, when all are allowed; InvalidInput when one is not
    (a host with a public and a private address could be steered to the private one);
    OSError when the name does not resolve."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = sorted({str(info[4][0]) for info in found})
    for text in addresses:
        if not _allowed(ipaddress.ip_address(text.split("%")[0]), allow_loopback):
            raise InvalidInput(f"{host} resolves to {text}, a private or reserved address")
    return addresses


@dataclass(frozen=True)
class Pinned:
    """A request aimed at one checked address: its URL names the address, the `Host` header
    and (for https) the TLS server name the host, so the certificate is still checked
    against the host."""

    url: str
    headers: dict[str, str]
    extensions: dict[str, Any]


def pinned(url: str, *, allow_loopback: bool) -> Pinned:
    """`url` resolved and checked (`resolve_checked`'s errors), aimed at the first address."""
    addresses = resolve_checked(url, allow_loopback=allow_loopback)
    parts = urlsplit(url)
    address = addresses[0].split("%")[0]
    literal = f"[{address}]" if ":" in address else address
    netloc = literal if parts.port is None else f"{literal}:{parts.port}"
    target = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    extensions: dict[str, Any] = {"sni_hostname": parts.hostname} if parts.scheme == "https" else {}
    return Pinned(target, {"host": parts.netloc}, extensions)
