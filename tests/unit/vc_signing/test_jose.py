from __future__ import annotations

import base64
import json
from typing import Any

from credstack.vc.jose import sign_jwt, verify_jwt
from credstack.vc.keys import SigningKey, generate_signing_key
from credstack.vc.resolve import DidResolver, did_web_document

from .support import CREDENTIAL, DATA, load_json

DID = "did:web:credentials.example.edu"


def _part(token: str, index: int) -> dict[str, Any]:
    text = token.split(".")[index]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    return decoded


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _issuer() -> tuple[SigningKey, DidResolver]:
    key = generate_signing_key(DID)
    return key, DidResolver(
        {DID: did_web_document(DID, [(key.verification_method, key.public_key)])}
    )


def test_ob3_vc_jwt_form_and_round_trip() -> None:
    key, resolver = _issuer()
    credential = load_json(CREDENTIAL)
    token = sign_jwt(credential, key)
    assert _part(token, 0) == {"alg": "EdDSA", "typ": "JWT", "kid": key.verification_method}
    claims = _part(token, 1)
    assert claims["vc"] == credential
    assert claims["iss"] == DID
    assert claims["jti"] == credential["id"]
    assert claims["sub"] == credential["credentialSubject"]["id"]
    assert claims["nbf"] == 1740819600  # 2025-03-01T09:00:00Z
    assert claims["exp"] == 1898586000  # 2030-03-01T09:00:00Z
    payload, check = verify_jwt(token, resolver)
    assert check.passed, check.message
    assert payload == credential


def test_changed_payload_fails() -> None:
    key, resolver = _issuer()
    token = sign_jwt(load_json(CREDENTIAL), key)
    header, _claims, signature = token.split(".")
    forged = _part(token, 1)
    forged["vc"]["name"] = "Something else"
    payload, check = verify_jwt(f"{header}.{_b64(forged)}.{signature}", resolver)
    assert payload is None
    assert not check.passed


def test_one_character_change_in_signature_fails() -> None:
    key, resolver = _issuer()
    token = sign_jwt(load_json(CREDENTIAL), key)
    flipped = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    assert not verify_jwt(flipped, resolver)[1].passed


def test_vcdm2_vc_jose_form_verifies() -> None:
    key, resolver = _issuer()
    credential = load_json(CREDENTIAL)
    signing_input = (
        _b64({"alg": "EdDSA", "typ": "vc+jwt", "kid": key.verification_method})
        + "."
        + _b64(credential)
    )
    signature = base64.urlsafe_b64encode(key.private_key.sign(signing_input.encode())).rstrip(b"=")
    payload, check = verify_jwt(signing_input + "." + signature.decode(), resolver)
    assert check.passed, check.message
    assert payload == credential


def test_alg_none_and_rs256_are_refused() -> None:
    key, resolver = _issuer()
    body = _b64({"vc": load_json(CREDENTIAL)})
    payload, check = verify_jwt(_b64({"alg": "none"}) + "." + body + ".", resolver)
    assert payload is None
    assert not check.passed
    # A real EdDSA signature under a header that claims RS256 is still refused.
    header = _b64({"alg": "RS256", "kid": key.verification_method})
    signature = base64.urlsafe_b64encode(key.private_key.sign(f"{header}.{body}".encode()))
    payload, check = verify_jwt(f"{header}.{body}.{signature.rstrip(b'=').decode()}", resolver)
    assert payload is None
    assert "RS256" in check.message


def test_official_simple_jwt_fixture_is_reported_as_rs256() -> None:
    token = (DATA / "ob30-fixtures" / "simple.jwt").read_text("utf-8")
    assert _part(token, 0)["alg"] == "RS256"
    assert "vc" in _part(token, 1)
    payload, check = verify_jwt(token, DidResolver())
    assert payload is None
    assert "RS256" in check.message


def test_key_of_another_controller_is_rejected() -> None:
    stranger = generate_signing_key("did:key")
    token = sign_jwt(load_json(CREDENTIAL), stranger)
    payload, check = verify_jwt(token, DidResolver())
    assert payload is None
    assert "issuer" in check.message
    assert verify_jwt(token, DidResolver(), issuer_must_control_key=False)[1].passed


def test_garbage_is_not_a_jwt() -> None:
    assert not verify_jwt("not-a-jwt", DidResolver())[1].passed
    assert not verify_jwt("a.b.c", DidResolver())[1].passed
