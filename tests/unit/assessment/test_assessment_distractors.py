"""Distractor analysis: option shares overall and in the upper and lower 27%."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from credstack.assessment import (
    AssessmentError,
    MultipleChoiceItem,
    ScoringError,
    distractor_analysis,
    upper_lower_groups,
)

ITEM = MultipleChoiceItem("q7", ("A", "B", "C", "D"), key="B")


def test_groups_are_the_top_and_bottom_27_percent() -> None:
    totals = np.arange(100, dtype=float)[::-1]  # candidate 0 scored highest
    upper, lower = upper_lower_groups(totals)
    assert sorted(upper.tolist()) == list(range(27))
    assert sorted(lower.tolist()) == list(range(73, 100))


def test_group_ties_are_broken_by_input_order() -> None:
    # Ranked ascending (stable): 7, 4, 8, 0, 1, 2, 3, 9, 5, 6. At the tied 5s of the upper edge
    # the later candidate (9) ranks higher.
    upper, lower = upper_lower_groups([5, 5, 5, 5, 1, 9, 9, 0, 3, 5], fraction=0.3)
    assert upper.tolist() == [6, 5, 9]
    assert lower.tolist() == [7, 4, 8]


def test_groups_never_overlap_even_when_all_tied() -> None:
    upper, lower = upper_lower_groups([3.0] * 5, fraction=0.5)
    assert upper.tolist() == [4, 3]
    assert lower.tolist() == [0, 1]


@pytest.mark.parametrize(
    ("totals", "fraction", "message"),
    [([1.0], 0.27, "at least 2 candidates"), ([1.0, 2.0], 0.6, "at most 0.5")],
)
def test_groups_refuse_bad_input(totals: list[float], fraction: float, message: str) -> None:
    with pytest.raises(AssessmentError, match=message):
        upper_lower_groups(totals, fraction)


def test_shares_by_hand() -> None:
    # Ten candidates, ranked by total; with fraction 0.3 the upper group is the top 3 and the
    # lower group the bottom 3.
    choices = ["B", "B", "C", "B", "A", "B", "A", "A", None, "A"]
    totals = [10.0, 9.0, 8.0, 7.0, 6.0, 5.0, 4.0, 3.0, 2.0, 1.0]
    analysis = distractor_analysis(ITEM, choices, totals, fraction=0.3)
    key = analysis.option("B")
    assert key.is_key
    assert (key.proportion, key.upper_proportion, key.lower_proportion) == (0.4, 2 / 3, 0.0)
    assert key.discrimination == pytest.approx(2 / 3)
    a = analysis.option("A")
    assert (a.proportion, a.upper_proportion, a.lower_proportion) == (0.4, 0.0, 2 / 3)
    assert a.discrimination == pytest.approx(-2 / 3)
    c = analysis.option("C")
    assert (c.proportion, c.upper_proportion) == (0.1, 1 / 3)
    d = analysis.option("D")
    assert d.proportion == 0.0
    assert d.point_biserial is None  # nobody chose it: no correlation
    assert analysis.omitted == pytest.approx(0.1)
    assert [o.option for o in analysis.distractors] == ["A", "C", "D"]


def test_option_point_biserials_agree_with_scipy() -> None:
    rng = np.random.default_rng(5)
    choices = rng.choice(["A", "B", "C", "D"], size=60, p=[0.2, 0.5, 0.2, 0.1]).tolist()
    totals = rng.integers(5, 30, size=60).astype(float)
    analysis = distractor_analysis(ITEM, choices, totals)
    rest = totals - np.array([1.0 if c == "B" else 0.0 for c in choices])
    for option in ITEM.options:
        chose = np.array([c == option for c in choices], dtype=float)
        expected = stats.pointbiserialr(chose, rest).statistic
        assert analysis.option(option).point_biserial == pytest.approx(expected, abs=1e-12)


def test_refuses_unknown_options_and_mismatched_lengths() -> None:
    with pytest.raises(ScoringError, match="'E' is not among them"):
        distractor_analysis(ITEM, ["A", "E"], [1.0, 2.0])
    with pytest.raises(AssessmentError, match="one total score per candidate"):
        distractor_analysis(ITEM, ["A", "B"], [1.0])


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.sampled_from(["A", "B", "C", "D", None]), min_size=4, max_size=60).flatmap(
        lambda choices: st.tuples(
            st.just(choices),
            st.lists(st.integers(0, 40), min_size=len(choices), max_size=len(choices)),
        )
    )
)
def test_shares_sum_to_one_and_groups_are_ordered(
    data: tuple[list[str | None], list[int]],
) -> None:
    choices, totals = data
    analysis = distractor_analysis(ITEM, choices, [float(t) for t in totals])
    assert sum(o.proportion for o in analysis.options) + analysis.omitted == pytest.approx(1)
    upper, lower = upper_lower_groups([float(t) for t in totals])
    assert min(totals[i] for i in upper) >= max(totals[i] for i in lower)
    assert not set(upper.tolist()) & set(lower.tolist())
