"""Open Badges 2.0 hosted and signed assertions, verified offline through injected lookups."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from vcdoc_helpers import NOW

from credstack.vc.baking import OB2_PNG_KEYWORD
from credstack.vc.checks import StatusFound
from credstack.vc.ob2 import Ob2PublicKey, verify_ob2
from credstack.vc.resolve import DidResolver
from credstack.vc.verify import verify_credential

ISSUER = {
    "@context": "https://w3id.org/openbadges/v2",
    "type": "Issuer",
    "id": "https://badges.example.edu/issuer.json",
    "name": "Example College",
    "revocationList": "https://badges.example.edu/revocations.json",
}
BADGE = {
    "@context": "https://w3id.org/openbadges/v2",
    "type": "BadgeClass",
    "id": "https://badges.example.edu/badges/solar.json",
    "name": "Solar panel installation",
    "issuer": ISSUER["id"],
}
KEY_URL = "https://badges.example.edu/keys/1.json"


def _assertion(**changes: Any) -> dict[str, Any]:
    assertion: dict[str, Any] = {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Assertion",
        "id": "https://badges.example.edu/assertions/77.json",
        "recipient": {"type": "email", "hashed": True, "identity": "sha256$abc"},
        "badge": BADGE["id"],
        "verification": {"type": "hosted"},
        "issuedOn": "2025-04-01T00:00:00Z",
    }
    assertion.update(changes)
    return assertion


def _fetcher(*documents: dict[str, Any], revoked: list[str] | None = None) -> Any:
    published = {d["id"]: d for d in (ISSUER, BADGE, *documents)}
    published[ISSUER["revocationList"]] = {
        "id": ISSUER["revocationList"],
        "revokedAssertions": [{"id": r} for r in revoked or []],
    }
    return published.get


def test_hosted_assertion_verifies_when_its_issuer_hosts_it() -> None:
    assertion = _assertion()
    result = verify_ob2(json.dumps(assertion), now=NOW, fetch=_fetcher(assertion))
    assert result.verified, result.failures


def test_hosted_assertion_on_a_foreign_domain_fails() -> None:
    assertion = _assertion(id="https://elsewhere.example.com/assertions/77.json")
    result = verify_ob2(json.dumps(assertion), now=NOW, fetch=_fetcher(assertion))
    issuer = result.check("issuer")
    assert issuer is not None
    assert not issuer.passed
    assert "elsewhere.example.com" in issuer.message


def test_hosted_assertion_that_cannot_be_fetched_is_not_verified() -> None:
    result = verify_ob2(json.dumps(_assertion()), now=NOW, fetch=None)
    assert not result.verified
    signature = result.check("signature")
    assert signature is not None
    assert "could not be retrieved" in signature.message


def test_hosted_assertion_that_differs_from_the_hosted_copy_fails() -> None:
    hosted = _assertion()
    presented = _assertion(issuedOn="2020-01-01T00:00:00Z")
    result = verify_ob2(json.dumps(presented), now=NOW, fetch=_fetcher(hosted))
    assert "signature" in {c.name for c in result.failures}


def test_revoked_assertion_is_reported() -> None:
    assertion = _assertion()
    fetch = _fetcher(assertion, revoked=[assertion["id"]])
    result = verify_ob2(json.dumps(assertion), now=NOW, fetch=fetch)
    assert [c.name for c in result.failures] == ["status"]


@pytest.mark.parametrize(
    ("hosted", "signature"),
    [
        ({"revoked": True}, "The assertion matches the copy its issuer hosts."),
        ({"revoked": True, "revocationReason": "issued\nin error"}, None),
    ],
)
def test_a_revoked_hosted_copy_is_a_revoked_status_as_a_listed_one_is(
    hosted: dict[str, Any], signature: str | None
) -> None:
    """One answer for revoked: by the hosted copy or by the revocation list, the status check
    fails with `StatusFound.REVOKED`, and the signature check does not fail for it."""
    assertion = _assertion()
    listed = verify_ob2(
        json.dumps(assertion), now=NOW, fetch=_fetcher(assertion, revoked=[assertion["id"]])
    )
    whole = dict(assertion, **hosted)
    stub = {"id": assertion["id"], **hosted}
    for copy in (whole, stub):
        result = verify_ob2(json.dumps(assertion), now=NOW, fetch=_fetcher(copy))
        assert [c.name for c in result.failures] == [c.name for c in listed.failures] == ["status"]
        status = result.check("status")
        assert status is not None and status.found is StatusFound.REVOKED
        assert listed.check("status").found is StatusFound.REVOKED
        reason = " (issued in error)" if "revocationReason" in hosted else ""
        assert status.message == f"The assertion was revoked{reason}."
        said = result.check("signature")
        assert said is not None and said.passed
        if copy is whole and signature is not None:
            assert said.message == signature
    changed = dict(assertion, issuedOn="2020-01-01T00:00:00Z", revoked=True)
    result = verify_ob2(json.dumps(assertion), now=NOW, fetch=_fetcher(changed))
    assert {c.name for c in result.failures} == {"signature", "status"}  # another assertion


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _jws(alg: str, payload: dict[str, Any], private_key: Any) -> str:
    signing_input = (
        f"{_b64(json.dumps({'alg': alg}).encode())}.{_b64(json.dumps(payload).encode())}"
    )
    if alg == "RS256":
        signature = private_key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    else:
        r, s = decode_dss_signature(
            private_key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256()))
        )
        signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    return f"{signing_input}.{_b64(signature)}"


@pytest.mark.parametrize("alg", ["RS256", "ES256"])
def test_signed_assertion_verifies_with_the_issuers_key(alg: str) -> None:
    private_key: Any = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        if alg == "RS256"
        else ec.generate_private_key(ec.SECP256R1())
    )
    assertion = _assertion(verification={"type": "signed", "creator": KEY_URL})
    token = _jws(alg, assertion, private_key)
    keys = {KEY_URL: Ob2PublicKey(private_key.public_key(), ISSUER["id"])}
    result = verify_ob2(token, now=NOW, fetch=_fetcher(), key_lookup=keys.get)
    assert result.verified, result.failures
    tampered = token.split(".")
    tampered[1] = _b64(json.dumps({**assertion, "issuedOn": "2025-04-02T00:00:00Z"}).encode())
    bad = verify_ob2(".".join(tampered), now=NOW, fetch=_fetcher(), key_lookup=keys.get)
    assert [c.name for c in bad.failures] == ["signature"]
    assert bad.failures[0].message.startswith("The signature is invalid")


def test_signed_assertion_with_an_unknown_key_is_not_verified() -> None:
    private_key = ec.generate_private_key(ec.SECP256R1())
    token = _jws(
        "ES256", _assertion(verification={"type": "signed", "creator": KEY_URL}), private_key
    )
    result = verify_ob2(token, now=NOW, fetch=_fetcher(), key_lookup=lambda url: None)
    assert {"signature", "issuer"} <= {c.name for c in result.failures}


def test_key_owned_by_someone_else_is_not_the_issuer() -> None:
    private_key = ec.generate_private_key(ec.SECP256R1())
    token = _jws(
        "ES256", _assertion(verification={"type": "signed", "creator": KEY_URL}), private_key
    )
    keys = {KEY_URL: Ob2PublicKey(private_key.public_key(), "https://impostor.example/issuer")}
    result = verify_ob2(token, now=NOW, fetch=_fetcher(), key_lookup=keys.get)
    assert [c.name for c in result.failures] == ["issuer"]


def test_verifier_routes_ob2_json_and_baked_ob2_to_the_ob2_checks() -> None:
    assertion = _assertion()
    result = verify_credential(
        json.dumps(assertion), resolver=DidResolver(), now=NOW, ob2_fetch=_fetcher(assertion)
    )
    assert result.verified, result.failures
    assert result.check("structure") is not None
    import io

    from PIL import Image
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_itxt(OB2_PNG_KEYWORD, json.dumps(assertion))
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, format="PNG", pnginfo=info)
    baked = verify_credential(
        buffer.getvalue(), resolver=DidResolver(), now=NOW, ob2_fetch=_fetcher(assertion)
    )
    assert baked.verified
    assert baked.source_format == "png"
