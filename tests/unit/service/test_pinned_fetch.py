"""Outbound fetches (did:web documents, hosted OB 2.0 assertions, webhooks) connect to the
address that was checked, not to what the name resolves to a moment later: a name that answers
a public address to the check and this machine to the connection (DNS rebinding) reaches
nothing here."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from credstack.config import load_settings
from credstack.errors import InvalidInput
from credstack.service.did_web import fetch_did_document
from credstack.service.hosted_assertions import HostedFetcher
from credstack.service.outbound import pinned

PUBLIC = "93.184.216.34"
"""A global address; this machine has no route to it, so a connection there fails."""

_real_getaddrinfo = socket.getaddrinfo


class Listener:
    """A plain TCP listener on this machine that counts the connections it is offered."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.accepted = 0
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.accepted += 1
            connection.close()

    def close(self) -> None:
        self.socket.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    opened = Listener()
    yield opened
    opened.close()


@pytest.fixture
def rebinding(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """`rebind.test` resolves to a public address the first time, to this machine after."""
    asked: list[str] = []

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host != "rebind.test":
            return _real_getaddrinfo(host, port, *args, **kwargs)
        address = PUBLIC if not asked else "127.0.0.1"
        asked.append(address)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, int(port or 0)))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


def test_a_pinned_request_names_the_checked_address_and_keeps_the_host(
    rebinding: list[str],
) -> None:
    target = pinned("https://rebind.test:8443/hooks/1?a=b", allow_loopback=False)
    assert target.url == f"https://{PUBLIC}:8443/hooks/1?a=b"
    assert target.headers == {"host": "rebind.test:8443"}
    assert target.extensions == {"sni_hostname": "rebind.test"}  # the certificate's name
    assert rebinding == [PUBLIC]
    with pytest.raises(InvalidInput, match="private or reserved"):
        pinned("https://rebind.test/", allow_loopback=False)  # now this machine: refused


def test_a_did_web_fetch_never_reaches_what_the_name_rebinds_to(
    rebinding: list[str], listener: Listener, tmp_path: Path
) -> None:
    settings = load_settings(tmp_path, env={})
    with pytest.raises(InvalidInput, match="could not be resolved"):
        fetch_did_document(f"did:web:rebind.test%3A{listener.port}", settings)
    assert rebinding == [PUBLIC]  # resolved once, for the check
    assert listener.accepted == 0


def test_a_hosted_assertion_fetch_never_reaches_what_the_name_rebinds_to(
    rebinding: list[str], listener: Listener, tmp_path: Path
) -> None:
    fetch = HostedFetcher(load_settings(tmp_path, env={}))
    assert fetch(f"https://rebind.test:{listener.port}/assertions/1.json") is None
    assert rebinding == [PUBLIC]
    assert listener.accepted == 0


def test_a_did_web_on_a_private_address_is_refused_before_any_connection(
    listener: Listener, tmp_path: Path
) -> None:
    settings = load_settings(tmp_path, env={})
    with pytest.raises(InvalidInput, match="private or reserved"):
        fetch_did_document(f"did:web:127.0.0.1%3A{listener.port}", settings)
    assert listener.accepted == 0
