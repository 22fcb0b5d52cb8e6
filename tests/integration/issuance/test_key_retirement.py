"""After `issuer rotate-key`, the retired key still vouches for what it signed before, only."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from credstack.service.identity import issuer_did_document
from credstack.service.keys import KeyStore
from credstack.service.sharing import ShareLinks
from credstack.service.status import SignedStatusLists
from credstack.service.verification import OwnIssuers, Verifier
from credstack.store.secrets import MasterKey
from credstack.store.uow import UnitOfWork
from credstack.vc import dataintegrity, jose

from .factories import BASE, ccrb

NOW = datetime(2031, 1, 1, tzinfo=UTC)  # the verifier's clock: after every signature below


def test_a_credential_signed_with_a_retired_key_after_rotation_fails(
    uow: UnitOfWork, master_key: MasterKey
) -> None:
    board = ccrb(uow, master_key)
    award = board.award(board.learner("ana", None), "gcp-essentials", date(2026, 3, 2))
    assert award.credential is not None
    retired_key = board.keys.signing_key(board.issuer)
    board.keys.create(board.issuer)  # what `credstack issuer rotate-key ccrb` does
    keys = KeyStore(uow, master_key, BASE)
    own = OwnIssuers(uow, keys, SignedStatusLists(), ShareLinks(master_key))
    verifier = Verifier(own, BASE, now=NOW)

    before = verifier.verify_award(award)
    assert before.verified, before.headline

    unsecured = {k: v for k, v in award.credential.items() if k != "proof"}
    later = datetime.now(UTC) + timedelta(minutes=5)
    forged = dataintegrity.sign(unsecured, retired_key, created=later)
    result = verifier.verify_bytes(json.dumps(forged).encode())
    assert not result.verified
    signature = result.check("signature")
    assert signature is not None and not signature.passed
    assert "retired on" in signature.message and "after the key was retired" in signature.message
    assert result.headline.startswith("Not verified: The credential was signed with a key retired")

    token = jose.sign_jwt(unsecured, retired_key, issued_at=later)
    jwt_result = verifier.verify_bytes(token.encode())
    assert not jwt_result.verified
    assert "retired on" in jwt_result.headline


def test_the_did_document_dates_each_retired_key(uow: UnitOfWork, master_key: MasterKey) -> None:
    board = ccrb(uow, master_key)
    first = board.keys.signing_key(board.issuer)
    board.keys.create(board.issuer)
    board.keys.create(board.issuer)
    document = issuer_did_document(uow, BASE, "ccrb")
    methods = document["verificationMethod"]
    assert len(methods) == 3
    revoked = [m.get("revoked") for m in methods]
    assert sum(value is not None for value in revoked) == 2
    first_method = next(m for m in methods if m["id"] == first.verification_method)
    stamp = datetime.fromisoformat(first_method["revoked"].replace("Z", "+00:00"))
    assert abs(stamp - datetime.now(UTC)) < timedelta(minutes=5)
    assert first_method["revoked"].endswith("Z")
