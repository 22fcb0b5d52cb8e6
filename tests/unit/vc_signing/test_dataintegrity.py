from __future__ import annotations

import copy
import hashlib
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from credstack.vc.canon import canonicalize
from credstack.vc.dataintegrity import (
    CRYPTOSUITE,
    SafeModeError,
    format_created,
    hash_data,
    proof_configuration,
    sign,
    verify,
)
from credstack.vc.jsonld import ContextNotAllowed
from credstack.vc.keys import (
    SigningKey,
    decode_private_key_multibase,
    generate_signing_key,
    signing_key_from_private_key,
)
from credstack.vc.multibase import decode_base58btc
from credstack.vc.resolve import DidResolver, did_web_document

from .support import CREDENTIAL, VECTORS, load_json

RDFC = VECTORS / "eddsa-rdfc-2022"
CREATED = datetime(2025, 3, 1, 9, 0, 5, tzinfo=UTC)
DID = "did:web:credentials.example.edu"


def _vector_key() -> SigningKey:
    pair = load_json(VECTORS / "keyPair.json")
    return signing_key_from_private_key(
        "did:key", decode_private_key_multibase(pair["privateKeyMultibase"])
    )


def _text(name: str) -> str:
    return (RDFC / name).read_text("utf-8").strip()


class TestSpecVector:
    """W3C vc-di-eddsa eddsa-rdfc-2022 vector, reproduced step by step."""

    def test_key_names_the_vector_verification_method(self) -> None:
        config = load_json(RDFC / "proofConfigDataInt.json")
        assert _vector_key().verification_method == config["verificationMethod"]

    def test_proof_configuration_matches(self) -> None:
        unsigned = load_json(VECTORS / "unsigned.json")
        config = proof_configuration(
            unsigned, _vector_key().verification_method, "2023-02-24T23:36:38Z", "assertionMethod"
        )
        assert config == load_json(RDFC / "proofConfigDataInt.json")

    def test_hashes_match(self) -> None:
        unsigned = load_json(VECTORS / "unsigned.json")
        config = load_json(RDFC / "proofConfigDataInt.json")
        assert hashlib.sha256(canonicalize(config).encode()).hexdigest() == _text(
            "proofHashDataInt.txt"
        )
        assert hashlib.sha256(canonicalize(unsigned).encode()).hexdigest() == _text(
            "docHashDataInt.txt"
        )
        assert hash_data(unsigned, config).hex() == _text("combinedHashDataInt.txt")

    def test_signed_document_matches_byte_for_byte(self) -> None:
        signed = sign(
            load_json(VECTORS / "unsigned.json"),
            _vector_key(),
            created=datetime(2023, 2, 24, 23, 36, 38, tzinfo=UTC),
        )
        expected = load_json(RDFC / "signedDataInt.json")
        assert decode_base58btc(signed["proof"]["proofValue"]).hex() == _text("sigHexDataInt.txt")
        assert signed["proof"]["proofValue"] == _text("sigBTC58DataInt.txt")
        assert signed == expected

    def test_signed_vector_verifies(self) -> None:
        signed = load_json(RDFC / "signedDataInt.json")
        # The vector's issuer is a URL that does not control the did:key, so only the
        # cryptography is checked here.
        check = verify(signed, DidResolver(), issuer_must_control_key=False)
        assert check.passed, check.message
        assert not verify(signed, DidResolver()).passed


def _issuer_key() -> tuple[SigningKey, DidResolver]:
    key = generate_signing_key(DID)
    resolver = DidResolver(
        {DID: did_web_document(DID, [(key.verification_method, key.public_key)])}
    )
    return key, resolver


def test_round_trip_on_an_ob3_credential() -> None:
    key, resolver = _issuer_key()
    credential = load_json(CREDENTIAL)
    signed = sign(credential, key, created=CREATED)
    assert "proof" not in credential
    assert signed["proof"]["cryptosuite"] == CRYPTOSUITE
    assert signed["proof"]["created"] == "2025-03-01T09:00:05Z"
    check = verify(signed, resolver)
    assert check.passed, check.message
    assert check.name == "signature"


def _tampered(signed: dict[str, Any], path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(signed)
    target: Any = changed
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return changed


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("name",), "Data Analysis with Python — Level 3"),
        (("credentialSubject", "achievement", "creditsAvailable"), 4.0),
        (("credentialSubject", "id"), "did:example:someone-else"),
        (("validUntil",), "2099-03-01T09:00:00Z"),
        (("proof", "created"), "2025-03-01T09:00:06Z"),
    ],
)
def test_any_change_breaks_the_signature(path: tuple[str | int, ...], value: Any) -> None:
    key, resolver = _issuer_key()
    signed = sign(load_json(CREDENTIAL), key, created=CREATED)
    check = verify(_tampered(signed, path, value), resolver)
    assert not check.passed
    assert "changed after it was signed" in check.message


def test_one_character_change_in_proof_value_fails() -> None:
    key, resolver = _issuer_key()
    signed = sign(load_json(CREDENTIAL), key, created=CREATED)
    value = signed["proof"]["proofValue"]
    flipped = value[:-1] + ("2" if value[-1] != "2" else "3")
    assert not verify(_tampered(signed, ("proof", "proofValue"), flipped), resolver).passed


