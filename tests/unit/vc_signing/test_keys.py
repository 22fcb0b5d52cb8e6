from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from credstack.vc.keys import (
    KeyFormatError,
    decode_private_key_multibase,
    decode_public_key_multibase,
    did_key,
    generate_signing_key,
    private_key_multibase,
    public_key_multibase,
    signing_key_from_private_key,
)
from credstack.vc.multibase import MultibaseError, b58decode, b58encode, decode_base58btc

from .support import VECTORS, load_json


@given(st.binary(max_size=80))
def test_base58_round_trips_including_leading_zero_bytes(data: bytes) -> None:
    assert b58decode(b58encode(data)) == data


def test_base58_known_value() -> None:
    # "Hello World!" from the multibase spec's test vectors (base58btc).
    assert b58encode(b"Hello World!") == "2NEpo7TZRRrLZSi2U"


def test_spec_key_pair_private_key_derives_its_public_key() -> None:
    pair = load_json(VECTORS / "keyPair.json")
    private_key = decode_private_key_multibase(pair["privateKeyMultibase"])
    assert public_key_multibase(private_key.public_key()) == pair["publicKeyMultibase"]
    assert private_key_multibase(private_key) == pair["privateKeyMultibase"]


def test_public_key_multibase_round_trips() -> None:
    key = Ed25519PrivateKey.generate().public_key()
    text = public_key_multibase(key)
    assert text.startswith("z6Mk")
    assert public_key_multibase(decode_public_key_multibase(text)) == text


@pytest.mark.parametrize(
    "text",
    [
        "6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
        "z0OIl",
        "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq",
        "z",
    ],
)
def test_malformed_public_keys_are_rejected(text: str) -> None:
    with pytest.raises(KeyFormatError):
        decode_public_key_multibase(text)


def test_base58btc_requires_the_z_prefix() -> None:
    with pytest.raises(MultibaseError):
        decode_base58btc("f00")


def test_generated_key_is_named_by_controller_and_multikey_fragment() -> None:
    key = generate_signing_key("did:web:credentials.example.edu")
    assert key.verification_method == (
        f"did:web:credentials.example.edu#{public_key_multibase(key.public_key)}"
    )
    assert key.controller == "did:web:credentials.example.edu"


def test_did_key_controller_is_derived_from_the_key() -> None:
    key = generate_signing_key("did:key")
    multikey = public_key_multibase(key.public_key)
    assert key.verification_method == f"did:key:{multikey}#{multikey}"
    assert key.controller == did_key(key.public_key)


def test_controller_with_fragment_is_refused() -> None:
    with pytest.raises(KeyFormatError):
        signing_key_from_private_key("did:web:x.example#k", Ed25519PrivateKey.generate())


def test_repr_does_not_reveal_the_private_key() -> None:
    key = generate_signing_key("did:key")
    assert "private" not in repr(key)
    assert private_key_multibase(key.private_key) not in repr(key)
