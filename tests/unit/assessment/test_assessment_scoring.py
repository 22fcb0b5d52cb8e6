"""Scoring answers and rubric scores, including every way the input can be wrong."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credstack.assessment import (
    Answer,
    AssessmentDefinition,
    CutScore,
    CutScoreUnit,
    MultipleChoiceItem,
    MultiSelectItem,
    MultiSelectScoring,
    Rubric,
    RubricCriterion,
    ScoringError,
    TrueFalseItem,
    score_item,
    score_responses,
    score_rubric,
)

ALL_RIGHT: dict[str, Answer] = {
    "q1": "B",
    "q2": "D",
    "q3": True,
    "q4": ["A", "C", "E"],
    "q5": "A",
    "q6": ["B", "C"],
}


def test_all_right_scores_full_marks(sql_exam: AssessmentDefinition) -> None:
    result = score_responses(sql_exam, ALL_RIGHT)
    assert (result.raw, result.max_score, result.percent, result.passed) == (10, 10, 100, True)
    assert all(outcome.correct and outcome.answered for outcome in result.items)


def test_exactly_on_the_cut_passes(sql_exam: AssessmentDefinition) -> None:
    # q1, q2, q3 wrong: 7 of 10 = 70%, the cut.
    answers = {**ALL_RIGHT, "q1": "A", "q2": "A", "q3": False}
    result = score_responses(sql_exam, answers)
    assert result.raw == 7
    assert result.percent == pytest.approx(70)
    assert result.passed


def test_below_the_cut_fails_and_omissions_score_zero(sql_exam: AssessmentDefinition) -> None:
    # Story 01 step 2 in miniature: 64% is a fail. Here q5 (2 points) omitted, q1 wrong,
    # q6 half right by option: 10 - 2 - 1 - 2 = 5... see below for the exact per-option credit.
    answers = {**ALL_RIGHT, "q1": "C", "q6": ["B", "D"]}
    del answers["q5"]
    result = score_responses(sql_exam, answers)
    by_id = {outcome.item_id: outcome for outcome in result.items}
    assert by_id["q5"].answered is False
    assert by_id["q5"].score == 0
    # q6 per-option: A left alone (right), B chosen (right), C missed, D chosen wrongly: 2/4 of 4.
    assert by_id["q6"].score == 2
    assert result.raw == 10 - 1 - 2 - 2
    assert result.percent == 50
    assert not result.passed


def test_multi_select_all_or_nothing(sql_exam: AssessmentDefinition) -> None:
    result = score_responses(sql_exam, {"q4": ["A", "C"]})
    assert result.items[3].score == 0
    result = score_responses(sql_exam, {"q4": ("E", "C", "A")})
    assert result.items[3].score == 1


def test_raw_cut_score() -> None:
    definition = AssessmentDefinition(
        id="quiz",
        title="Quiz",
        cut_score=CutScore(2, CutScoreUnit.RAW),
        items=(TrueFalseItem("a", True), TrueFalseItem("b", False), TrueFalseItem("c", True)),
    )
    assert score_responses(definition, {"a": True, "b": False}).passed
    assert not score_responses(definition, {"a": True}).passed


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"q99": "A"}, "assessment 'sql-querying-exam' has no item 'q99'"),
        ({"q1": "E"}, "item 'q1' has options A, B, C, D; the answer 'E' is not one of them"),
        ({"q1": True}, "item 'q1' has options A, B, C, D; the answer True is not one of them"),
        ({"q3": "true"}, "item 'q3' is true/false; the answer 'true' is neither"),
        ({"q4": "ACE"}, "item 'q4' takes a list of chosen options, not 'ACE'"),
        ({"q4": ["A", "Z"]}, "item 'q4' has options A, B, C, D, E; Z is not among them"),
    ],
)
def test_bad_answers_are_refused(
    sql_exam: AssessmentDefinition, answers: dict[str, object], message: str
) -> None:
    with pytest.raises(ScoringError) as caught:
        score_responses(sql_exam, answers)  # type: ignore[arg-type]
    assert str(caught.value) == message


def test_item_answers_for_a_rubric_assessment_are_refused(capstone: AssessmentDefinition) -> None:
    with pytest.raises(ScoringError, match="scored with a rubric"):
        score_responses(capstone, {"overall": "A"})


def test_story01_capstone_three_of_four_passes(capstone: AssessmentDefinition) -> None:
    result = score_rubric(capstone, {"overall": 3})
    assert (result.raw, result.max_score, result.percent, result.passed) == (3, 4, 75, True)
    assert not score_rubric(capstone, {"overall": 2}).passed


def _two_criteria() -> AssessmentDefinition:
    return AssessmentDefinition(
        id="project",
        title="Project",
        cut_score=CutScore(5, CutScoreUnit.RAW),
        rubric=Rubric(
            (
                RubricCriterion("analysis", "Analysis", 0, 4, minimum_to_pass=2),
                RubricCriterion("communication", "Communication", 1, 4),
            )
        ),
    )


def test_criterion_minimum_fails_a_passing_total() -> None:
    result = score_rubric(_two_criteria(), {"analysis": 1, "communication": 4})
    assert result.raw == 5
    assert not result.passed
    assert result.reasons == ("analysis scored 1; at least 2 required",)
    assert score_rubric(_two_criteria(), {"analysis": 2, "communication": 3}).passed


@pytest.mark.parametrize(
    ("scores", "message"),
    [
        ({"analysis": 2, "communication": 3, "style": 1}, "has no criterion 'style'"),
        ({"analysis": 2}, "no score given for criterion communication"),
        ({"analysis": 5, "communication": 3}, "analysis scored 5, outside its scale 0–4"),
        ({"analysis": 2, "communication": 0}, "communication scored 0, outside its scale 1–4"),
        ({"analysis": 2.5, "communication": 3}, "must be a whole number, not 2.5"),
        ({"analysis": True, "communication": 3}, "must be a whole number, not True"),
    ],
)
def test_bad_rubric_scores_are_refused(scores: dict[str, object], message: str) -> None:
    with pytest.raises(ScoringError) as caught:
        score_rubric(_two_criteria(), scores)  # type: ignore[arg-type]
    assert message in str(caught.value)


def test_rubric_score_must_be_a_defined_level(capstone: AssessmentDefinition) -> None:
    with pytest.raises(
        ScoringError, match=r"overall scored 7, which is not a level .*0, 1, 2, 3, 4"
    ):
        score_rubric(capstone, {"overall": 7})


def test_rubric_scores_for_an_item_assessment_are_refused(sql_exam: AssessmentDefinition) -> None:
    with pytest.raises(ScoringError, match="scored from item answers"):
        score_rubric(sql_exam, {"q1": 1})


ITEMS = (
    MultipleChoiceItem("mc", ("A", "B", "C"), "B", weight=2),
    TrueFalseItem("tf", False),
    MultiSelectItem(
        "ms", ("A", "B", "C", "D"), frozenset({"A", "D"}), 3, MultiSelectScoring.PER_OPTION
    ),
)
FORM = AssessmentDefinition("form", "Form", CutScore(60, CutScoreUnit.PERCENT), items=ITEMS)
ANSWER = st.fixed_dictionaries(
    {},
    optional={
        "mc": st.sampled_from(["A", "B", "C"]),
        "tf": st.booleans(),
        "ms": st.sets(st.sampled_from(["A", "B", "C", "D"])),
    },
)


@settings(max_examples=200, deadline=None)
@given(ANSWER)
def test_scores_stay_in_range(answers: dict[str, Answer]) -> None:
    result = score_responses(FORM, answers)
    assert 0 <= result.raw <= result.max_score == 6
    assert 0 <= result.percent <= 100
    assert result.passed == (result.raw >= 3.6 - 1e-9)


@settings(max_examples=200, deadline=None)
@given(ANSWER, st.sampled_from(ITEMS))
def test_correcting_an_answer_never_lowers_the_score(
    answers: dict[str, Answer], item: MultipleChoiceItem | TrueFalseItem | MultiSelectItem
) -> None:
    key: Answer = item.key if not isinstance(item, MultiSelectItem) else set(item.key)
    before = score_responses(FORM, answers)
    after = score_responses(FORM, {**answers, item.id: key})
    assert after.raw >= before.raw
    assert after.passed or not before.passed
    assert score_item(item, key).correct
