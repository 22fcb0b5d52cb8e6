"""Issue 10: hostile credentials are refused by a bound before any costly step.

Before: a 300,000-character proofValue took 10 s (quadratic base58); 10,000 repeated
contexts 12 s and still verified; "@context": "Forged", a list as cryptosuite, a 4,301-digit
number and 1,000-deep JSON raised inside the verifier (500s).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credstack.limits import MAX_BASE58_CHARS, MAX_CONTEXTS, MAX_JSON_DEPTH
from credstack.vc.multibase import MultibaseError, b58decode
from credstack.vc.resolve import DidResolver
from credstack.vc.safejson import InputRefused, _check_depth, loads
from credstack.vc.verify import verify_credential
from tests.integration.hostile.support import signed_credential
from tests.liveness import returns


def _verify(change: Callable[[dict[str, Any]], object]) -> Any:
    document = signed_credential()
    change(document)
    return verify_credential(json.dumps(document), resolver=DidResolver())


def test_base58_refuses_text_past_its_bound_without_decoding() -> None:
    with pytest.raises(MultibaseError, match="at most 128"):
        returns(lambda: b58decode("2" * 600_000))
    assert len(b58decode("2" * MAX_BASE58_CHARS)) > 64


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["proof"].update(proofValue="z" + "2" * 300_000), "proofValue is 300001"),
        (lambda d: d.update({"@context": d["@context"] * 3334}), "lists 10002 JSON-LD contexts"),
        (lambda d: d.update({"@context": [*d["@context"], d["@context"][0]]}), "more than once"),
        (lambda d: d.update({"@context": "Forged"}), "must name JSON-LD context URLs"),
        (lambda d: d.update({"@context": ""}), "must name JSON-LD context URLs"),
        (lambda d: d.update(proof=[d["proof"]] * 9), "more than 8 proofs"),
    ],
)
def test_hostile_shapes_are_refused_early(
    change: Callable[[dict[str, Any]], object], message: str
) -> None:
    with pytest.raises(InputRefused, match=message):
        returns(lambda: _verify(change))


def test_as_many_contexts_as_the_bound_allows_are_still_processed() -> None:
    result = _verify(lambda d: d.update({"@context": d["@context"]}))
    assert len(signed_credential()["@context"]) <= MAX_CONTEXTS
    assert result.check("signature") is not None and result.check("signature").passed


@pytest.mark.parametrize("suite", [["eddsa-rdfc-2022"], {"a": 1}, 7])
def test_a_cryptosuite_that_is_not_a_string_fails_the_signature_check(suite: object) -> None:
    result = _verify(lambda d: d["proof"].update(cryptosuite=suite))
    signature = result.check("signature")
    assert signature is not None and not signature.passed
    assert "no eddsa-rdfc-2022 Data Integrity proof" in signature.message


def test_an_unknown_context_is_reported_without_json_ld_processing() -> None:
    result = _verify(lambda d: d["@context"].append("https://evil.example/ctx.jsonld"))
    assert not result.check("context").passed
    assert "not checked" in result.check("signature").message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"n": ' + "9" * 4301 + "}", "number of 4301 characters"),
        ('{"n": 1.' + "5" * 200 + "}", "number of 202 characters"),
        ('{"n": ' + "[" * 1000 + "]" * 1000 + "}", "nested more than 64 levels"),
    ],
)
def test_json_bounds(text: str, message: str) -> None:
    with pytest.raises(InputRefused, match=message):
        loads(text)


def test_json_depth_ignores_brackets_inside_strings() -> None:
    assert loads(json.dumps({"s": "[" * 1000, "t": ['"]' * 10]})) == {
        "s": "[" * 1000,
        "t": ['"]' * 10],
    }


def test_json_size_bound_says_too_large() -> None:
    with pytest.raises(InputRefused) as refused:
        loads('"' + "x" * 100 + '"', max_bytes=50)
    assert refused.value.too_large


# The token-by-token scan `_check_depth` replaced (issue 14), kept as its oracle.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.S)


def _deeper_than_the_bound(text: str) -> bool:
    depth = 0
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return True
        elif token in ("]", "}"):
            depth -= 1
    return False


def _refused_as_too_deep(text: str) -> bool:
    try:
        _check_depth(text)
    except InputRefused:
        return True
    return False


_PIECES = st.sampled_from(['"', "\\", "[", "]", "{", "}", "x", ",", ":", '\\"', "[[[[", "]]]]"])


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=300), st.integers(min_value=0, max_value=80))
def test_the_depth_check_agrees_with_the_token_scan(pieces: list[str], opens: int) -> None:
    text = "[" * opens + "".join(pieces)
    assert _refused_as_too_deep(text) == _deeper_than_the_bound(text)


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH - 1, MAX_JSON_DEPTH, MAX_JSON_DEPTH + 1])
def test_the_depth_check_agrees_at_the_bound(depth: int) -> None:
    for text in (
        "[" * depth + "]" * depth,
        '{"a":' * depth + "1" + "}" * depth,
        "]]" + "[" * depth,
        '["' + "[" * 100 + '", ' + "[" * depth + "]" * depth + "]",
        '["\\"' + "[" * depth,
    ):
        assert _refused_as_too_deep(text) == _deeper_than_the_bound(text), text