def test_signing_refuses_undefined_terms() -> None:
    key, _ = _issuer_key()
    credential = load_json(CREDENTIAL)
    credential["favouriteColour"] = "blue"
    with pytest.raises(SafeModeError) as caught:
        sign(credential, key, created=CREATED)
    assert caught.value.terms == ["favouriteColour"]


def test_signing_refuses_schema_validator_type_without_extensions_context() -> None:
    key, _ = _issuer_key()
    credential = load_json(CREDENTIAL)
    credential["@context"] = credential["@context"][:2]
    with pytest.raises(SafeModeError, match="1EdTechJsonSchemaValidator2019"):
        sign(credential, key, created=CREATED)


def test_verifying_fails_on_undefined_terms_even_if_signature_holds() -> None:
    key, resolver = _issuer_key()
    credential = load_json(CREDENTIAL)
    signed = sign(credential, key, created=CREATED)
    # An undefined term is dropped by canonicalisation, so the signature alone still holds.
    signed["sneaky"] = "not covered by the signature"
    check = verify(signed, resolver)
    assert not check.passed
    assert "sneaky" in check.message


def test_unknown_context_is_refused_when_signing_and_verifying() -> None:
    key, resolver = _issuer_key()
    credential = load_json(CREDENTIAL)
    credential["@context"].append("https://attacker.example/context.json")
    with pytest.raises(ContextNotAllowed):
        sign(credential, key, created=CREATED)
    good = sign(load_json(CREDENTIAL), key, created=CREATED)
    good["@context"].append("https://attacker.example/context.json")
    check = verify(good, resolver)
    assert not check.passed
    assert "https://attacker.example/context.json" in check.message


def test_key_of_another_controller_is_rejected() -> None:
    stranger = generate_signing_key("did:key")
    signed = sign(load_json(CREDENTIAL), stranger, created=CREATED)
    check = verify(signed, DidResolver())
    assert not check.passed
    assert "issuer is did:web:credentials.example.edu" in check.message


def test_unresolvable_key_fails_with_a_clear_message() -> None:
    key, _ = _issuer_key()
    signed = sign(load_json(CREDENTIAL), key, created=CREATED)
    check = verify(signed, DidResolver())
    assert not check.passed
    assert "could not be found" in check.message


def test_wrong_proof_purpose_fails() -> None:
    key, resolver = _issuer_key()
    signed = sign(load_json(CREDENTIAL), key, created=CREATED, proof_purpose="authentication")
    assert not verify(signed, resolver).passed
    assert verify(signed, resolver, expected_purpose="authentication").passed


def test_rotated_key_still_verifies_old_credentials() -> None:
    old, new = generate_signing_key(DID), generate_signing_key(DID)
    signed_old = sign(load_json(CREDENTIAL), old, created=CREATED)
    signed_new = sign(load_json(CREDENTIAL), new, created=CREATED + timedelta(days=30))
    document = did_web_document(
        DID, [(old.verification_method, old.public_key), (new.verification_method, new.public_key)]
    )
    resolver = DidResolver({DID: document})
    assert verify(signed_old, resolver).passed
    assert verify(signed_new, resolver).passed


def test_second_proof_makes_a_proof_set_and_both_verify() -> None:
    first, second = generate_signing_key(DID), generate_signing_key(DID)
    document = did_web_document(
        DID, [(k.verification_method, k.public_key) for k in (first, second)]
    )
    resolver = DidResolver({DID: document})
    once = sign(load_json(CREDENTIAL), first, created=CREATED)
    twice = sign(once, second, created=CREATED)
    assert isinstance(twice["proof"], list)
    assert len(twice["proof"]) == 2
    check = verify(twice, resolver)
    assert check.passed, check.message
    assert "2 proofs" in check.message


def test_created_is_normalised_to_utc_and_must_be_aware() -> None:
    assert format_created(
        datetime(2025, 3, 1, 10, 0, 5, 999, tzinfo=timezone(timedelta(hours=1)))
    ) == ("2025-03-01T09:00:05Z")
    with pytest.raises(ValueError, match="timezone-aware"):
        format_created(datetime(2025, 3, 1))  # noqa: DTZ001 - the naive value refused


def test_document_without_proof_fails() -> None:
    check = verify(load_json(CREDENTIAL), DidResolver())
    assert not check.passed
    assert "no eddsa-rdfc-2022" in check.message


def test_malformed_proof_values_fail() -> None:
    key, resolver = _issuer_key()
    signed = sign(load_json(CREDENTIAL), key, created=CREATED)
    assert not verify(_tampered(signed, ("proof", "proofValue"), "u" + "A" * 86), resolver).passed
    assert not verify(_tampered(signed, ("proof", "proofValue"), "z2222"), resolver).passed
    assert not verify(_tampered(signed, ("proof", "created"), "yesterday"), resolver).passed


def test_signing_and_verifying_never_open_a_socket(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    key, resolver = _issuer_key()
    signed = sign(load_json(CREDENTIAL), key, created=CREATED)
    assert verify(signed, resolver).passed
    signed["@context"].append("https://example.org/remote-context.jsonld")
    assert not verify(signed, resolver).passed
