from __future__ import annotations

import pytest

from credstack.vc.keys import generate_signing_key, public_key_multibase
from credstack.vc.resolve import DidResolver, did_web_document, did_web_url

DID = "did:web:credentials.example.edu"


def test_did_key_resolves_locally_with_or_without_fragment() -> None:
    key = generate_signing_key("did:key")
    resolver = DidResolver()
    for method in (key.verification_method, key.controller):
        resolved = resolver.resolve(method)
        assert resolved is not None
        assert public_key_multibase(resolved.public_key) == public_key_multibase(key.public_key)
        assert resolved.controller == key.controller
        assert resolved.allows("assertionMethod")


def test_did_key_with_a_foreign_fragment_does_not_resolve() -> None:
    key = generate_signing_key("did:key")
    other = generate_signing_key("did:key")
    method = f"{key.controller}#{public_key_multibase(other.public_key)}"
    assert DidResolver().resolve(method) is None


def test_did_web_resolves_only_from_supplied_documents() -> None:
    key = generate_signing_key(DID)
    assert DidResolver().resolve(key.verification_method) is None
    document = did_web_document(DID, [(key.verification_method, key.public_key)])
    resolved = DidResolver({DID: document}).resolve(key.verification_method)
    assert resolved is not None
    assert resolved.controller == DID
    assert resolved.allows("assertionMethod")


def test_rotated_keys_stay_resolvable() -> None:
    old, new = generate_signing_key(DID), generate_signing_key(DID)
    document = did_web_document(
        DID, [(old.verification_method, old.public_key), (new.verification_method, new.public_key)]
    )
    resolver = DidResolver({DID: document})
    for key in (old, new):
        resolved = resolver.resolve(key.verification_method)
        assert resolved is not None
        assert public_key_multibase(resolved.public_key) == public_key_multibase(key.public_key)
    assert resolver.resolve(f"{DID}#unknown") is None


def test_key_not_granted_assertion_method_is_flagged() -> None:
    key = generate_signing_key(DID)
    document = did_web_document(DID, [(key.verification_method, key.public_key)])
    document["assertionMethod"] = []
    resolved = DidResolver({DID: document}).resolve(key.verification_method)
    assert resolved is not None
    assert not resolved.allows("assertionMethod")
    assert resolved.allows("authentication")


def test_document_for_another_did_is_ignored() -> None:
    key = generate_signing_key(DID)
    document = did_web_document("did:web:evil.example", [("k", key.public_key)])
    assert DidResolver({DID: document}).resolve(f"{DID}#k") is None


def test_relative_method_ids_and_jwk_keys_resolve() -> None:
    key = generate_signing_key(DID)
    import base64

    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    x = base64.urlsafe_b64encode(key.public_key.public_bytes(Encoding.Raw, PublicFormat.Raw))
    document = {
        "id": DID,
        "verificationMethod": [
            {
                "id": "#jwk-1",
                "type": "JsonWebKey2020",
                "controller": DID,
                "publicKeyJwk": {"kty": "OKP", "crv": "Ed25519", "x": x.decode().rstrip("=")},
            }
        ],
        "assertionMethod": ["#jwk-1"],
    }
    resolved = DidResolver({DID: document}).resolve(f"{DID}#jwk-1")
    assert resolved is not None
    assert resolved.allows("assertionMethod")


@pytest.mark.parametrize(
    ("did", "url"),
    [
        ("did:web:w3c-ccg.github.io", "https://w3c-ccg.github.io/.well-known/did.json"),
        ("did:web:w3c-ccg.github.io:user:alice", "https://w3c-ccg.github.io/user/alice/did.json"),
        ("did:web:example.com%3A3000", "https://example.com:3000/.well-known/did.json"),
    ],
)
def test_did_web_url_follows_the_method_spec(did: str, url: str) -> None:
    assert did_web_url(did) == url


def test_did_web_document_lists_every_key_as_assertion_method() -> None:
    key = generate_signing_key(DID)
    document = did_web_document(DID, [("key-1", key.public_key)])
    assert document["id"] == DID
    assert document["assertionMethod"] == [f"{DID}#key-1"]
    assert document["verificationMethod"][0]["type"] == "Multikey"
