"""The fragment cache: remembered subtrees give pyld's bytes, and never a stale entry.

Generated credentials of one template vary exactly the parts issued credentials vary (id,
subject, dates, results, evidence, status entry) while the cache is meant to serve the rest;
changed template fields, other contexts, other value types and repeated subtrees inside one
document must each miss or be renumbered correctly. Each example starts from an empty cache
and canonicalises its documents in turn, so later documents take cached fragments.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credstack.vc.canon import canonicalize, canonicalize_general
from credstack.vc.fastcanon import (
    FragmentCache,
    document_quads,
    document_quads_and_hashes,
    fast_canonicalize,
    fragment_cache,
    path_counts,
)
from credstack.vc.fastcanon.fragments import _MAX_POSITIONS, Fragment
from credstack.vc.fastcanon.rdfc import _Canonicaliser

from .strategies import (
    EXTENSIONS,
    OB3_VERSIONS,
    VC2,
    achievement_credentials,
    clr_credentials,
    dates,
    evidence_items,
    iris,
    numbers,
    results,
    status_entries,
    texts,
)
from .support import DATA, FASTCANON, assert_same_as_pyld, each_matches_pyld, load_json


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    fragment_cache().clear()


@st.composite
def issued_from(draw: st.DrawFn, template: dict[str, Any]) -> dict[str, Any]:
    """One credential of ``template``: what differs between two learners' credentials."""
    credential = copy.deepcopy(template)
    credential["id"] = draw(iris)
    credential["validFrom"] = draw(dates)
    if draw(st.booleans()):
        credential["awardedDate"] = draw(dates)
    subject = credential["credentialSubject"]
    subject["id"] = draw(iris)
    if draw(st.booleans()):
        subject["result"] = draw(st.lists(results(), max_size=2))
    if draw(st.booleans()):
        credential["evidence"] = draw(st.lists(evidence_items(), min_size=1, max_size=2))
    if draw(st.booleans()):
        credential["credentialStatus"] = draw(status_entries())
    return credential


