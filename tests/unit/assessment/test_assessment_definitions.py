"""Definitions built in code (not from the catalog) are held to the same rules."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from credstack.assessment import (
    AssessmentDefinition,
    AssessmentError,
    AttemptsPolicy,
    CutScore,
    CutScoreUnit,
    MultipleChoiceItem,
    MultiSelectItem,
    Rubric,
    RubricCriterion,
    StandardSetting,
    StandardSettingMethod,
    TrueFalseItem,
)

PERCENT_70 = CutScore(70, CutScoreUnit.PERCENT)


@pytest.mark.parametrize(
    "build",
    [
        lambda: MultipleChoiceItem("q", ("A", "B"), "C"),
        lambda: MultipleChoiceItem("q", ("A", "A"), "A"),
        lambda: MultipleChoiceItem("q", ("A", "B"), "A", weight=0),
        lambda: TrueFalseItem("q", True, weight=-1),
        lambda: MultiSelectItem("q", ("A", "B"), frozenset()),
        lambda: MultiSelectItem("q", ("A", "B"), frozenset({"C"})),
        lambda: RubricCriterion("c", "C", 4, 0),
        lambda: RubricCriterion("c", "C", 0, 4, minimum_to_pass=5),
        lambda: CutScore(0, CutScoreUnit.RAW),
        lambda: CutScore(101, CutScoreUnit.PERCENT),
        lambda: AttemptsPolicy(max_attempts=0),
        lambda: AttemptsPolicy(wait=timedelta(days=-1)),
        lambda: AssessmentDefinition("a", "A", PERCENT_70),
        lambda: AssessmentDefinition(
            "a",
            "A",
            PERCENT_70,
            items=(TrueFalseItem("q", True),),
            rubric=Rubric((RubricCriterion("c", "C", 0, 4),)),
        ),
        lambda: AssessmentDefinition(
            "a", "A", PERCENT_70, items=(TrueFalseItem("q", True), TrueFalseItem("q", False))
        ),
        lambda: AssessmentDefinition(
            "a", "A", CutScore(2, CutScoreUnit.RAW), items=(TrueFalseItem("q", True),)
        ),
    ],
)
def test_impossible_definitions_are_refused(build: Callable[[], object]) -> None:
    with pytest.raises(AssessmentError):
        build()


def test_cut_score_conversions_and_documentation() -> None:
    assert PERCENT_70.as_raw(40) == pytest.approx(28)
    assert CutScore(28, CutScoreUnit.RAW).as_percent(40) == pytest.approx(70)
    assert not PERCENT_70.documented
    angoff = CutScore(
        72.5, CutScoreUnit.PERCENT, StandardSetting(StandardSettingMethod.MODIFIED_ANGOFF)
    )
    assert angoff.documented
    assert angoff.describe() == "72.5% (modified angoff)"
    one_judge = StandardSetting(StandardSettingMethod.EBEL, judges=1)
    assert one_judge.describe() == "ebel, 1 judge"


def test_a_float_sum_just_below_the_cut_by_rounding_still_passes() -> None:
    # Weighted raw scores are float sums; the slack in is_met absorbs binary rounding.
    cut = CutScore(30, CutScoreUnit.PERCENT)
    assert cut.is_met(0.1 + 0.2, 1.0)
    assert cut.is_met(0.3, 1.0)
    assert not cut.is_met(0.2999, 1.0)
