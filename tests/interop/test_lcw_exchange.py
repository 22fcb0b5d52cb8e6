"""The DCC Learner Credential Wallet's exchange, end to end, with digitalbazaar's stack as the
wallet: a real credstack server (SQLite and PostgreSQL), a signed-in learner's wallet page that
shows the deep link and its QR code, and a Node wallet that signs a DID authentication with
@digitalbazaar/vc ``signPresentation`` (eddsa-rdfc-2022), posts it, and verifies what it gets."""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from credstack.config import Settings
from credstack.http.session import COOKIE_NAME
from credstack.service.runtime import open_runtime
from credstack.service.sessions import SessionPolicy, open_learner_session
from credstack.store.models import LearnerRow
from tests.helpers import Cli, form_csrf, free_port, running_server
from tests.integration.wallet.conftest import Seeded, seed

from .node_harness import NodeHarness

pytestmark = pytest.mark.interop

POLICY = SessionPolicy(idle=timedelta(minutes=30), lifetime=timedelta(hours=12))


@pytest.fixture
def served(tmp_path: Path, database_url: str) -> Iterator[tuple[str, Seeded, Cli]]:
    port = free_port()
    cli = Cli(tmp_path / "data", database_url, base_url=f"http://127.0.0.1:{port}")
    cli.ok("init")
    runtime = open_runtime(Settings(cli.data_dir.resolve(), cli.database_url, cli.base_url))
    try:
        seeded = seed(runtime)
    finally:
        runtime.close()
    with running_server(cli, "serve", port=port) as url:
        yield url, seeded, cli


def _learner(url: str, cli: Cli, public_id: str) -> httpx.Client:
    """A browser signed in as the learner (as the e-mail sign-in link would leave it)."""
    runtime = open_runtime(Settings(cli.data_dir.resolve(), cli.database_url, cli.base_url))
    try:
        with runtime.uow() as uow:
            learner = uow.session.query(LearnerRow).filter_by(public_id=public_id).one()
            session_id = open_learner_session(uow, learner, POLICY)
            uow.commit()
    finally:
        runtime.close()
    client = httpx.Client(base_url=url, timeout=60)
    client.cookies.set(COOKIE_NAME, session_id)
    return client


def _deep_link(browser: httpx.Client, credential: str) -> str:
    """Press the credential's "Add to Learner Credential Wallet" button on the wallet page."""
    csrf = form_csrf(browser, "/wallet")
    page = browser.post(f"/wallet/credentials/{credential}/lcw", data={"csrf": csrf})
    assert page.status_code == 200, page.text
    link = re.search(r'class="deep-link" href="([^"]+)"', page.text)
    qr = re.search(r'class="qr" src="data:image/svg\+xml;base64,([^"]+)"', page.text)
    assert link and qr, page.text
    assert base64.b64decode(qr.group(1)).startswith(b"<svg")
    return html.unescape(link.group(1))


def _issuer_documents(url: str, credential: dict[str, Any]) -> dict[str, Any]:
    issuer = credential["issuer"]["id"]
    key = issuer.rsplit(":", 1)[1]
    return {issuer: httpx.get(f"{url}/issuers/{key}/did.json").json()}


def test_the_wallet_app_receives_the_credential_issued_to_its_did(
    served: tuple[str, Seeded, Cli], node: NodeHarness
) -> None:
    url, s, cli = served
    with _learner(url, cli, s.ben_id) as browser:
        link = _deep_link(browser, s.gcp)
        got = _first_delivery(url, link, node)
        # The wallet page now names the DID, and so does every credential issued from now on.
        assert got["did"] in browser.get("/wallet").text
    query = {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}
    # Replaying the same presentation is refused: the challenge was used.
    replay = node.run({"op": "post", "url": query["vc_request_url"], "body": got["presentation"]})
    assert replay["status"] == 410 and "already been used" in replay["body"]["error"]


def _first_delivery(url: str, link: str, node: NodeHarness) -> dict[str, Any]:
    query = {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}
    assert link.startswith("dccrequest://request?") and query["auth_type"] == "bearer"
    assert query["vc_request_url"] == f"{url}/api/v1/exchanges/{query['challenge']}"

    # A VC-API client that starts with an empty body is told what to send.
    asked = httpx.post(query["vc_request_url"], json={})
    assert asked.status_code == 200
    request = asked.json()["verifiablePresentationRequest"]
    assert request["challenge"] == query["challenge"] and request["domain"] == url
    assert request["query"][0]["type"] == "DIDAuthentication"

    got = node.run({"op": "wallet", "deepLink": link})
    assert got["status"] == 200, got["body"]
    [credential] = got["body"]["verifiablePresentation"]["verifiableCredential"]
    assert credential["credentialSubject"]["id"] == got["did"]
    # The same stack verifies it, resolving the issuer's did:web from the server's document.
    [checked] = node.batch(
        [{"op": "verify", "document": credential}], _issuer_documents(url, credential)
    )
    assert checked["verified"], checked["errors"]
    result: dict[str, Any] = got
    return result


def test_a_wrong_domain_or_a_tampered_proof_is_refused(
    served: tuple[str, Seeded, Cli], node: NodeHarness
) -> None:
    url, s, cli = served
    with _learner(url, cli, s.ana_id) as browser:
        link = _deep_link(browser, s.ana_gcp)
    elsewhere = node.run({"op": "wallet", "deepLink": link, "domain": "https://evil.example"})
    assert elsewhere["status"] == 422
    assert "not for this server" in elsewhere["body"]["error"]
    tampered = node.run({"op": "wallet", "deepLink": link, "tamper": True})
    assert tampered["status"] == 422
    assert "signature does not hold" in tampered["body"]["error"]
    # Neither refusal spent the challenge: the honest wallet still gets its credential.
    honest = node.run({"op": "wallet", "deepLink": link, "bare": True})
    assert honest["status"] == 200, honest["body"]
