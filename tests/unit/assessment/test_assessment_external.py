"""Externally scored assessments: a total out of `max_score`, judged against the cut."""

from __future__ import annotations

import pytest

from credstack.assessment import (
    AssessmentKind,
    ScoringError,
    form_report,
    parse_assessment,
    score_responses,
    score_rubric,
    score_total,
)
from credstack.assessment.errors import AssessmentError

EXAM = {"id": "sql-exam", "max_score": 100, "cut_score": {"percent": 70}}


def test_an_external_assessment_has_a_maximum_and_no_items() -> None:
    definition, problems = parse_assessment(EXAM, ("assessments", 0))
    assert problems == [] and definition is not None
    assert definition.kind is AssessmentKind.EXTERNAL
    assert (definition.max_score, definition.items, definition.rubric) == (100.0, (), None)


@pytest.mark.parametrize(
    ("raw", "percent", "passed"),
    [(70, 70.0, True), (69.5, 69.5, False), (0, 0.0, False), (100, 100.0, True)],
)
def test_a_total_is_judged_against_the_cut(raw: float, percent: float, passed: bool) -> None:
    definition, _ = parse_assessment(EXAM, ())
    assert definition is not None
    result = score_total(definition, raw)
    assert (result.raw, result.max_score, result.percent, result.passed) == (
        raw, 100.0, percent, passed,
    )  # fmt: skip


@pytest.mark.parametrize("raw", [-1, 100.5, True, float("nan")])
def test_a_total_off_the_scale_is_refused(raw: float) -> None:
    definition, _ = parse_assessment(EXAM, ())
    assert definition is not None
    with pytest.raises(ScoringError, match="out of range for 'sql-exam'"):
        score_total(definition, raw)


def test_item_answers_rubric_scores_and_item_analysis_are_refused() -> None:
    definition, _ = parse_assessment(EXAM, ())
    assert definition is not None
    with pytest.raises(ScoringError, match="scored by an external platform"):
        score_responses(definition, {"q1": "A"})
    with pytest.raises(ScoringError, match="scored from item answers"):
        score_rubric(definition, {"overall": 3})
    with pytest.raises(AssessmentError, match="scored externally"):
        form_report(definition, [{} for _ in range(30)])


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        ({"max_score": 0}, ("max_score",), "max_score must be greater than 0"),
        ({"max_score": "lots"}, ("max_score",), "max_score must be a number"),
        (
            {"items": [{"id": "q", "type": "true-false", "key": True}]},
            ("max_score",),
            "only for an assessment scored externally",
        ),
        ({"max_score": None}, (), "or 'max_score' (a total scored by an external test platform)"),
        ({"cut_score": {"raw": 120}}, ("cut_score", "raw"), "above the maximum score 100"),
    ],
)
def test_bad_external_definitions_are_reported_where_they_are(
    change: dict[str, object], path: tuple[str, ...], message: str
) -> None:
    raw = {**EXAM, **change}
    if raw.get("max_score") is None:
        del raw["max_score"]
    definition, problems = parse_assessment(raw, ("assessments", 2))
    assert definition is None
    assert any(p == ("assessments", 2, *path) and message in m for p, m in problems), problems


def test_a_keyed_forms_total_from_elsewhere_is_judged_too() -> None:
    definition, _ = parse_assessment(
        {
            "id": "quiz",
            "items": [{"id": f"q{i}", "type": "true-false", "key": True} for i in range(4)],
            "cut_score": {"percent": 75},
        },
        (),
    )
    assert definition is not None
    assert score_total(definition, 3).passed and not score_total(definition, 2).passed
