"""A real OpenID Connect provider for the tests: `oidc-provider-mock` (authlib's authorization
server with discovery, keys, a sign-in form and a token endpoint), run as its own process on a
free port, so its deprecation warnings are its own and the tests' warnings stay errors."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import httpx

from tests.helpers import free_port

__all__ = ["identity_provider", "person"]

Person = tuple[str, dict[str, object]]


def person(sub: str, email: str, *, verified: bool = True) -> Person:
    """Someone the provider knows: their subject and the claims their ID token carries."""
    return sub, {"email": email, "email_verified": verified}


@contextmanager
def identity_provider(people: Iterable[Person], port: int | None = None) -> Iterator[str]:
    """The provider's URL (its issuer), knowing `people`, until the block ends; on `port` when
    given (a provider restarted where it was: same endpoints, new signing key)."""
    port = port or free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/.well-known/openid-configuration").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, "the OpenID provider exited"
            assert time.monotonic() < deadline, "the OpenID provider did not start in 30 s"
            time.sleep(0.1)
        for sub, claims in people:
            assert httpx.put(f"{url}/users/{sub}", json=claims).status_code == 204
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
