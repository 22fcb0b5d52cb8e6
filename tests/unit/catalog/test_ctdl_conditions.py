"""Requirement trees become ConditionProfiles that mean exactly what the tree means."""

from __future__ import annotations

from decimal import Decimal
from itertools import product
from typing import Any

from credstack.catalog.ctdl_conditions import MAX_ALTERNATIVES, Targets, condition_profile
from credstack.domain.requirements import (
    AllOf,
    AnyOf,
    AssessmentPassed,
    Credits,
    Holds,
    NOf,
    Path,
    Requirement,
)

KEYS = "abcdefghij"
TARGETS = Targets(
    credential={k: f"https://x.example/{k}" for k in KEYS},
    learning={"course": "https://x.example/course"},
    assessment={"exam": "https://x.example/exam"},
    names={k: k.upper() for k in KEYS},
)


def _held(profile: dict[str, Any]) -> frozenset[str]:
    return frozenset(
        url.rsplit("/", 1)[1]
        for key in ("ceterms:targetCredential", "ceterms:targetLearningOpportunity")
        for url in profile.get(key, [])
    )


def _satisfied(profile: dict[str, Any], held: set[str]) -> bool:
    """CTDL's reading: everything in the profile, and one of its alternatives if it has any."""
    if not _held(profile) <= held:
        return False
    alternatives = profile.get("ceterms:alternativeCondition")
    return not alternatives or any(_satisfied(a, held) for a in alternatives)


def _meets(node: Requirement, held: set[str]) -> bool:
    if isinstance(node, Holds):
        return node.achievement in held
    if isinstance(node, AllOf | Path):
        children = node.children if isinstance(node, AllOf) else node.steps
        return all(_meets(c, held) for c in children)
    if isinstance(node, AnyOf):
        return any(_meets(c, held) for c in node.children)
    assert isinstance(node, NOf)
    return sum(_meets(c, held) for c in node.children) >= node.n


def _same_meaning(node: Requirement, keys: str) -> None:
    profile = condition_profile(node, TARGETS)
    for bits in product([False, True], repeat=len(keys)):
        held = {k for k, bit in zip(keys, bits, strict=True) if bit}
        assert _satisfied(profile, held) == _meets(node, held), sorted(held)


def test_two_of_three_is_one_alternative_per_pair() -> None:
    node = NOf(2, (Holds("a"), Holds("b"), Holds("c")), label="Any two stacks")
    profile = condition_profile(node, TARGETS)
    assert profile["ceterms:name"] == {"en-US": "Any two stacks"}
    options = profile["ceterms:alternativeCondition"]
    assert [sorted(_held(o)) for o in options] == [["a", "b"], ["a", "c"], ["b", "c"]]
    _same_meaning(node, "abc")


def test_nested_trees_keep_their_meaning_for_every_combination_of_holdings() -> None:
    trees: list[Requirement] = [
        AllOf((Holds("a"), AnyOf((Holds("b"), Holds("c"))))),
        AllOf((AnyOf((Holds("a"), Holds("b"))), AnyOf((Holds("c"), Holds("d"))))),
        Path((Holds("a"), NOf(2, (Holds("b"), Holds("c"), Holds("d"))))),
        AnyOf((AllOf((Holds("a"), Holds("b"))), NOf(1, (Holds("c"), Holds("d"))))),
        NOf(2, (AllOf((Holds("a"), Holds("b"))), AnyOf((Holds("c"), Holds("d"))), Holds("e"))),
        NOf(3, (Holds("a"), Holds("b"), Holds("c"))),
    ]
    for tree in trees:
        _same_meaning(tree, "abcde")


def test_any_is_alternatives_and_all_pools_targets() -> None:
    anyof = condition_profile(AnyOf((Holds("a"), Holds("course"))), TARGETS)
    assert [sorted(_held(o)) for o in anyof["ceterms:alternativeCondition"]] == [["a"], ["course"]]
    allof = condition_profile(
        AllOf((Holds("a"), AssessmentPassed("exam", proctored=True))), TARGETS
    )
    assert allof["ceterms:targetCredential"] == ["https://x.example/a"]
    assert allof["ceterms:targetAssessment"] == ["https://x.example/exam"]
    assert "Pass exam; the attempt must be proctored." in allof["ceterms:condition"]["en-US"]
    assert "ceterms:alternativeCondition" not in allof


def test_credits_are_a_value_profile_with_the_qualifiers_in_words() -> None:
    node = Credits(Decimal(30), min_grade="B", label="Degree credits")
    profile = condition_profile(node, TARGETS)
    value = profile["ceterms:creditValue"][0]
    assert value["schema:value"] == 30
    assert value["ceterms:creditUnitType"] == ["creditUnit:DegreeCredit"]
    assert profile["ceterms:condition"]["en-US"] == [
        "Degree credits: Earn 30 credits; minimum grade B."
    ]


def test_too_many_combinations_are_said_in_words_not_claimed() -> None:
    children = tuple(Holds(k) for k in KEYS)  # 5 of 10 is 252 combinations
    profile = condition_profile(NOf(5, children), TARGETS)
    assert "ceterms:alternativeCondition" not in profile
    assert "ceterms:targetCredential" not in profile  # none of them is required on its own
    assert profile["ceterms:description"] == {"en-US": "At least 5 of the following 10."}
    statements = profile["ceterms:condition"]["en-US"]
    assert statements[:10] == [f"Hold {k.upper()}" for k in KEYS]
    assert statements[10] == "A record counts toward one of the chosen requirements only."
    assert MAX_ALTERNATIVES < 252
