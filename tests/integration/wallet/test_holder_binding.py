"""Holder binding and the wallet-app exchange as use cases, on SQLite and PostgreSQL.

The DIDs are real: did:key from a fresh Ed25519 key, did:web served by a real HTTP server on
127.0.0.1 (the settings allow plain http there, as only tests do).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from sqlalchemy import select, update

from credstack.config import Settings
from credstack.errors import Forbidden, Gone, InvalidInput
from credstack.service import clock
from credstack.service.actor import Actor
from credstack.service.caches import Caches
from credstack.service.holders import (
    DCC_DEEP_LINK,
    bind_did,
    bound_did,
    complete_exchange,
    offer_to_wallet,
    request_challenge,
)
from credstack.service.learners import erase_learner
from credstack.service.runtime import Runtime
from credstack.service.verification import verifier_for
from credstack.store.models import AuditEventRow, HolderChallengeRow, HolderDidRow
from credstack.store.uow import UnitOfWorkFactory
from credstack.vc.dataintegrity import sign
from credstack.vc.keys import SigningKey, generate_signing_key
from credstack.vc.recipient import check_recipient
from credstack.vc.resolve import did_web_document
from tests.conftest import MASTER_KEY, MigratedDatabases
from tests.integration.wallet.conftest import seed
from tests.stories.driver import BASE

ORIGIN = BASE


@pytest.fixture
def runtime(
    units: UnitOfWorkFactory, backend: str, migrated: MigratedDatabases, tmp_path: Path
) -> Runtime:
    settings = replace(Settings(tmp_path, "sqlite://", BASE), did_web_http_localhost=True)
    return Runtime(settings, migrated.engine(backend), units, MASTER_KEY, Caches())


def did_auth(key: SigningKey, challenge: str, domain: str = ORIGIN) -> dict[str, Any]:
    presentation = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": key.controller,
    }
    return sign(
        presentation,
        key,
        created=clock.now(),
        proof_purpose="authentication",
        challenge=challenge,
        domain=domain,
    )


class _DidHost(BaseHTTPRequestHandler):
    documents: ClassVar[dict[str, bytes]] = {}
    redirect: ClassVar[str | None] = None

    def do_GET(self) -> None:
        if self.redirect is not None:
            self.send_response(302)
            self.send_header("location", self.redirect)
            self.end_headers()
            return
        body = self.documents.get(self.path)
        self.send_response(200 if body is not None else 404)
        self.end_headers()
        self.wfile.write(body or b"")

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def did_host() -> Iterator[tuple[str, type[_DidHost]]]:
    handler = type("Host", (_DidHost,), {"documents": {}, "redirect": None})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()


def test_a_learner_binds_a_did_key_and_later_credentials_name_it(runtime: Runtime) -> None:
    s = seed(runtime)
    key = generate_signing_key("did:key")
    asked = request_challenge(runtime, s.ben)
    assert asked.domain == ORIGIN and asked.expires_at > clock.now()
    with runtime.uow(write=False) as uow:  # only the hash is kept
        stored = uow.session.scalars(select(HolderChallengeRow.challenge_hash)).all()
        assert asked.challenge not in stored and len(stored) == 1
    bound = bind_did(runtime, s.ben, did_auth(key, asked.challenge))
    assert bound.did == key.controller
    assert bound_did(runtime, s.ben) == bound
    assert bound_did(runtime, s.ana) is None

    offer = offer_to_wallet(runtime, s.ben, s.gcp)
    with runtime.uow(write=False) as uow:
        ben = uow.learners.by_key("ben")
        assert ben is not None
        before = uow.awards.by_public_id(s.gcp)
        assert before is not None and before.credential is not None
        assert "id" not in before.credential["credentialSubject"]
    delivered = complete_exchange(
        runtime, offer.challenge, {"verifiablePresentation": did_auth(key, offer.challenge)}
    )
    [credential] = delivered.response["verifiablePresentation"]["verifiableCredential"]
    assert credential["credentialSubject"]["id"] == key.controller
    # The address hash stays, so "was this issued to ben@example.org?" still has an answer.
    assert check_recipient(credential, "ben@example.org").matches is True
    with runtime.uow(write=False) as uow:
        kept = uow.awards.by_public_id(s.gcp)
        assert kept is not None and kept.credential == credential
        report = verifier_for(runtime, uow, now=clock.now()).verify_award(kept)
        assert report.verified, report
        actions = uow.session.scalars(select(AuditEventRow.action)).all()
        assert actions.count("holder.bound") == 1  # the exchange found the DID already bound


def test_the_deep_link_names_the_exchange_and_its_challenge(runtime: Runtime) -> None:
    s = seed(runtime)
    offer = offer_to_wallet(runtime, s.ben, s.ccrp)
    parts = urlsplit(offer.deep_link)
    assert f"{parts.scheme}://{parts.netloc}" == DCC_DEEP_LINK
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query == {
        "issuer": ORIGIN,
        "auth_type": "bearer",
        "challenge": offer.challenge,
        "vc_request_url": f"{BASE}/api/v1/exchanges/{offer.challenge}",
    }
    with pytest.raises(Exception, match="no issued credential"):
        offer_to_wallet(runtime, s.ben, s.ana_gcp)  # not Ben's
    with pytest.raises(Forbidden):
        offer_to_wallet(runtime, s.admin, s.gcp)


def test_the_exchange_binds_the_wallets_did_once_and_refuses_a_replay(runtime: Runtime) -> None:
    s = seed(runtime)
    key = generate_signing_key("did:key")
    offer = offer_to_wallet(runtime, s.ana, s.ana_gcp)
    presented = did_auth(key, offer.challenge)
    delivered = complete_exchange(runtime, offer.challenge, presented)
    assert delivered.holder == key.controller
    assert bound_did(runtime, s.ana) is not None
    with pytest.raises(Gone, match="already been used"):
        complete_exchange(runtime, offer.challenge, presented)
    with pytest.raises(InvalidInput, match="not this exchange's challenge"):
        complete_exchange(runtime, offer_to_wallet(runtime, s.ana, s.ana_gcp).challenge, presented)


def _refusal(runtime: Runtime, actor: Actor, presentation: object) -> str:
    with pytest.raises((InvalidInput, Gone)) as refused:
        bind_did(runtime, actor, presentation)
    return str(refused.value)


def test_bad_presentations_are_refused_with_the_reason(runtime: Runtime) -> None:
    s = seed(runtime)
    key = generate_signing_key("did:key")
    other = generate_signing_key("did:key")
    challenge = request_challenge(runtime, s.ben).challenge
    assert "not one this server issued" in _refusal(runtime, s.ben, did_auth(key, "x" * 43))
    assert "not for this server" in _refusal(
        runtime, s.ben, did_auth(key, challenge, "https://elsewhere.example")
    )
    tampered = did_auth(key, challenge)
    tampered["holder"] = other.controller
    assert "holder DID's own keys" in _refusal(runtime, s.ben, tampered)
    changed = did_auth(key, challenge)
    changed["proof"]["proofValue"] = did_auth(key, "y" * 43)["proof"]["proofValue"]
    assert "signature does not hold" in _refusal(runtime, s.ben, changed)
    unsigned = did_auth(key, challenge)
    del unsigned["proof"]
    assert "exactly one proof" in _refusal(runtime, s.ben, unsigned)
    assert "not a VerifiablePresentation" in _refusal(runtime, s.ben, {"type": "X"})
    assert "JSON object" in _refusal(runtime, s.ben, ["a list"])
    # Ana cannot answer Ben's challenge, and a wallet exchange's challenge does not bind.
    assert "issued to you for binding" in _refusal(runtime, s.ana, did_auth(key, challenge))
    exchange = offer_to_wallet(runtime, s.ben, s.gcp).challenge
    assert "issued to you for binding" in _refusal(runtime, s.ben, did_auth(key, exchange))
    # None of the refusals spent it: the right presentation still binds, once.
    bind_did(runtime, s.ben, did_auth(key, challenge))
    assert "already been used" in _refusal(runtime, s.ben, did_auth(key, challenge))
    expired = request_challenge(runtime, s.ben).challenge
    with runtime.uow() as uow:
        uow.session.execute(
            update(HolderChallengeRow).values(expires_at=clock.now() - timedelta(seconds=1))
        )
        uow.commit()
    assert "expired" in _refusal(runtime, s.ben, did_auth(key, expired))
    with pytest.raises(Forbidden):
        request_challenge(runtime, s.admin)


def test_a_did_web_is_fetched_from_its_own_site_and_nowhere_else(
    runtime: Runtime, did_host: tuple[str, type[_DidHost]]
) -> None:
    s = seed(runtime)
    host, handler = did_host
    did = f"did:web:{quote(host, safe='')}:people:ben"
    key = SigningKey(f"{did}#key-1", generate_signing_key("did:key").private_key)
    handler.documents["/people/ben/did.json"] = json.dumps(
        did_web_document(did, [("key-1", key.public_key)])
    ).encode()
    challenge = request_challenge(runtime, s.ben).challenge
    assert bind_did(runtime, s.ben, did_auth(key, challenge)).did == did

    challenge = request_challenge(runtime, s.ben).challenge
    stranger = f"did:web:{quote(host, safe='')}:people:nobody"
    lost = SigningKey(f"{stranger}#key-1", key.private_key)
    assert "could not be resolved" in _refusal(runtime, s.ben, did_auth(lost, challenge))
    handler.redirect = "http://127.0.0.1:1/did.json"
    assert "HTTP 302" in _refusal(runtime, s.ben, did_auth(key, challenge))
    handler.redirect = None
    strict = replace(runtime, settings=replace(runtime.settings, did_web_http_localhost=False))
    refused = _refusal(strict, s.ben, did_auth(key, challenge))
    assert "could not be resolved from https://" in refused


def test_erasure_forgets_the_bound_did(runtime: Runtime) -> None:
    s = seed(runtime)
    key = generate_signing_key("did:key")
    bind_did(runtime, s.ben, did_auth(key, request_challenge(runtime, s.ben).challenge))
    with runtime.uow() as uow:
        ben = uow.learners.by_key("ben")
        assert ben is not None
        erase_learner(uow, ben, reason="asked", actor="test", keys=runtime.keys(uow))
        uow.commit()
    with runtime.uow(write=False) as uow:
        assert uow.session.scalars(select(HolderDidRow)).all() == []
