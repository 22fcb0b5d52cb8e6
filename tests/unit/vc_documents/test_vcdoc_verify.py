"""credstack's own credentials through the verifier, in each form an employer receives."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from vcdoc_helpers import (
    DIRECTORY,
    NOW,
    SVG,
    blank_png,
    issuer_key,
    resolver_for,
    sample_award,
    status_lists,
)

from credstack.vc import dataintegrity, jose
from credstack.vc.baking import bake_png, bake_svg
from credstack.vc.checks import Check, StatusFound
from credstack.vc.documents import open_badge_credential
from credstack.vc.keys import SigningKey
from credstack.vc.resolve import DidResolver
from credstack.vc.result import VerificationResult
from credstack.vc.verify import REQUIRED_CHECKS, verify_credential


@pytest.fixture(scope="module")
def key() -> SigningKey:
    return issuer_key()


@pytest.fixture(scope="module")
def resolver(key: SigningKey) -> DidResolver:
    return resolver_for(key)


def _signed(key: SigningKey, **changes: Any) -> dict[str, Any]:
    return dataintegrity.sign(open_badge_credential(sample_award(**changes)), key, created=NOW)


def _forms(key: SigningKey) -> dict[str, bytes]:
    signed = _signed(key)
    text = json.dumps(signed)
    token = jose.sign_jwt(open_badge_credential(sample_award()), key)
    return {
        "json": text.encode(),
        "jwt": token.encode(),
        "png": bake_png(blank_png(), text),
        "png-jwt": bake_png(blank_png(), token),
        "svg": bake_svg(SVG, text).encode(),
        "svg-jwt": bake_svg(SVG, token).encode(),
    }


@pytest.mark.parametrize("form", ["json", "jwt", "png", "png-jwt", "svg", "svg-jwt"])
def test_every_form_verifies_and_says_what_it_represents(
    key: SigningKey, resolver: DidResolver, form: str
) -> None:
    result = verify_credential(
        _forms(key)[form],
        resolver=resolver,
        status_lists=status_lists(key),
        now=NOW,
        issuers=DIRECTORY,
    )
    assert result.verified, result.failures
    assert result.recognised
    assert result.headline == (
        "Verified: issued by Tropical Medicine Certification Board; every check passed."
    )
    assert {c.name for c in result.checks} == REQUIRED_CHECKS
    assert result.summary is not None
    text = result.summary.text
    assert text.startswith(
        "Ebola diagnosis (microcredential) issued by Tropical Medicine Certification Board"
    )
    assert "Competencies: Diagnose viral haemorrhagic fevers." in text
    assert "proctored, identity verified, cut score 70%" in text
    assert "Credits: 1.5." in text
    assert "Continuing education hours: 6." in text
    assert "Valid from 2025-06-01 until 2028-06-01." in text


def test_one_changed_character_breaks_the_signature(key: SigningKey, resolver: DidResolver) -> None:
    text = json.dumps(_signed(key)).replace("Ebola diagnosis", "Ebola diagnosiS", 1)
    result = verify_credential(
        text.encode(), resolver=resolver, status_lists=status_lists(key), now=NOW
    )
    assert not result.verified
    assert [c.name for c in result.failures] == ["signature"]
    assert result.failures[0].message.startswith("The signature is invalid")
    assert result.headline.startswith("Not verified: The signature is invalid")


def test_changed_jwt_breaks_the_signature(key: SigningKey, resolver: DidResolver) -> None:
    token = _forms(key)["jwt"].decode()
    head, body, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["vc"]["name"] = "Ebola diagnosiS"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    tampered = f"{head}.{forged}.{signature}"
    result = verify_credential(tampered, resolver=resolver, status_lists=status_lists(key), now=NOW)
    assert not result.verified
    assert [c.name for c in result.failures] == ["signature"]


def test_revoked_credential_says_revoked_with_the_date(
    key: SigningKey, resolver: DidResolver
) -> None:
    lists = status_lists(key, {4242: datetime(2025, 9, 30, 12, 0, tzinfo=UTC)})
    result = verify_credential(
        json.dumps(_signed(key)), resolver=resolver, status_lists=lists, now=NOW
    )
    revoked = "The credential was revoked on 2025-09-30."
    assert result.failures == (Check("status", False, revoked, StatusFound.REVOKED),)


def test_expired_credential_says_expired(key: SigningKey, resolver: DidResolver) -> None:
    signed = _signed(key, valid_until=datetime(2025, 12, 1, tzinfo=UTC))
    result = verify_credential(
        json.dumps(signed), resolver=resolver, status_lists=status_lists(key), now=NOW
    )
    assert result.failures == (Check("validity", False, "The credential expired on 2025-12-01."),)


def test_unresolvable_issuer_key_says_so(key: SigningKey) -> None:
    result = verify_credential(
        json.dumps(_signed(key)), resolver=DidResolver(), status_lists=status_lists(key), now=NOW
    )
    assert not result.verified
    issuer = result.check("issuer")
    assert issuer is not None
    assert not issuer.passed
    assert issuer.message.endswith("could not be resolved, so the issuer is not known.")


def test_status_list_signed_by_another_key_is_not_trusted(
    key: SigningKey, resolver: DidResolver
) -> None:
    other = issuer_key()  # same DID, but a key the issuer's DID document does not list
    result = verify_credential(
        json.dumps(_signed(key)), resolver=resolver, status_lists=status_lists(other), now=NOW
    )
    status = result.check("status")
    assert status is not None
    assert status.message.startswith("The status list could not be trusted")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"this is not json", "The input is not JSON, a compact JWT, or a badge image."),
        (b"[1, 2]", "The JSON is not a credential object."),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "The PNG image is truncated."),
        (b"\xff\xfe\x00garbage", "The file is neither text nor a PNG image."),
    ],
)
def test_unreadable_input_fails_at_parse(data: bytes, message: str) -> None:
    result = verify_credential(data, resolver=DidResolver(), now=NOW)
    assert not result.verified
    assert result.checks == (Check("parse", False, message),)


def test_unknown_or_remote_context_fails(key: SigningKey, resolver: DidResolver) -> None:
    signed = _signed(key)
    signed["@context"] = [*signed["@context"], "https://evil.example/context.jsonld"]
    result = verify_credential(json.dumps(signed), resolver=resolver, now=NOW)
    context = result.check("context")
    assert context is not None
    assert not context.passed
    assert "https://evil.example/context.jsonld" in context.message
    assert "never fetched" in context.message


def test_missing_proof_and_unknown_cryptosuite_fail(key: SigningKey, resolver: DidResolver) -> None:
    unsigned = open_badge_credential(sample_award())
    result = verify_credential(json.dumps(unsigned), resolver=resolver, now=NOW)
    assert "signature" in {c.name for c in result.failures}
    odd = _signed(key)
    odd["proof"] = {**odd["proof"], "cryptosuite": "ecdsa-rdfc-2019"}
    result = verify_credential(json.dumps(odd), resolver=resolver, now=NOW)
    signature = result.check("signature")
    assert signature is not None
    assert not signature.passed


def test_a_result_is_never_verified_by_default() -> None:
    assert not VerificationResult(checks=(), required=REQUIRED_CHECKS).verified
    passed = tuple(Check(name, True, "ok") for name in sorted(REQUIRED_CHECKS - {"status"}))
    assert not VerificationResult(checks=passed, required=REQUIRED_CHECKS).verified
    everything = (*passed, Check("status", True, "ok"))
    assert VerificationResult(checks=everything, required=REQUIRED_CHECKS).verified


def _jwt_with(key: SigningKey, subject: str | None = None, **claims: Any) -> str:
    """Our own VC-JWT of the sample award (naming `subject` if given), its registered claims
    changed and signed again."""
    document = open_badge_credential(sample_award())
    if subject is not None:
        document["credentialSubject"]["id"] = subject
    head, body, _signature = jose.sign_jwt(document, key).split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload.update(claims)
    encoded = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
    signature = key.private_key.sign(f"{head}.{encoded}".encode("ascii"))
    return f"{head}.{encoded}." + base64.urlsafe_b64encode(signature).decode().rstrip("=")


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        (
            {"exp": int(datetime(2025, 6, 1, tzinfo=UTC).timestamp())},
            "The JWT expired on 2025-06-01.",
        ),
        (
            {"nbf": int(datetime(2093, 1, 1, tzinfo=UTC).timestamp())},
            "The JWT is not valid until 2093-01-01.",
        ),
    ],
)
def test_a_jwt_past_its_exp_or_before_its_nbf_is_not_valid(
    key: SigningKey, resolver: DidResolver, claims: dict[str, Any], message: str
) -> None:
    """RFC 7519 §4.1.4-5: a token must not be accepted after `exp` or before `nbf`, even if
    the credential inside names no such dates."""
    token = _jwt_with(key, **claims)
    result = verify_credential(token, resolver=resolver, status_lists=status_lists(key), now=NOW)
    assert result.failures == (Check("validity", False, message),)


@pytest.mark.parametrize("claim", ["jti", "sub"])
def test_a_jwt_whose_claims_name_another_credential_or_subject_fails(
    key: SigningKey, resolver: DidResolver, claim: str
) -> None:
    token = _jwt_with(key, subject="did:example:holder", **{claim: "urn:uuid:7c6f1a52-another"})
    result = verify_credential(token, resolver=resolver, status_lists=status_lists(key), now=NOW)
    assert not result.verified
    assert [c.name for c in result.failures] == ["signature"]
    assert f"{claim} claim does not match" in result.failures[0].message
