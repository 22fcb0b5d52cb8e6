"""did:key issuers: their credentials name the did:key and verify; the key never rotates."""

from __future__ import annotations

import json
from datetime import date

import pytest

from credstack.errors import Conflict, NotFound
from credstack.service.identity import issuer_did, issuer_did_document, issuer_dids
from credstack.service.status import mark_revoked
from credstack.store.models import AwardRow
from credstack.store.secrets import MasterKey
from credstack.store.uow import UnitOfWork

from .factories import BASE, Ccrb, ccrb
from .test_issuance import _verifier


def _did_key_award(uow: UnitOfWork, master_key: MasterKey) -> tuple[Ccrb, AwardRow]:
    board = ccrb(uow, master_key, did_method="key")
    award = board.award(board.learner("ana", None), "gcp-essentials", date(2026, 3, 2))
    assert award.credential is not None
    return board, award


def test_a_did_key_issuer_signs_as_its_did_key_and_verifies(
    uow: UnitOfWork, master_key: MasterKey
) -> None:
    board, award = _did_key_award(uow, master_key)
    assert award.credential is not None
    (identity,) = issuer_dids(uow, BASE, board.issuer)
    assert identity.did.startswith("did:key:z6Mk")
    assert award.credential["issuer"]["id"] == identity.did
    assert award.credential["proof"]["verificationMethod"] == identity.verification_method
    assert identity.retired_at is None
    result = _verifier(uow, master_key).verify_bytes(json.dumps(award.credential).encode())
    assert result.verified, result.headline
    # its status list is signed by the same did:key, so a revocation still shows
    mark_revoked(uow, award)
    revoked = _verifier(uow, master_key).verify_award(award)
    assert not revoked.verified
    status = revoked.check("status")
    assert status is not None and "revoked" in status.message.lower()


def test_a_did_key_issuer_cannot_rotate_and_has_no_did_web_document(
    uow: UnitOfWork, master_key: MasterKey
) -> None:
    board = ccrb(uow, master_key, did_method="key")
    before = issuer_dids(uow, BASE, board.issuer)
    with pytest.raises(Conflict, match=r"did:key.*cannot be rotated"):
        board.keys.create(board.issuer)
    assert issuer_dids(uow, BASE, board.issuer) == before
    with pytest.raises(NotFound, match="did:key"):
        issuer_did_document(uow, BASE, "ccrb")


def test_a_did_web_issuer_keeps_every_key_with_its_retirement(
    uow: UnitOfWork, master_key: MasterKey
) -> None:
    board = ccrb(uow, master_key)
    board.keys.create(board.issuer)
    first, second = issuer_dids(uow, BASE, board.issuer)
    assert first.did == second.did == issuer_did(BASE, "ccrb")
    assert first.retired_at is not None and second.retired_at is None
    assert second.verification_method == board.keys.signing_key(board.issuer).verification_method


def test_a_did_web_method_of_a_did_key_issuer_does_not_resolve(
    uow: UnitOfWork, master_key: MasterKey
) -> None:
    board, award = _did_key_award(uow, master_key)
    assert award.credential is not None
    pretending = json.loads(json.dumps(award.credential))
    (identity,) = issuer_dids(uow, BASE, board.issuer)
    method = identity.verification_method.split("#")[1]
    pretending["proof"]["verificationMethod"] = f"{issuer_did(BASE, 'ccrb')}#{method}"
    result = _verifier(uow, master_key).verify_bytes(json.dumps(pretending).encode())
    assert not result.verified
    signature = result.check("signature")
    assert signature is not None and "could not be found" in signature.message
