"""form_report / item_analysis: refusal below 30 candidates, statistics checked against
independent computations (pingouin, scipy, plain arithmetic), and item flags."""

from __future__ import annotations

import statistics

import numpy as np
import pandas as pd
import pingouin
import pytest
from scipy import stats

from credstack.assessment import (
    MIN_CANDIDATES,
    Answer,
    AssessmentDefinition,
    AssessmentError,
    CutScore,
    CutScoreUnit,
    FlagKind,
    MultipleChoiceItem,
    ReliabilityMethod,
    TooFewCandidatesError,
    TrueFalseItem,
    flag_item,
    form_report,
    item_analysis,
)
from credstack.assessment.distractors import DistractorAnalysis, OptionStatistics

OPTIONS = ("A", "B", "C", "D")
# q1-q6 ordinary items; "easy" nearly everyone gets; "miskeyed" is keyed A but C is the
# answer strong candidates know; "dead" has a distractor (D) nobody picks; "tf" is true/false.
FORM = AssessmentDefinition(
    id="data-visualisation-exam",
    title="Data visualisation",
    cut_score=CutScore(70, CutScoreUnit.PERCENT),
    items=(
        *(MultipleChoiceItem(f"q{i}", OPTIONS, "B") for i in range(1, 7)),
        MultipleChoiceItem("easy", OPTIONS, "A"),
        MultipleChoiceItem("miskeyed", OPTIONS, "A"),
        MultipleChoiceItem("dead", OPTIONS, "C"),
        TrueFalseItem("tf", True),
    ),
)


def _simulate(candidates: int, seed: int) -> list[dict[str, Answer]]:
    rng = np.random.default_rng(seed)
    responses: list[dict[str, Answer]] = []
    for ability in rng.normal(0.0, 1.2, size=candidates):
        answers: dict[str, Answer] = {}
        knows = 1 / (1 + np.exp(-(ability - rng.normal(0.0, 0.5, size=6))))
        for i in range(1, 7):
            answers[f"q{i}"] = (
                "B" if rng.random() < knows[i - 1] else str(rng.choice(["A", "C", "D"]))
            )
        answers["easy"] = "A"
        answers["miskeyed"] = "C" if ability > 0 else str(rng.choice(["A", "B"]))
        answers["dead"] = (
            "C" if rng.random() < 1 / (1 + np.exp(-ability)) else str(rng.choice(["A", "B"]))
        )
        if rng.random() < 0.9:  # some leave the true/false item blank
            answers["tf"] = bool(rng.random() < 1 / (1 + np.exp(-ability)))
        responses.append(answers)
    return responses


def test_refuses_fewer_than_30_candidates() -> None:
    assert MIN_CANDIDATES == 30
    with pytest.raises(TooFewCandidatesError) as caught:
        form_report(FORM, _simulate(29, seed=1))
    assert str(caught.value) == "item statistics need at least 30 candidates; 29 have sat this form"
    assert (caught.value.candidates, caught.value.minimum) == (29, 30)
    with pytest.raises(TooFewCandidatesError, match="1 has sat"):
        item_analysis([[1, 0]], ["a", "b"], minimum_candidates=30)
    assert form_report(FORM, _simulate(30, seed=1)).analysis.candidates == 30


def test_statistics_match_independent_computations() -> None:
    responses = _simulate(120, seed=42)
    report = form_report(FORM, responses)
    keys = {item.id: item for item in FORM.items}
    # The score matrix, built here directly from the keys without credstack's scoring.
    matrix = np.array(
        [
            [float(answers.get(item_id) == getattr(keys[item_id], "key", None)) for item_id in keys]
            for answers in responses
        ]
    )
    analysis = report.analysis
    assert analysis.candidates == 120
    assert analysis.reliability_method is ReliabilityMethod.KR20
    pingouin_alpha, _ = pingouin.cronbach_alpha(data=pd.DataFrame(matrix))
    assert analysis.reliability == pytest.approx(pingouin_alpha, abs=1e-12)
    totals = matrix.sum(axis=1)
    assert analysis.mean == pytest.approx(statistics.mean(totals))
    assert analysis.sd == pytest.approx(statistics.stdev(totals))
    assert analysis.sem == pytest.approx(statistics.stdev(totals) * (1 - pingouin_alpha) ** 0.5)
    for column, item_id in enumerate(keys):
        item_statistics = analysis.item(item_id)
        assert item_statistics.difficulty == pytest.approx(matrix[:, column].mean())
        if item_id == "easy":
            assert item_statistics.discrimination is None  # everyone right: undefined
            continue
        rest = totals - matrix[:, column]
        expected = stats.pointbiserialr(matrix[:, column], rest).statistic
        assert item_statistics.discrimination == pytest.approx(expected, abs=1e-12)
    passed = sum(total / len(keys) * 100 >= 70 - 1e-9 for total in totals)
    assert report.pass_rate == pytest.approx(passed / 120)
    assert report.cut_score == "70%"


