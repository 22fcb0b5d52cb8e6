"""Modified-Angoff standard setting: judges' cuts, the recommendation and its spread."""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from credstack.assessment import (
    AssessmentError,
    CutScoreUnit,
    StandardSettingMethod,
    angoff_round,
    modified_angoff,
)

# Four judges rate five items: the probability a minimally competent candidate answers right.
ROUND_1 = [
    [0.6, 0.7, 0.5, 0.8, 0.9],  # judge cut 3.5
    [0.5, 0.6, 0.4, 0.7, 0.8],  # 3.0
    [0.8, 0.9, 0.7, 0.9, 0.9],  # 4.2
    [0.4, 0.5, 0.3, 0.6, 0.7],  # 2.5
]
# After discussion and impact data the panel converges.
ROUND_2 = [
    [0.6, 0.7, 0.5, 0.8, 0.8],  # 3.4
    [0.6, 0.6, 0.5, 0.7, 0.8],  # 3.2
    [0.7, 0.8, 0.6, 0.8, 0.9],  # 3.8
    [0.6, 0.6, 0.4, 0.7, 0.7],  # 3.0
]


def test_one_round_by_hand() -> None:
    result = angoff_round(ROUND_1)
    assert result.judge_cut_scores == pytest.approx((3.5, 3.0, 4.2, 2.5))
    assert result.raw_cut == pytest.approx(13.2 / 4)
    assert result.percent_cut == pytest.approx(66.0)
    assert result.max_score == 5
    expected_sd = statistics.stdev([3.5, 3.0, 4.2, 2.5])
    assert result.sd == pytest.approx(expected_sd)
    assert result.standard_error == pytest.approx(expected_sd / 2)
    assert result.judges == 4


def test_two_rounds_recommend_the_final_one_with_less_spread() -> None:
    study = modified_angoff([ROUND_1, ROUND_2])
    assert len(study.rounds) == 2
    assert study.recommended_raw == pytest.approx(3.35)
    assert study.recommended_percent == pytest.approx(67.0)
    assert study.recommended_whole_raw == 4
    assert study.final.sd < study.rounds[0].sd
    assert study.final.sd == pytest.approx(statistics.stdev([3.4, 3.2, 3.8, 3.0]))


def test_the_recommendation_becomes_a_documented_cut_score() -> None:
    cut = modified_angoff([ROUND_1, ROUND_2]).cut_score(conducted="2026-03")
    assert cut.unit is CutScoreUnit.PERCENT
    assert cut.value == pytest.approx(67.0)
    assert cut.standard_setting is not None
    assert cut.standard_setting.method is StandardSettingMethod.MODIFIED_ANGOFF
    assert cut.standard_setting.judges == 4
    assert cut.describe() == "67% (modified angoff, 2026-03, 4 judges)"


def test_weighted_items() -> None:
    result = angoff_round([[0.5, 0.5], [1.0, 0.0]], max_scores=[1, 3])
    assert result.judge_cut_scores == (2.0, 1.0)
    assert result.percent_cut == pytest.approx(100 * 1.5 / 4)


@pytest.mark.parametrize(
    ("rounds", "max_scores", "message"),
    [
        ([], None, "at least one round"),
        ([[[0.5, 0.5]]], None, "at least 2 judges"),
        ([[[0.5, 1.2], [0.5, 0.5]]], None, "probability between 0 and 1"),
        ([[[0.5, -0.1], [0.5, 0.5]]], None, "probability between 0 and 1"),
        ([[[0.5, 0.5], [0.5, 0.5]]], [1], "one positive maximum score per rated item"),
        ([[[0.5, 0.5], [0.5, 0.5]], [[0.5], [0.5]]], None, "same items by the same judges"),
    ],
)
def test_refuses_bad_studies(
    rounds: list[list[list[float]]], max_scores: list[float] | None, message: str
) -> None:
    with pytest.raises(AssessmentError, match=message):
        modified_angoff(rounds, max_scores)


@settings(max_examples=100, deadline=None)
@given(
    arrays(
        np.float64,
        st.tuples(st.integers(2, 12), st.integers(1, 20)),
        elements=st.floats(0, 1, allow_nan=False),
    )
)
def test_recommendation_lies_within_the_judges(ratings: np.ndarray) -> None:
    result = angoff_round(ratings)
    assert (
        min(result.judge_cut_scores) - 1e-9 <= result.raw_cut <= max(result.judge_cut_scores) + 1e-9
    )
    assert 0 <= result.percent_cut <= 100 + 1e-9
    assert result.standard_error == pytest.approx(result.sd / math.sqrt(ratings.shape[0]))
