"""Compiled proof configurations: only ``created`` varies, and the bytes stay pyld's.

Each example compiles one configuration (one key's proofs) from an empty cache and then
canonicalises it with several ``created`` values — dates, and text no date has (quotes,
control characters, astral characters) — in both sort orders; each answer is compared with
pyld's. Configurations the compiled form cannot serve (``created`` not a string, an
undefined ``created``, one with an ``id``, extra options) must still match or step aside.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credstack.vc.canon import canonicalize_general
from credstack.vc.fastcanon import (
    Order,
    Unsupported,
    fast_canonicalize,
    fast_canonicalize_proof_config,
    proof_config_cache,
)

from .strategies import dates, iris, numbers, proof_configurations, texts
from .support import FASTCANON


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    proof_config_cache().clear()


def _matches_pyld(config: dict[str, Any], order: Order) -> None:
    try:
        expected = canonicalize_general(config, order)
    except Exception:  # pyld refuses it: the fast path must step aside, not answer
        with pytest.raises(Unsupported):
            fast_canonicalize_proof_config(config, order)
        return
    try:
        fast = fast_canonicalize_proof_config(config, order)
    except Unsupported:
        with pytest.raises(Unsupported):  # the compiled form declines only what the
            fast_canonicalize(config, order)  # ordinary fast path declines
        return
    assert fast == expected, config


@st.composite
def configurations_of_one_key(draw: st.DrawFn) -> list[dict[str, Any]]:
    config = draw(proof_configurations())
    if draw(st.booleans()):
        config["challenge"] = draw(texts)
    if draw(st.booleans()):
        config["domain"] = draw(iris)
    times = draw(st.lists(st.one_of(dates, texts), min_size=2, max_size=5))
    return [{**config, "created": created} for created in times]


@settings(FASTCANON, max_examples=max(20, FASTCANON.max_examples // 4))
@given(configurations_of_one_key(), st.sampled_from(list(Order)))
def test_compiled_configurations_match_pyld_for_any_created(
    configs: list[dict[str, Any]], order: Order
) -> None:
    proof_config_cache().clear()
    for config in configs:
        _matches_pyld(config, order)
    # One compilation served every proof of the key.
    assert proof_config_cache().misses == 1
    assert proof_config_cache().hits == len(configs) - 1
    assert None not in proof_config_cache()._entries.values()  # and it compiled


@settings(FASTCANON, max_examples=max(20, FASTCANON.max_examples // 6))
@given(
    proof_configurations(),
    st.one_of(numbers, st.booleans(), st.none(), st.just(["2025-01-01T00:00:00Z"])),
    st.sampled_from(["created", "id", "nonce", "expires"]),
)
def test_configurations_the_compiled_form_does_not_fit_still_match_pyld(
    config: dict[str, Any], value: Any, key: str
) -> None:
    odd = {**config, key: value}
    for _ in range(3):
        _matches_pyld(odd, Order.CODE_POINT)


def test_created_as_an_iri_is_not_compiled() -> None:
    config = {
        "@context": [{"@vocab": "https://example.org/vocab#", "created": {"@type": "@id"}}],
        "type": "DataIntegrityProof",
        "created": "urn:example:time",
    }
    assert fast_canonicalize_proof_config(config) == canonicalize_general(config)
    assert fast_canonicalize_proof_config(config) == canonicalize_general(config)
    assert len(proof_config_cache()) == 1  # remembered as not compilable
    assert proof_config_cache().hits == 1


def test_the_cache_stays_within_its_bound() -> None:
    cache = proof_config_cache()
    base = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "proofPurpose": "assertionMethod",
        "created": "2025-01-01T00:00:00Z",
    }
    for n in range(cache.max_entries + 50):
        config = {**base, "verificationMethod": f"did:example:issuer-{n}#key-1"}
        fast_canonicalize_proof_config(config)
    assert len(cache) == cache.max_entries