def test_flags_find_the_planted_problems() -> None:
    report = form_report(FORM, _simulate(120, seed=42))
    found = {(flag.item_id, flag.kind, flag.option) for flag in report.flags}
    assert ("easy", FlagKind.TOO_EASY, None) in found
    assert ("miskeyed", FlagKind.NEGATIVE_DISCRIMINATION, None) in found
    assert ("miskeyed", FlagKind.DISTRACTOR_ATTRACTS_HIGH_SCORERS, "C") in found
    assert ("dead", FlagKind.DISTRACTOR_NOT_CHOSEN, "D") in found
    # The ordinary items are not flagged for discrimination.
    assert not {
        flag
        for flag in report.flags
        if flag.item_id.startswith("q") and flag.kind is FlagKind.NEGATIVE_DISCRIMINATION
    }
    # Only multiple-choice items get a distractor analysis.
    assert [d.item_id for d in report.distractors] == [
        *(f"q{i}" for i in range(1, 7)),
        "easy",
        "miskeyed",
        "dead",
    ]
    messages = {flag.message for flag in report.flags}
    assert "dead: option D was chosen by nobody" in messages


def test_weighted_items_use_alpha() -> None:
    rng = np.random.default_rng(3)
    ability = rng.normal(size=(40, 1))
    matrix = (ability + rng.normal(size=(40, 4)) > 0).astype(float) * np.array([1, 2, 1, 3])
    analysis = item_analysis(matrix, ["a", "b", "c", "d"], max_scores=[1, 2, 1, 3])
    assert analysis.reliability_method is ReliabilityMethod.CRONBACH_ALPHA
    pingouin_alpha, _ = pingouin.cronbach_alpha(data=pd.DataFrame(matrix))
    assert analysis.reliability == pytest.approx(pingouin_alpha, abs=1e-12)
    assert analysis.item("b").difficulty == pytest.approx(matrix[:, 1].mean() / 2)


def test_reliability_undefined_is_explained() -> None:
    matrix = np.array([[1.0, 0.0], [0.0, 1.0]] * 15)
    analysis = item_analysis(matrix, ["a", "b"])
    assert analysis.reliability is None
    assert analysis.sem is None
    assert analysis.reliability_note == (
        "reliability is undefined: every candidate has the same total score"
    )


def test_refuses_rubric_forms_and_mismatched_ids(capstone: AssessmentDefinition) -> None:
    with pytest.raises(AssessmentError, match="scored with a rubric"):
        form_report(capstone, [{}] * 30)
    with pytest.raises(AssessmentError, match="1 item ids given for 2 columns"):
        item_analysis(np.zeros((30, 2)), ["a"])


def _option(label: str, *, key: bool, proportion: float, upper: float) -> OptionStatistics:
    return OptionStatistics(label, key, proportion, upper, 0.0, upper, None)


def test_flag_thresholds_are_strict() -> None:
    assert flag_item("x", 0.95, 0.3) == ()
    assert flag_item("x", 0.2, 0.0) == ()
    assert [f.kind for f in flag_item("x", 0.951, -0.01)] == [
        FlagKind.NEGATIVE_DISCRIMINATION,
        FlagKind.TOO_EASY,
    ]
    assert [f.kind for f in flag_item("x", 0.19, None)] == [FlagKind.TOO_HARD]
    tied = DistractorAnalysis(
        "x",
        "A",
        (
            _option("A", key=True, proportion=0.5, upper=0.5),
            _option("B", key=False, proportion=0.5, upper=0.5),
        ),
        0.0,
    )
    assert flag_item("x", 0.5, 0.2, tied) == ()  # as many high scorers, not more
