"""Generated credentials: the fast path takes every one and matches pyld byte for byte."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings

from credstack.vc.fastcanon import Order, document_quads

from .strategies import (
    achievement_credentials,
    clr_credentials,
    documents,
    endorsement_credentials,
    proof_configurations,
    status_list_credentials,
)
from .support import FASTCANON, assert_same_as_pyld


@FASTCANON
@given(documents)
def test_mixed_documents_match_pyld(document: dict[str, Any]) -> None:
    assert_same_as_pyld(document)


@settings(FASTCANON, max_examples=max(20, FASTCANON.max_examples // 4))
@given(achievement_credentials())
def test_achievement_credentials_match_pyld(document: dict[str, Any]) -> None:
    assert_same_as_pyld(document)


@settings(FASTCANON, max_examples=max(20, FASTCANON.max_examples // 6))
@given(endorsement_credentials())
def test_endorsement_credentials_match_pyld(document: dict[str, Any]) -> None:
    assert_same_as_pyld(document)


@settings(FASTCANON, max_examples=max(10, FASTCANON.max_examples // 12))
@given(clr_credentials())
def test_clr_records_with_signed_credentials_match_pyld(document: dict[str, Any]) -> None:
    text = assert_same_as_pyld(document)
    assert text
    # Each wrapped credential's proof is a named graph: quads with a graph name.
    assert any(graph for _, _, _, graph in document_quads(document))


@settings(FASTCANON, max_examples=max(20, FASTCANON.max_examples // 6))
@given(status_list_credentials())
def test_status_list_credentials_match_pyld(document: dict[str, Any]) -> None:
    assert_same_as_pyld(document)


@settings(FASTCANON, max_examples=max(20, FASTCANON.max_examples // 6))
@given(proof_configurations())
def test_proof_configurations_match_pyld(document: dict[str, Any]) -> None:
    assert_same_as_pyld(document)


@settings(FASTCANON, max_examples=max(10, FASTCANON.max_examples // 10))
@given(achievement_credentials())
def test_utf16_order_matches_pyld(document: dict[str, Any]) -> None:
    assert_same_as_pyld(document, Order.UTF16)


@settings(FASTCANON, max_examples=max(10, FASTCANON.max_examples // 10))
@given(achievement_credentials())
def test_quads_do_not_depend_on_key_order(document: dict[str, Any]) -> None:
    reordered = dict(reversed(list(document.items())))
    assert len(document_quads(document)) == len(document_quads(reordered))
    assert_same_as_pyld(reordered)
