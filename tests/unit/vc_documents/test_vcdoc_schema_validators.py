"""The compiled schema validator (jsonschema_rs) against jsonschema, kept as the oracle.

`schema_errors` asks jsonschema_rs whether a document conforms and jsonschema to word the
errors of one that does not; here every document, the conformance fixtures and hundreds of
broken variants of them, gets the answer jsonschema alone gives (the code `schema_errors`
ran before jsonschema_rs came in, written out below).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from vcdoc_helpers import sample_award

from credstack.vc import schema
from credstack.vc.documents import open_badge_credential
from credstack.vc.schema import profile_errors, schema_errors

DATA = Path(__file__).resolve().parents[2] / "data"
FIXTURES = sorted((DATA / "ob30-fixtures").rglob("*.json"))
_REPLACEMENTS: tuple[Any, ...] = (1, "x", None, {}, 10**40, float("nan"))
VARIED = ("complete_v1.json", "endorsement-valid.json", "simple.json")
"""The fixtures whose broken variants are checked (every fixture is checked as it is)."""


def _oracle(document: dict[str, Any], definition: str | None, strict: bool) -> list[str]:
    """`schema_errors` with jsonschema only."""
    validator = schema._validator(definition)
    instance: Any = copy.deepcopy(document)
    errors = list(validator.iter_errors(instance))
    while not strict and schema._wrap_lone_values(instance, errors):
        errors = list(validator.iter_errors(instance))
    errors.sort(key=lambda e: [str(p) for p in e.absolute_path])
    return [schema._describe(e) for e in errors]


def _credentials() -> list[dict[str, Any]]:
    documents = [json.loads(path.read_text(encoding="utf-8")) for path in FIXTURES]
    documents = [d for d in documents if isinstance(d, dict)]
    award = sample_award()
    return [*documents, open_badge_credential(award)]


def _variants(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """(path, replacement) for each place in the document: other types, a lone value put in
    a list, a one-element list taken out of it, the key removed (replacement `_GONE`)."""
    if path:
        for replacement in _REPLACEMENTS:
            yield path, replacement
        yield path, [value]
        if isinstance(value, list) and len(value) == 1:
            yield path, value[0]
        if isinstance(path[-1], str):
            yield path, _GONE
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _variants(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value[:3]):
            yield from _variants(item, (*path, index))


_GONE = object()


def _changed(document: dict[str, Any], path: tuple[Any, ...], replacement: Any) -> Any:
    changed: Any = copy.deepcopy(document)
    parent = changed
    for part in path[:-1]:
        parent = parent[part]
    if replacement is _GONE:
        del parent[path[-1]]
    else:
        parent[path[-1]] = copy.deepcopy(replacement)
    return changed


def _definition(document: dict[str, Any]) -> str | None:
    return schema._definition_for(document)


@pytest.mark.parametrize("strict", [False, True])
def test_fixtures_get_the_oracles_answer(strict: bool) -> None:
    for document in _credentials():
        expected = _oracle(document, _definition(document), strict)
        assert schema_errors(document, strict=strict) == expected


@pytest.mark.parametrize("index", range(2))
def test_broken_variants_get_the_oracles_answer(index: int) -> None:
    """A quarter of the variants of a few documents (an endorsement among them), taken as
    every eighth in two tests that run side by side: each variant costs jsonschema a few ms."""
    checked = 0
    varied = [json.loads((DATA / "ob30-fixtures" / name).read_text()) for name in VARIED]
    for document in [*varied, open_badge_credential(sample_award())]:
        for number, (path, replacement) in enumerate(_variants(document)):
            if number % 8 != index:
                continue
            changed = _changed(document, path, replacement)
            before = copy.deepcopy(changed)
            for strict in (False, True):
                expected = _oracle(changed, _definition(changed), strict)
                assert schema_errors(changed, strict=strict) == expected, (path, replacement)
            assert json.dumps(changed, sort_keys=True) == json.dumps(before, sort_keys=True)
            checked += 1
    assert checked > 100


def test_profiles_get_the_oracles_answer() -> None:
    issuer = open_badge_credential(sample_award())["issuer"]
    assert profile_errors(issuer) == _oracle(issuer, "Profile", False) == []
    for path, replacement in _variants(issuer):
        changed = _changed(issuer, path, replacement)
        assert profile_errors(changed) == _oracle(changed, "Profile", False), path


def test_a_conforming_document_is_not_changed_by_the_wrapping() -> None:
    document = open_badge_credential(sample_award())
    document["proof"] = {"type": "DataIntegrityProof"}  # a lone value the schema wants listed
    before = json.dumps(document, sort_keys=True)
    assert schema_errors(document) == []
    assert schema_errors(document, strict=True) != []
    assert json.dumps(document, sort_keys=True) == before
