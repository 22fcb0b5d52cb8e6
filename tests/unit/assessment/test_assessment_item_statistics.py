"""Item difficulty and corrected point-biserial against hand arithmetic and scipy."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import stats

from credstack.assessment import AssessmentError, corrected_point_biserial, item_difficulty


def test_difficulty_on_the_published_example(wuensch_quiz: np.ndarray) -> None:
    assert item_difficulty(wuensch_quiz).tolist() == pytest.approx(
        [0.7, 0.7, 0.6, 0.7, 0.6, 0.8, 0.7, 0.7, 0.5, 0.6]
    )


def test_difficulty_of_weighted_items_is_a_share_of_the_maximum() -> None:
    scores = [[2, 0.5], [0, 1.0], [2, 0.0], [2, 0.5]]
    assert item_difficulty(scores, [2, 1]).tolist() == pytest.approx([0.75, 0.5])


@pytest.mark.parametrize(
    ("scores", "maxima", "message"),
    [
        ([[2, 1], [0, 1]], [1, 1], "outside 0 and the item's maximum"),
        ([[-1, 1], [0, 1]], None, "outside 0 and the item's maximum"),
        ([[1, 1], [0, 1]], [1], "one positive maximum score per item"),
        ([[1, 1], [0, 1]], [1, 0], "one positive maximum score per item"),
    ],
)
def test_difficulty_refuses_bad_input(
    scores: list[list[float]], maxima: list[float] | None, message: str
) -> None:
    with pytest.raises(AssessmentError, match=message):
        item_difficulty(scores, maxima)


def test_point_biserial_by_hand_for_item_one(wuensch_quiz: np.ndarray) -> None:
    # Item 1 against the score on items 2..10 ("rest"), with the point-biserial formula
    # r = (M1 - M0) / s * sqrt(p q), s the n-divisor SD of the rest scores.
    item = wuensch_quiz[:, 0].tolist()
    rest = (wuensch_quiz.sum(axis=1) - wuensch_quiz[:, 0]).tolist()
    right = [r for i, r in zip(item, rest, strict=True) if i == 1]
    wrong = [r for i, r in zip(item, rest, strict=True) if i == 0]
    assert rest == [7, 6, 6, 2, 2, 8, 7, 8, 7, 6]
    mean_all = sum(rest) / 10
    s = math.sqrt(sum((r - mean_all) ** 2 for r in rest) / 10)
    p = len(right) / 10
    by_hand = (sum(right) / len(right) - sum(wrong) / len(wrong)) / s * math.sqrt(p * (1 - p))
    assert corrected_point_biserial(wuensch_quiz)[0] == pytest.approx(by_hand, abs=1e-12)


def test_point_biserials_agree_with_scipy(wuensch_quiz: np.ndarray) -> None:
    ours = corrected_point_biserial(wuensch_quiz)
    totals = wuensch_quiz.sum(axis=1)
    for column in range(wuensch_quiz.shape[1]):
        item = wuensch_quiz[:, column]
        expected = stats.pointbiserialr(item, totals - item).statistic
        assert ours[column] == pytest.approx(expected, abs=1e-12)


def test_uncorrected_correlation_would_be_higher(wuensch_quiz: np.ndarray) -> None:
    # Why the correction matters: the item inflates its correlation with a total containing it.
    totals = wuensch_quiz.sum(axis=1)
    uncorrected = [
        stats.pearsonr(wuensch_quiz[:, c], totals).statistic for c in range(wuensch_quiz.shape[1])
    ]
    assert np.all(corrected_point_biserial(wuensch_quiz) < np.array(uncorrected))


def test_item_that_everyone_gets_right_has_no_discrimination() -> None:
    scores = [[1, 1, 0], [1, 0, 0], [1, 1, 1]]
    result = corrected_point_biserial(scores)
    assert math.isnan(result[0])
    assert not math.isnan(result[1])


TABLES = arrays(
    np.float64,
    st.tuples(st.integers(2, 30), st.integers(2, 8)),
    elements=st.integers(0, 1).map(float),
)


@settings(max_examples=200, deadline=None)
@given(TABLES)
def test_difficulty_is_a_proportion_and_discrimination_a_correlation(scores: np.ndarray) -> None:
    p = item_difficulty(scores)
    assert np.all((p >= 0) & (p <= 1))
    r = corrected_point_biserial(scores)
    assert np.all(np.isnan(r) | ((r >= -1) & (r <= 1)))