@st.composite
def one_template(draw: st.DrawFn) -> list[dict[str, Any]]:
    template = draw(achievement_credentials())
    return [draw(issued_from(template)) for _ in range(draw(st.integers(3, 5)))]


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _leaves(v, (*path, k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _leaves(v, (*path, i))]
    return [path]


def _changed(value: Any, draw: st.DrawFn) -> Any:
    if isinstance(value, bool):
        return draw(st.sampled_from([not value, int(value)]))
    if isinstance(value, int | float):
        return draw(st.sampled_from([value + 1, float(value), str(value)]))
    if isinstance(value, str):
        return value + draw(st.sampled_from(["x", "é", "/y", " "]))
    return draw(texts)


@st.composite
def template_then_changed_field(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Credentials of one template, then one whose achievement differs in a single leaf."""
    documents = draw(one_template())
    changed = copy.deepcopy(documents[-1])
    achievement = changed["credentialSubject"]["achievement"]
    path = draw(st.sampled_from(_leaves(achievement)))
    target = achievement
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = _changed(target[path[-1]], draw)
    return [*documents, changed]


def _assert_known_hashes_are_the_documents_own(documents: list[dict[str, Any]]) -> int:
    """Each hash a fragment brought equals the one labelling computes from the whole
    document; returns how many there were."""
    brought = 0
    for document in documents:
        quads, known = document_quads_and_hashes(document)
        labelling = _Canonicaliser(quads, None)  # computes every hash from the document
        for blank, digest in known.items():
            assert labelling.hash_first_degree(blank) == digest
        brought += len(known)
        assert_same_as_pyld(document)
    return brought


@settings(FASTCANON, max_examples=max(20, FASTCANON.max_examples // 4))
@given(one_template())
def test_credentials_of_one_template_match_pyld_and_reuse_the_template(
    documents: list[dict[str, Any]],
) -> None:
    _assert_known_hashes_are_the_documents_own(documents)
    assert fragment_cache().hits > 0  # the achievement at least, from the third credential on


@settings(FASTCANON, max_examples=max(20, FASTCANON.max_examples // 4))
@given(template_then_changed_field())
def test_a_changed_template_field_never_reuses_a_stale_fragment(
    documents: list[dict[str, Any]],
) -> None:
    each_matches_pyld(documents)


@settings(FASTCANON, max_examples=max(10, FASTCANON.max_examples // 10))
@given(one_template(), st.sampled_from(OB3_VERSIONS), st.booleans())
def test_the_same_subtree_under_other_contexts_is_expanded_for_them(
    documents: list[dict[str, Any]], ob3: str, extensions: bool
) -> None:
    each_matches_pyld(documents)
    other = copy.deepcopy(documents[0])
    other["@context"] = [VC2, ob3, *([EXTENSIONS] if extensions else [])]
    other.pop("credentialSchema", None)
    each_matches_pyld([other, other])


@settings(FASTCANON, max_examples=max(10, FASTCANON.max_examples // 10))
@given(clr_credentials())
def test_records_seen_again_take_cached_graphs_and_match_pyld(document: dict[str, Any]) -> None:
    # Wrapped credentials sit in named graphs: their fragments are placed in a new graph.
    _assert_known_hashes_are_the_documents_own([document] * 3)


@settings(FASTCANON, max_examples=max(10, FASTCANON.max_examples // 10))
@given(achievement_credentials(), st.integers(2, 3))
def test_a_subtree_repeated_inside_one_document_gets_fresh_blank_nodes(
    document: dict[str, Any], copies: int
) -> None:
    achievement = document["credentialSubject"]["achievement"]
    achievement["alignment"] = [
        {"type": "Alignment", "targetName": "A", "targetUrl": "https://example.org/a"}
    ] * copies
    document["evidence"] = [{"type": "Evidence", "name": "same"} for _ in range(copies)]
    _assert_known_hashes_are_the_documents_own([document] * 3)


@given(numbers, st.sampled_from([float, int, bool, str]))
@settings(FASTCANON, max_examples=max(20, FASTCANON.max_examples // 6))
def test_values_equal_in_python_but_of_another_type_are_other_keys(number: Any, kind: type) -> None:
    document = load_json(DATA / "vc_signing" / "achievement-credential.json")
    achievement = document["credentialSubject"]["achievement"]
    achievement["creditsAvailable"] = number
    each_matches_pyld([document, document, document])
    try:
        achievement["creditsAvailable"] = kind(number)
    except (OverflowError, ValueError):
        return
    each_matches_pyld([document, document])


def _template() -> dict[str, Any]:
    loaded: dict[str, Any] = load_json(DATA / "vc_signing" / "achievement-credential.json")
    return loaded


def test_the_third_credential_of_a_template_takes_the_achievement_from_the_cache() -> None:
    first, second, third = _template(), _template(), _template()
    for n, document in enumerate((first, second, third)):
        document["credentialSubject"]["id"] = f"did:example:learner-{n}"
    fast_canonicalize(first)
    assert len(fragment_cache()) == 0  # first sight: nothing remembered
    fast_canonicalize(second)
    assert len(fragment_cache()) > 0  # second sight: the fixed parts
    hits = fragment_cache().hits
    assert fast_canonicalize(third) == canonicalize_general(third)
    assert fragment_cache().hits > hits


def test_a_tuple_where_a_list_was_cached_still_goes_to_pyld() -> None:
    document = _template()
    for _ in range(3):
        fast_canonicalize(document)
    achievement = document["credentialSubject"]["achievement"]
    achievement["alignment"] = tuple(achievement["alignment"])
    counts = path_counts()
    counts.reset()
    assert canonicalize(document) == canonicalize_general(document)
    assert counts.fallback == 1


def test_a_dict_subclass_is_expanded_not_cached() -> None:
    class Node(dict[str, Any]):
        pass

    document = _template()
    subject = document["credentialSubject"]
    subject["achievement"] = Node(subject["achievement"])
    for _ in range(3):
        assert_same_as_pyld(document)
    # marshal refuses the subclass: neither it nor the subject holding it is remembered,
    # the document's other parts are.
    keys = list(fragment_cache()._entries)
    assert keys
    assert not [key for key in keys if key[1] in ("achievement", "credentialSubject")]


def test_the_cache_stays_within_its_entry_and_byte_bounds() -> None:
    cache = FragmentCache(max_entries=8, max_bytes=4096)
    fragment = Fragment(
        object(),
        "<urn:x>",
        blanks=0,
        quads=(("<urn:x>", "<urn:p>", '"v"', "?"),),
        repeats=(),
        lists=(),
        kinds=(),
        booleans=0,
        numbers=0,
    )
    for n in range(1000):
        content = str(n).encode() * 20
        cache.put((n, "p", False, content), len(content), fragment)
        assert len(cache) <= 8
        assert cache.bytes <= 4096
    cache.put((0, "p", False, b"x" * 1000), 1000, fragment)  # over max_bytes // 16: refused
    assert (0, "p", False, b"x" * 1000) not in cache._entries


def test_many_distinct_documents_leave_the_process_cache_bounded() -> None:
    cache = fragment_cache()
    for n in range(cache.max_entries * 3):
        document = _template()
        document["issuer"]["name"] = f"Issuer {n}"
        document["credentialSubject"]["achievement"]["name"] = f"Achievement {n}"
        for _ in range(2):
            document_quads(document)
    assert len(cache) <= cache.max_entries
    assert cache.bytes <= cache.max_bytes


def _learner_credential(n: int, evidence: str) -> dict[str, Any]:
    document = _template()
    document["id"] = f"urn:uuid:00000000-0000-4000-8000-{n:012d}"
    document["credentialSubject"]["id"] = f"did:example:learner-{n}"
    document["credentialStatus"]["id"] = f"https://example.edu/status/1#{n}"
    document["credentialStatus"]["statusListIndex"] = str(n)
    document["evidence"][0]["id"] = evidence
    return document


def test_positions_that_keep_missing_are_skipped_and_the_template_still_comes_from_the_cache() -> (
    None
):
    cache = fragment_cache()
    documents = [_learner_credential(n, f"https://example.edu/ev/{n}") for n in range(150)]
    for document in documents[:-3]:
        document_quads(document)
    assert cache.skipped > 0  # subject, evidence, status entry: a new one every time
    hits = cache.hits
    each_matches_pyld(documents[-3:])  # skipped lookups change nothing in the bytes
    assert cache.hits > hits  # the issuer, achievement and schema still come from it


def test_a_position_that_starts_repeating_is_looked_up_again() -> None:
    cache = fragment_cache()
    for n in range(100):
        document_quads(_learner_credential(n, f"https://example.edu/ev/{n}"))
    assert not [key for key in cache._entries if key[1] == "evidence"]
    for n in range(100, 300):
        document_quads(_learner_credential(n, "https://example.edu/ev/shared"))
    assert [key for key in cache._entries if key[1] == "evidence"]
    assert_same_as_pyld(_learner_credential(300, "https://example.edu/ev/shared"))


def test_the_miss_counters_stay_bounded() -> None:
    cache = FragmentCache()
    for n in range(20_000):
        position = (n, "p", False)
        if cache.worth_a_lookup(position):
            cache.looked_up(position, hit=False)
    assert len(cache._misses_in_a_row) <= _MAX_POSITIONS


def test_the_templates_blank_nodes_are_hashed_with_its_fragment() -> None:
    documents = [_learner_credential(n, f"https://example.edu/ev/{n}") for n in range(3)]
    # The alignment and the four allowed values' list nodes sit inside the achievement.
    assert _assert_known_hashes_are_the_documents_own(documents) >= 5


def test_a_statement_both_in_fragments_and_in_the_document_is_kept_once() -> None:
    documents = []
    for n in range(4):
        document = _learner_credential(n, f"https://example.edu/ev/{n}")
        logo = copy.deepcopy(document["issuer"]["image"])
        # The issuer's logo node again inside the achievement (a fragment) and the evidence
        # (expanded per credential): the same statements from three places.
        document["credentialSubject"]["achievement"]["image"] = logo
        document["evidence"][0]["image"] = copy.deepcopy(logo)
        documents.append(document)
    each_matches_pyld(documents)
    assert fragment_cache().hits > 0


def test_an_empty_list_in_a_fragment_placed_twice_keeps_pyld_s_repeat() -> None:
    documents = []
    for n in range(4):
        document = _learner_credential(n, f"https://example.edu/ev/{n}")
        achievement = document["credentialSubject"]["achievement"]
        achievement["resultDescription"][0]["allowedValue"] = []  # an empty @list
        document["credentialSubject"]["source"] = copy.deepcopy(achievement)
        documents.append(document)
    each_matches_pyld(documents)
