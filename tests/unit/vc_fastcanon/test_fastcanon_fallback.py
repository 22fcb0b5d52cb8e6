"""What the fast path hands to the general algorithm, and that the result is the same."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from credstack.vc.canon import canonicalize, canonicalize_general
from credstack.vc.fastcanon import Unsupported, fast_canonicalize, path_counts
from credstack.vc.jsonld import ContextNotAllowed, JsonLdProcessingError

from .support import DATA, load_json

EXAMPLES = ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"]


def _credential() -> dict[str, Any]:
    loaded: dict[str, Any] = load_json(DATA / "vc_signing" / "achievement-credential.json")
    return loaded


def _with(change: dict[str, Any]) -> dict[str, Any]:
    document = _credential()
    document.update(change)
    return document


def _examples(body: dict[str, Any], extra_context: Any = None) -> dict[str, Any]:
    context: list[Any] = list(EXAMPLES)
    if extra_context is not None:
        context.append(extra_context)
    return {"@context": context, "id": "urn:x", **body}


UNSUPPORTED: dict[str, dict[str, Any]] = {
    "undefined term": _with({"favouriteColour": "green"}),
    "undefined type": _with({"type": ["VerifiableCredential", "OpenBadgeCredential", "Odd"]}),
    "relative id": _with({"id": "credentials/42"}),
    "explicit blank node id": _with({"id": "_:credential"}),
    "iri with a space": _with({"id": "urn:a b"}),
    "reverse property": _examples({"@reverse": {"knows": {"id": "urn:y"}}}),
    "included block": _examples({"@included": [{"id": "urn:y", "name": "Y"}]}),
    "graph keyword": _examples({"@graph": [{"id": "urn:y", "name": "Y"}]}),
    "list keyword": _examples({"tags": {"@list": ["a", "b"]}}),
    "language map": _examples(
        {"title": {"en": "Hello", "fr": "Bonjour"}},
        {"title": {"@id": "https://schema.org/name", "@container": "@language"}},
    ),
    "nest": _examples(
        {"meta": {"name": "Nested"}},
        {"meta": "@nest"},
    ),
    "indexed value": _examples({"name": {"@value": "x", "@index": "i"}}),
    "booleans and numbers": _examples({"flag": [True, 1]}),
    "booleans and numbers nested": _examples({"flag": [[True], {"@value": 1}]}),
    "booleans and numbers across occurrences": _examples(
        {"knows": [{"id": "urn:y", "flag": True}, {"id": "urn:y", "flag": 1.0}]}
    ),
    "list of lists": _examples(
        {"matrix": [[1, 2], [3]]},
        {"matrix": {"@id": "https://example.org/matrix", "@container": "@list"}},
    ),
}


@pytest.mark.parametrize("name", sorted(UNSUPPORTED))
def test_unsupported_constructs_fall_back_to_the_same_result(name: str) -> None:
    document = UNSUPPORTED[name]
    with pytest.raises(Unsupported):
        fast_canonicalize(document)
    counts = path_counts()
    counts.reset()
    assert canonicalize(document) == canonicalize_general(document)
    assert (counts.fast, counts.fallback) == (0, 1)


def test_an_unbundled_context_falls_back_and_is_refused() -> None:
    document = _with({"@context": ["https://www.w3.org/ns/credentials/v2", "https://evil.test/"]})
    with pytest.raises(Unsupported):
        fast_canonicalize(document)
    with pytest.raises(ContextNotAllowed):
        canonicalize(document)


def test_a_protected_term_redefinition_falls_back_to_pyld_error() -> None:
    document = _with({})
    document["@context"] = [*document["@context"], {"name": "https://example.org/name"}]
    with pytest.raises(Unsupported):
        fast_canonicalize(document)
    with pytest.raises(JsonLdProcessingError):
        canonicalize(document)


def test_supported_documents_are_counted_as_fast() -> None:
    counts = path_counts()
    counts.reset()
    canonicalize(_credential())
    assert (counts.fast, counts.fallback) == (1, 0)


SUPPORTED: dict[str, dict[str, Any]] = {
    "language and direction": _with(
        {"name": {"@value": "שלום", "@language": "HE", "@direction": "rtl"}}
    ),
    "direction only": _with({"name": {"@value": "abc", "@direction": "ltr"}}),
    "typed value object": _examples(
        {"when": {"@value": "2025-01-01", "@type": "http://www.w3.org/2001/XMLSchema#date"}}
    ),
    "null values dropped": _with({"description": None, "evidence": [None]}),
    "numbers": _examples({"n": [0, -1, 2.5, 1e21, 10**22, 3.0, -0.0, 1e-7, 123456789.125, 5e-324]}),
    "booleans": _examples({"b": [True, False]}),
    "embedded object context": _examples(
        {"homepage": "https://example.org/"},
        {"homepage": {"@id": "https://schema.org/url", "@type": "@id"}},
    ),
    "vocab coercion": _examples(
        {"kind": "Thing"},
        {"kind": {"@id": "https://example.org/kind", "@type": "@vocab"}},
    ),
    "list container": _examples(
        {"steps": ["b", "a", {"name": "c"}], "none": []},
        {
            "steps": {"@id": "https://example.org/steps", "@container": "@list"},
            "none": {"@id": "https://example.org/none", "@container": "@list"},
        },
    ),
    "json literal": {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": "did:example:1",
        "credentialSchema": {
            "id": "https://example.org/schema",
            "type": "JsonSchema",
            "jsonSchema": {"b": [1, 2.5, "é"], "a": None, "c": {"z": True}},
        },
    },
    "nested arrays flatten": _examples({"tag": [["a", ["b"]], "c"]}),
    "type aliases": _examples({"@type": "Thing", "name": "x"}),
    "identical blank nodes": _examples(
        {"knows": [{"name": "A"}, {"name": "A"}, {"name": "B", "knows": {"name": "A"}}]}
    ),
    "symmetric cycle": _examples(
        {
            "knows": [
                {"id": "urn:p", "knows": {"name": "q"}},
                {"id": "urn:q", "knows": {"name": "q"}},
            ]
        }
    ),
}


@pytest.mark.parametrize("name", sorted(SUPPORTED))
def test_supported_constructs_match_pyld(name: str) -> None:
    document = copy.deepcopy(SUPPORTED[name])
    assert fast_canonicalize(document) == canonicalize_general(document)


def test_a_node_repeated_with_an_empty_list_keeps_both_statements_as_pyld_does() -> None:
    described = {
        "id": "https://example.org/rd",
        "type": "ResultDescription",
        "name": "n",
        "resultType": "Status",
        "allowedValue": [],
    }
    document = _credential()
    achievement = document["credentialSubject"]["achievement"]
    achievement["resultDescription"] = [described, copy.deepcopy(described)]
    text = fast_canonicalize(document)
    assert text == canonicalize_general(document)
    assert text.count("#allowedValue> <http://www.w3.org/1999/02/22-rdf-syntax-ns#nil>") == 2


def test_identical_results_need_the_n_degree_step_and_match_pyld() -> None:
    document = _credential()
    result = document["credentialSubject"]["result"][0]
    document["credentialSubject"]["result"] = [result, copy.deepcopy(result), {"type": ["Result"]}]
    document["evidence"] = [
        {"type": ["Evidence"], "name": "x"},
        {"type": ["Evidence"], "name": "x"},
    ]
    assert fast_canonicalize(document) == canonicalize_general(document)
