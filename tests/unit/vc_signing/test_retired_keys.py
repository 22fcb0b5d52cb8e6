"""A retired key signs nothing new: proofs and JWTs made after its retirement are refused."""

from __future__ import annotations

from datetime import timedelta

from credstack.vc.dataintegrity import sign, verify
from credstack.vc.jose import sign_jwt, verify_jwt
from credstack.vc.resolve import DidResolver, did_web_document

from .support import CREDENTIAL, ISSUER_DID, RETIRED, load_json
from .support import rotated_keys as _rotated

DID = ISSUER_DID


def test_did_document_publishes_the_retirement_as_revoked() -> None:
    old, new, resolver = _rotated()
    document = did_web_document(
        DID,
        [(old.verification_method, old.public_key), (new.verification_method, new.public_key)],
        {old.verification_method: RETIRED + timedelta(microseconds=250)},
    )
    by_id = {m["id"]: m for m in document["verificationMethod"]}
    assert by_id[old.verification_method]["revoked"] == "2026-06-01T12:00:00Z"
    assert "revoked" not in by_id[new.verification_method]
    resolved = resolver.resolve(old.verification_method)
    assert resolved is not None and resolved.retired_at == RETIRED
    current = resolver.resolve(new.verification_method)
    assert current is not None and current.retired_at is None


def test_proof_made_before_the_retirement_still_verifies() -> None:
    old, _new, resolver = _rotated()
    signed = sign(load_json(CREDENTIAL), old, created=RETIRED - timedelta(days=30))
    check = verify(signed, resolver)
    assert check.passed, check.message


def test_proof_made_after_the_retirement_is_refused() -> None:
    old, new, resolver = _rotated()
    signed = sign(load_json(CREDENTIAL), old, created=RETIRED + timedelta(seconds=1))
    check = verify(signed, resolver)
    assert not check.passed
    assert "retired on 2026-06-01T12:00:00Z" in check.message
    assert "2026-06-01T12:00:01Z" in check.message
    assert verify(sign(load_json(CREDENTIAL), new, created=RETIRED + timedelta(1)), resolver).passed


def test_proof_without_created_is_refused_for_a_retired_key() -> None:
    old, _new, resolver = _rotated()
    signed = sign(load_json(CREDENTIAL), old, created=RETIRED - timedelta(days=1))
    del signed["proof"]["created"]  # the signature no longer matches either, but the
    check = verify(signed, resolver)  # retirement is what the verifier reports first
    assert not check.passed
    assert "does not say when it was made" in check.message


def test_unreadable_revoked_does_not_resolve_as_a_live_key() -> None:
    old, _new, _resolver = _rotated()
    document = did_web_document(DID, [(old.verification_method, old.public_key)])
    document["verificationMethod"][0]["revoked"] = "sometime last year"
    assert DidResolver({DID: document}).resolve(old.verification_method) is None


def test_jwt_signed_after_the_retirement_is_refused() -> None:
    old, new, resolver = _rotated()
    credential = load_json(CREDENTIAL)
    before = sign_jwt(credential, old, issued_at=RETIRED - timedelta(hours=1))
    after = sign_jwt(credential, old, issued_at=RETIRED + timedelta(hours=1))
    assert verify_jwt(before, resolver)[1].passed
    _payload, check = verify_jwt(after, resolver)
    assert not check.passed
    assert "retired on 2026-06-01T12:00:00Z" in check.message
    assert verify_jwt(sign_jwt(credential, new), resolver)[1].passed
