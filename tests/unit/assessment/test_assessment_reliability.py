"""KR-20, Cronbach's alpha and the SEM against a published example, by-hand arithmetic,
pingouin as an independent implementation, and simulations with a known true reliability."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pingouin
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from credstack.assessment import (
    AssessmentError,
    StatisticUndefinedError,
    cronbach_alpha,
    kr20,
    standard_error_of_measurement,
)

# --- (a) Published worked example: Wuensch, "The Kuder-Richardson 20" (tests/data/assessment).

PUBLISHED_P = [0.7, 0.7, 0.6, 0.7, 0.6, 0.8, 0.7, 0.7, 0.5, 0.6]
PUBLISHED_PQ = [0.21, 0.21, 0.24, 0.21, 0.24, 0.16, 0.21, 0.21, 0.25, 0.24]
PUBLISHED_TOTAL_VARIANCE = 5.84  # n divisor
PUBLISHED_TOTALS = [8, 7, 7, 2, 2, 9, 8, 9, 7, 7]


def test_transcribed_data_reproduces_the_published_figures(wuensch_quiz: np.ndarray) -> None:
    assert wuensch_quiz.sum(axis=1).tolist() == PUBLISHED_TOTALS
    assert wuensch_quiz.mean(axis=0).tolist() == pytest.approx(PUBLISHED_P)


def test_kr20_by_hand_on_the_published_example(wuensch_quiz: np.ndarray) -> None:
    # KR-20 = k/(k-1) * (1 - sum(pq) / variance), in exact fractions from the published table.
    k = Fraction(10)
    sum_pq = sum(Fraction(str(pq)) for pq in PUBLISHED_PQ)
    assert sum_pq == Fraction("2.18")
    totals = [Fraction(t) for t in PUBLISHED_TOTALS]
    mean = sum(totals) / len(totals)
    variance = sum((t - mean) ** 2 for t in totals) / len(totals)
    assert variance == Fraction(str(PUBLISHED_TOTAL_VARIANCE))
    by_hand = k / (k - 1) * (1 - sum_pq / variance)
    assert float(by_hand) == pytest.approx(0.696347, abs=1e-6)

    assert kr20(wuensch_quiz) == pytest.approx(float(by_hand), abs=1e-12)
    # The note's point: KR-20 is alpha on 0/1 items; pingouin computes alpha independently.
    assert cronbach_alpha(wuensch_quiz) == pytest.approx(float(by_hand), abs=1e-12)
    pingouin_alpha, _ = pingouin.cronbach_alpha(data=pd.DataFrame(wuensch_quiz))
    assert pingouin_alpha == pytest.approx(float(by_hand), abs=1e-12)


def test_sem_on_the_published_example(wuensch_quiz: np.ndarray) -> None:
    totals = wuensch_quiz.sum(axis=1)
    sd = float(np.std(totals, ddof=1))
    assert sd == pytest.approx(math.sqrt(5.84 * 10 / 9))
    reliability = kr20(wuensch_quiz)
    assert standard_error_of_measurement(sd, reliability) == pytest.approx(
        math.sqrt(5.84 * 10 / 9) * math.sqrt(1 - 0.696347), abs=1e-5
    )


# A small polytomous example (four candidates, three rubric-style criteria scored 0 to 4),
# worked by hand in fractions so that the expected value owes nothing to any library.
POLYTOMOUS = [[4, 3, 4], [2, 2, 3], [3, 3, 2], [1, 0, 1]]


def test_alpha_by_hand_on_polytomous_scores() -> None:
    rows = [[Fraction(x) for x in row] for row in POLYTOMOUS]
    k = len(rows[0])

    def variance(values: list[Fraction]) -> Fraction:
        mean = sum(values, Fraction(0)) / len(values)
        return sum(((v - mean) ** 2 for v in values), Fraction(0)) / (len(values) - 1)

    item_variances = [variance([row[j] for row in rows]) for j in range(k)]
    # Items: (4,2,3,1) -> 5/3; (3,2,3,0) -> 2; (4,3,2,1) -> 5/3.
    assert item_variances == [Fraction(5, 3), Fraction(2), Fraction(5, 3)]
    total_variance = variance([sum(row, Fraction(0)) for row in rows])  # totals 11, 7, 8, 2 -> 14
    assert total_variance == 14
    by_hand = Fraction(k, k - 1) * (1 - sum(item_variances) / total_variance)
    # 3/2 * (1 - (16/3) / 14) = 3/2 * 13/21 = 13/14
    assert by_hand == Fraction(13, 14)

    assert cronbach_alpha(POLYTOMOUS) == pytest.approx(float(by_hand), abs=1e-12)
    pingouin_alpha, _ = pingouin.cronbach_alpha(data=pd.DataFrame(POLYTOMOUS))
    assert pingouin_alpha == pytest.approx(float(by_hand), abs=1e-12)


def test_kr20_refuses_polytomous_scores() -> None:
    with pytest.raises(AssessmentError, match="KR-20 needs items scored 0 or 1"):
        kr20(POLYTOMOUS)


@pytest.mark.parametrize(
    ("scores", "message"),
    [
        ([[1, 0, 1]], "at least 2 candidates"),
        ([[1], [0]], "at least 2 items"),
        ([1, 0, 1], "one row per candidate"),
        ([[1, float("nan")], [0, 1]], "missing or infinite"),
        ([["a", "b"], ["c", "d"]], "scores must be numbers"),
    ],
)
def test_bad_score_tables(scores: object, message: str) -> None:
    with pytest.raises(AssessmentError, match=message):
        cronbach_alpha(scores)  # type: ignore[arg-type]


def test_no_variance_in_totals_is_undefined_not_a_number() -> None:
    with pytest.raises(StatisticUndefinedError, match="same total score"):
        cronbach_alpha([[1, 0], [0, 1], [1, 0]])
    with pytest.raises(StatisticUndefinedError):
        kr20([[1, 1], [1, 1]])


@pytest.mark.parametrize(("sd", "reliability"), [(-1.0, 0.5), (2.0, 1.5), (float("nan"), 0.5)])
def test_sem_refuses_impossible_inputs(sd: float, reliability: float) -> None:
    with pytest.raises(AssessmentError):
        standard_error_of_measurement(sd, reliability)


def test_sem_with_perfect_and_negative_reliability() -> None:
    assert standard_error_of_measurement(4.0, 1.0) == 0.0
    assert standard_error_of_measurement(4.0, -0.44) == pytest.approx(4.8)


# --- (b) Simulated data sets whose population reliability is known.


def _parallel_items(rng: np.random.Generator, n: int, k: int, error_sd: float) -> np.ndarray:
    true = rng.normal(0.0, 1.0, size=(n, 1))
    return true + rng.normal(0.0, error_sd, size=(n, k))


def test_alpha_recovers_the_reliability_of_parallel_items() -> None:
    # X_ij = T_i + E_ij with var(T) = 1, var(E) = 4, k = 10 parallel items. The total's
    # true-score variance is k^2 = 100 and its error variance k*4 = 40, so the population
    # reliability is 100/140, and for parallel items alpha equals it.
    k, n, error_sd = 10, 2000, 2.0
    rho = k**2 / (k**2 + k * error_sd**2)
    # Normal-theory standard error of alpha under compound symmetry
    # (van Zyl, Neudecker & Nel 2000): sqrt(2k(1-rho)^2 / ((k-1)n)) ~ 0.0095 here.
    se = math.sqrt(2 * k * (1 - rho) ** 2 / ((k - 1) * n))
    estimate = cronbach_alpha(_parallel_items(np.random.default_rng(20260323), n, k, error_sd))
    assert abs(estimate - rho) < 4 * se  # a 4-SE band: a false alarm about 1 in 16,000 seeds


def test_the_standard_error_used_above_matches_the_spread_across_samples() -> None:
    # Justifies the tolerance: 1,000 samples of 200 candidates; their alphas should centre on
    # the true reliability and spread as the formula says. With 1,000 samples the SD itself is
    # known to about 2.2%, so a 10% band is a check, not a formality.
    k, n, error_sd = 10, 200, 2.0
    rho = k**2 / (k**2 + k * error_sd**2)
    se = math.sqrt(2 * k * (1 - rho) ** 2 / ((k - 1) * n))
    rng = np.random.default_rng(7)
    alphas = np.array([cronbach_alpha(_parallel_items(rng, n, k, error_sd)) for _ in range(1000)])
    # Sample alpha is biased slightly low, by about (1 - rho) / n here; allow 0.005 for it.
    assert abs(alphas.mean() - rho) < 4 * se / math.sqrt(1000) + 0.005
    assert alphas.std(ddof=1) == pytest.approx(se, rel=0.1)


def test_kr20_recovers_the_reliability_of_a_beta_binomial_form() -> None:
    # Each candidate has a true proportion p_i ~ Beta(6, 4); the k = 20 items are independent
    # Bernoulli(p_i) given p_i, hence exchangeable. Population reliability of the total:
    # k^2 var(p) / (k E[p(1-p)] + k^2 var(p)) = 2/3 for these values.
    a, b, k, n = 6.0, 4.0, 20, 3000
    mean = a / (a + b)
    var_p = a * b / ((a + b) ** 2 * (a + b + 1))
    within = mean * (1 - mean) - var_p
    rho = k**2 * var_p / (k * within + k**2 * var_p)
    assert rho == pytest.approx(2 / 3)

    def sample(rng: np.random.Generator) -> np.ndarray:
        p = rng.beta(a, b, size=(n, 1))
        return (rng.random((n, k)) < p).astype(float)

    rng = np.random.default_rng(11)
    replicate_sd = float(np.std([kr20(sample(rng)) for _ in range(60)], ddof=1))
    assert 0.004 < replicate_sd < 0.02  # about the normal-theory 0.0088
    estimate = kr20(sample(np.random.default_rng(2026)))
    assert abs(estimate - rho) < 4 * replicate_sd


# --- Properties.

SCORE_TABLES = arrays(
    np.float64,
    st.tuples(st.integers(2, 25), st.integers(2, 8)),
    elements=st.integers(0, 4).map(float),
)
BINARY_TABLES = arrays(
    np.float64,
    st.tuples(st.integers(2, 25), st.integers(2, 8)),
    elements=st.integers(0, 1).map(float),
)


@settings(max_examples=200, deadline=None)
@given(SCORE_TABLES)
def test_alpha_never_exceeds_one(scores: np.ndarray) -> None:
    assume(np.var(scores.sum(axis=1)) > 0)
    assert cronbach_alpha(scores) <= 1 + 1e-12


@settings(max_examples=200, deadline=None)
@given(BINARY_TABLES)
def test_kr20_equals_alpha_on_binary_items(scores: np.ndarray) -> None:
    assume(np.var(scores.sum(axis=1)) > 0)
    assert kr20(scores) == pytest.approx(cronbach_alpha(scores), abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(
    st.floats(0, 1e6, allow_nan=False),
    st.floats(-1e6, 1, allow_nan=False),
)
def test_sem_is_never_negative(sd: float, reliability: float) -> None:
    sem = standard_error_of_measurement(sd, reliability)
    assert sem >= 0
    assert sem <= sd + 1e-12 or reliability < 0
