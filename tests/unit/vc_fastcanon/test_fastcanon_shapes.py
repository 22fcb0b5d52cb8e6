"""Node plans (``dataset._Shape``): made from one object, right for every object of its shape.

A plan is keyed by the active context, the property, the keys and the types, and decides
everything else once; the values are read per object. So the property tests here build
plans from one document and then feed objects with the same keys whose values are of other
kinds — a number, a boolean, null, a list, an object, an IRI where text was, text where an
IRI was — and require pyld's bytes (or the same refusal) for each.
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from credstack.vc.fastcanon import dataset, fast_canonicalize, fragment_cache

from .strategies import achievement_credentials, clr_credentials, iris, numbers, texts
from .support import DATA, FASTCANON, assert_same_as_pyld, each_matches_pyld, load_json


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every value's path below the root, objects and lists included, @context excluded."""
    found = [path] if path else []
    if isinstance(value, dict):
        for key, item in value.items():
            if key != "@context":
                found += _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*path, index))
    return found


other_values = st.one_of(
    texts,
    iris,
    numbers,
    st.booleans(),
    st.none(),
    st.lists(st.one_of(texts, iris), max_size=2),
    st.builds(lambda iri: {"id": iri}, iris),
    st.builds(lambda name: {"type": "Image", "name": name}, texts),
    st.just({"@value": "v", "@language": "en"}),
)


@st.composite
def same_keys_other_values(draw: st.DrawFn) -> list[dict[str, Any]]:
    """A document, then copies with one to three values swapped for values of other kinds."""
    document = draw(achievement_credentials())
    out = [document, copy.deepcopy(document)]
    for _ in range(draw(st.integers(1, 4))):
        changed = copy.deepcopy(document)
        for _ in range(draw(st.integers(1, 3))):
            path = draw(st.sampled_from(_paths(changed)))
            target = changed
            for step in path[:-1]:
                target = target[step]
            target[path[-1]] = draw(other_values)
        out.append(changed)
    return out


@settings(FASTCANON, max_examples=max(20, FASTCANON.max_examples // 8))
@given(same_keys_other_values())
def test_a_plan_fits_every_object_of_its_shape_whatever_the_values(
    documents: list[dict[str, Any]],
) -> None:
    dataset._SHAPES.clear()
    fragment_cache().clear()
    each_matches_pyld(documents)
    assert dataset._SHAPES  # plans were made and, from the second document on, used


@settings(FASTCANON, max_examples=max(10, FASTCANON.max_examples // 10))
@given(clr_credentials())
def test_plans_inside_named_graphs_match_pyld(document: dict[str, Any]) -> None:
    dataset._SHAPES.clear()
    for _ in range(2):
        assert_same_as_pyld(document)


@given(st.sampled_from(["id", "type", "name", "issuer", "validFrom", "credentialSubject"]))
@settings(FASTCANON, max_examples=6)
def test_a_type_or_id_of_another_kind_is_refused_as_without_a_plan(key: str) -> None:
    document = load_json(DATA / "vc_signing" / "achievement-credential.json")
    assert_same_as_pyld(document)  # the plans exist now
    for value in (7, ["urn:example:a", "urn:example:b"], {"id": "urn:example:c"}, None):
        each_matches_pyld([{**document, key: value}])


def test_other_types_take_another_plan() -> None:
    document = load_json(DATA / "vc_signing" / "achievement-credential.json")
    assert_same_as_pyld(document)
    other = copy.deepcopy(document)
    other["type"] = ["VerifiableCredential", "AchievementCredential"]
    other["credentialSubject"]["type"] = "AchievementSubject"  # a string, not a list
    assert_same_as_pyld(other)
    assert_same_as_pyld(document)


def test_plans_stay_bounded_and_large_objects_get_none() -> None:
    document = load_json(DATA / "vc_signing" / "achievement-credential.json")
    alignment = document["credentialSubject"]["achievement"]["alignment"][0]
    dataset._SHAPES.clear()
    for n in range(dataset._MAX_SHAPE_KEYS + 10):
        # A new key set each time: an absolute IRI as a key is a property.
        alignment[f"https://example.org/extra{n}"] = n
        fast_canonicalize(document)
        del alignment[f"https://example.org/extra{n}"]
        assert len(dataset._SHAPES) <= dataset._MAX_SHAPE_KEYS
    alignment.update(
        {f"https://example.org/extra{n}": n for n in range(dataset._MAX_SHAPE_ENTRIES)}
    )
    dataset._SHAPES.clear()
    for _ in range(2):
        assert_same_as_pyld(document)
    assert not [key for key in dataset._SHAPES if len(key[2]) > dataset._MAX_SHAPE_ENTRIES]
