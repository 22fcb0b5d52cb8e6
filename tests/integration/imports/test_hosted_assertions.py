"""Importing an Open Badges 2.0 *hosted* assertion, on SQLite and PostgreSQL: the assertion,
its BadgeClass and its issuer are fetched from a real local web server (plain http to
127.0.0.1, allowed only by the `CREDSTACK_DID_WEB_HTTP_LOCALHOST` test switch) and the copy
presented must match what the issuer hosts; revoked, mismatched, unreachable, unlisted and
non-public hosts are refused in words."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from credstack.config import Settings
from credstack.errors import InvalidInput
from credstack.service.actor import Actor
from credstack.service.caches import Caches
from credstack.service.imports import import_credential
from credstack.service.learners import set_profile
from credstack.service.runtime import Runtime
from credstack.store.uow import UnitOfWorkFactory
from credstack.vc.documents import hash_email
from tests.conftest import MASTER_KEY, MigratedDatabases
from tests.helpers import free_port
from tests.stories.driver import BASE, Story

OB2 = "https://w3id.org/openbadges/v2"


class Issuer:
    """An OB 2.0 issuer's web site: what it hosts, served for real on a local port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.hosted: dict[str, tuple[int, dict[str, Any]]] = {}
        self.requests: list[str] = []
        hosted, requests = self.hosted, self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                requests.append(self.path)
                status, document = hosted.get(self.path, (404, {"error": "not found"}))
                body = json.dumps(document).encode()
                self.send_response(status)
                self.send_header("content-type", "application/ld+json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args: object) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def host(self, path: str, document: dict[str, Any], status: int = 200) -> str:
        self.hosted[path] = (status, document)
        return self.base + path

    def publish(self, email: str) -> dict[str, Any]:
        """Its profile and BadgeClass, and a hosted assertion for the holder of `email`."""
        issuer = self.host(
            "/issuer.json",
            {
                "@context": OB2,
                "type": "Issuer",
                "id": f"{self.base}/issuer.json",
                "name": "Harbor College",
                "url": self.base,
            },
        )
        badge = self.host(
            "/badges/analytics.json",
            {
                "@context": OB2,
                "type": "BadgeClass",
                "id": f"{self.base}/badges/analytics.json",
                "name": "Analytics Foundations",
                "issuer": issuer,
            },
        )
        assertion = {
            "@context": OB2,
            "type": "Assertion",
            "id": f"{self.base}/assertions/77.json",
            "recipient": {
                "type": "email",
                "hashed": True,
                "identity": hash_email(email, "s4lt"),
                "salt": "s4lt",
            },
            "badge": badge,
            "verification": {"type": "hosted"},
            "issuedOn": "2025-04-01T00:00:00Z",
        }
        self.host("/assertions/77.json", assertion)
        return assertion


@pytest.fixture
def issuer() -> Iterator[Issuer]:
    site = Issuer()
    site.thread.start()
    try:
        yield site
    finally:
        site.server.shutdown()
        site.server.server_close()


def _runtime(
    units: UnitOfWorkFactory, backend: str, migrated: MigratedDatabases, tmp_path: Path
) -> Runtime:
    settings = Settings(
        tmp_path, "sqlite://", BASE, trust_dir=tmp_path / "trusted", did_web_http_localhost=True
    )
    return Runtime(settings, migrated.engine(backend), units, MASTER_KEY, Caches())


@pytest.fixture
def runtime(
    units: UnitOfWorkFactory, backend: str, migrated: MigratedDatabases, tmp_path: Path
) -> Runtime:
    return _runtime(units, backend, migrated, tmp_path)


def _max(runtime: Runtime) -> Actor:
    """Lakeside's catalog (Harbor College on its articulation list) and Max."""
    with runtime.uow() as uow:
        story = Story(uow, runtime.keys(uow))
        story.load("lakeside-university.yaml")
        learner = story.learner("max")
        set_profile(uow, learner, name="Max", email="max@example.org")
        uow.commit()
        return Actor.learner(learner.id, "max")


def _list(runtime: Runtime, issuer: Issuer) -> None:
    """The operator's trust list names the issuer (by its profile URL) and its web site."""
    trusted = runtime.settings.trust_directory
    assert trusted is not None
    trusted.mkdir(parents=True, exist_ok=True)
    (trusted / "harbor.yaml").write_text(
        f"- did: {issuer.base}/issuer.json\n  name: Harbor College\n  url: https://harbor.example\n"
    )


def _refused(runtime: Runtime, actor: Actor, document: dict[str, Any]) -> str:
    with pytest.raises(InvalidInput, match="not imported") as caught:
        import_credential(runtime, actor, data=json.dumps(document).encode())
    return str(caught.value)


def test_a_hosted_assertion_is_fetched_and_must_match_what_its_issuer_hosts(
    runtime: Runtime, issuer: Issuer
) -> None:
    max_ = _max(runtime)
    assertion = issuer.publish("max@example.org")
    _list(runtime, issuer)
    done = import_credential(runtime, max_, data=json.dumps(assertion).encode())
    assert (done.issuer, done.recognised) == ("Harbor College", True)
    assert done.achievement == "Analytics Foundations"
    assert done.counts_for == ("Lakeside University",)
    assert {"/assertions/77.json", "/badges/analytics.json", "/issuer.json"} <= set(issuer.requests)

    # The copy presented differs from the hosted one (a changed date): refused.
    changed = dict(assertion, issuedOn="2020-01-01T00:00:00Z")
    assert "differs from the copy its issuer hosts" in _refused(runtime, max_, changed)

    # Revoked: OB 2.0 answers 410 with the assertion marked revoked, said as revoked (with the
    # issuer's reason), not as a different copy.
    issuer.host("/assertions/77.json", dict(assertion, revoked=True), status=410)
    said = _refused(runtime, max_, assertion)
    assert "revoked" in said and "differs" not in said
    stub = {"id": assertion["id"], "revoked": True, "revocationReason": "issued in error"}
    issuer.host("/assertions/77.json", stub, status=410)
    said = _refused(runtime, max_, assertion)
    assert "The assertion was revoked (issued in error)" in said and "differs" not in said

    # Gone from the site, or the site down: not retrieved.
    issuer.hosted.pop("/assertions/77.json")
    assert "could not be retrieved" in _refused(runtime, max_, assertion)
    elsewhere = dict(assertion, id=f"http://127.0.0.1:{issuer.port + 1}/assertions/77.json")
    assert "could not be retrieved" in _refused(runtime, max_, elsewhere)


def test_an_unlisted_issuer_or_a_private_host_is_refused(
    runtime: Runtime,
    issuer: Issuer,
    units: UnitOfWorkFactory,
    backend: str,
    migrated: MigratedDatabases,
    tmp_path: Path,
) -> None:
    max_ = _max(runtime)
    assertion = issuer.publish("max@example.org")
    said = _refused(runtime, max_, assertion)  # genuine, but the trust list does not name it
    assert "trust directory names" in said

    # Without the test switch, http and loopback are never fetched: nothing is asked for.
    strict = Runtime(
        Settings(tmp_path, "sqlite://", BASE, trust_dir=runtime.settings.trust_directory),
        migrated.engine(backend),
        units,
        MASTER_KEY,
        Caches(),
    )
    _list(strict, issuer)
    issuer.requests.clear()
    assert "could not be retrieved" in _refused(strict, max_, assertion)
    private = dict(assertion, id="https://10.0.0.7/assertions/77.json")
    assert "could not be retrieved" in _refused(strict, max_, private)
    assert issuer.requests == []
