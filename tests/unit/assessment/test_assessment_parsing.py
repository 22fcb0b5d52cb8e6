"""parse_assessment: the documented catalog shape, and a precise problem for each mistake."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from credstack.assessment import (
    AssessmentDefinition,
    AssessmentKind,
    CutScoreUnit,
    MultipleChoiceItem,
    MultiSelectItem,
    MultiSelectScoring,
    StandardSettingMethod,
    TrueFalseItem,
    parse_assessment,
)

ROOT = ("assessments", 0)


def test_story01_objective_assessment(sql_exam: AssessmentDefinition) -> None:
    assert sql_exam.id == "sql-querying-exam"
    assert sql_exam.kind is AssessmentKind.OBJECTIVE
    assert [type(item) for item in sql_exam.items] == [
        MultipleChoiceItem,
        MultipleChoiceItem,
        TrueFalseItem,
        MultiSelectItem,
        MultipleChoiceItem,
        MultiSelectItem,
    ]
    assert sql_exam.items[3] == MultiSelectItem(
        id="q4",
        options=("A", "B", "C", "D", "E"),
        key=frozenset({"A", "C", "E"}),
        prompt="Which of these are aggregate functions?",
    )
    assert sql_exam.items[1].prompt == ""
    q6 = sql_exam.items[5]
    assert isinstance(q6, MultiSelectItem)
    assert q6.scoring is MultiSelectScoring.PER_OPTION
    assert q6.weight == 4
    assert sql_exam.max_score == 10
    assert sql_exam.cut_score.unit is CutScoreUnit.PERCENT
    assert sql_exam.cut_score.value == 70
    assert sql_exam.attempts.max_attempts == 3
    assert sql_exam.attempts.wait == timedelta(days=1)


def test_story01_capstone_rubric(capstone: AssessmentDefinition) -> None:
    assert capstone.kind is AssessmentKind.RUBRIC
    assert capstone.rubric is not None
    (criterion,) = capstone.rubric.criteria
    assert (criterion.min_score, criterion.max_score) == (0, 4)
    assert [level.label for level in criterion.levels][-1] == "Exemplary"
    assert capstone.cut_score.unit is CutScoreUnit.RAW
    assert capstone.cut_score.describe() == "3"
    assert capstone.max_score == 4


def test_story02_angoff_cut_score_and_delivery(gcp_exam: AssessmentDefinition) -> None:
    setting = gcp_exam.cut_score.standard_setting
    assert setting is not None
    assert setting.method is StandardSettingMethod.MODIFIED_ANGOFF
    assert setting.conducted == "2026-03"
    assert setting.judges == 8
    assert gcp_exam.cut_score.describe() == "72.5% (modified angoff, 2026-03, 8 judges)"
    assert gcp_exam.delivery.proctored is True
    assert gcp_exam.delivery.identity_verification == "government-id"
    assert gcp_exam.attempts.wait == timedelta(days=14)


def test_scale_criterion_and_date_from_yaml() -> None:
    raw = {
        "id": "capstone",
        "rubric": {
            "criteria": [
                {"id": "analysis", "title": "Analysis", "scale": [0, 4], "minimum": 2},
                {"id": "communication", "title": "Communication", "scale": [1, 4]},
            ]
        },
        "cut_score": {"raw": 5, "set_by": {"method": "borderline-group", "conducted": "x"}},
        "attempts": {"wait": "p2wt12h30m", "retake_after_pass": True},
    }
    definition, problems = parse_assessment(raw, ROOT)
    assert problems == []
    assert definition is not None
    assert definition.rubric is not None
    assert definition.rubric.max_score == 8
    assert definition.rubric.criteria[0].minimum_to_pass == 2
    assert definition.attempts.wait == timedelta(days=14, hours=12, minutes=30)
    assert definition.attempts.retake_after_pass is True


def test_yaml_date_for_conducted_becomes_iso_text(load_raw: Callable[[str], Any]) -> None:
    raw = load_raw("story02_gcp_essentials.yaml")
    raw["cut_score"]["set_by"]["conducted"] = date(2026, 3, 12)
    definition, problems = parse_assessment(raw, ROOT)
    assert problems == []
    assert definition is not None
    assert definition.cut_score.standard_setting is not None
    assert definition.cut_score.standard_setting.conducted == "2026-03-12"


@pytest.fixture(name="broken")
def broken_fixture(load_raw: Callable[[str], Any]) -> Callable[[Any], Any]:
    """Parse the story 01 exam after `mutate` has broken it; the problems found."""

    def broken(mutate: Any) -> list[tuple[tuple[str | int, ...], str]]:
        return _broken(load_raw("story01_sql_querying.yaml"), mutate)

    return broken


def _broken(raw: Any, mutate: Any) -> list[tuple[tuple[str | int, ...], str]]:
    mutate(raw)
    definition, problems = parse_assessment(raw, ROOT)
    assert definition is None
    return problems


def _set(path: tuple[Any, ...], value: object) -> Any:
    def mutate(raw: Any) -> None:
        target = raw
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value

    return mutate


def _delete(path: tuple[Any, ...]) -> Any:
    def mutate(raw: Any) -> None:
        target = raw
        for step in path[:-1]:
            target = target[step]
        del target[path[-1]]

    return mutate


@pytest.mark.parametrize(
    ("mutate", "where", "message"),
    [
        (_set(("cut_score", "percent"), 170), ("cut_score", "percent"), "at most 100, not 170"),
        (_set(("cut_score", "percent"), 0), ("cut_score", "percent"), "greater than 0"),
        (_set(("cut_score", "percent"), "70%"), ("cut_score", "percent"), "must be a number"),
        (_set(("cut_score", "raw"), 7), ("cut_score",), "exactly one of 'percent' or 'raw'"),
        (_delete(("cut_score",)), (), "missing 'cut_score'"),
        (_set(("cutscore",), 1), ("cutscore",), "unknown key 'cutscore'"),
        (_set(("id",), "sql exam"), ("id",), "must not contain spaces"),
        (_set(("id",), ""), ("id",), "non-empty text"),
        (_set(("items", 0, "key"), "E"), ("items", 0, "key"), "one of the options: A, B, C, D"),
        (_set(("items", 0, "type"), "essay"), ("items", 0, "type"), "item type must be one of"),
        (_set(("items", 0, "options"), ["A"]), ("items", 0, "options"), "at least two"),
        (_set(("items", 0, "options"), ["A", "A"]), ("items", 0, "options", 1), "listed twice"),
        (_set(("items", 0, "weight"), 0), ("items", 0, "weight"), "greater than 0"),
        (_set(("items", 0, "weight"), True), ("items", 0, "weight"), "must be a number"),
        (_set(("items", 1, "id"), "q1"), ("items", 1, "id"), "item id 'q1' is used twice"),
        (_set(("items", 2, "key"), "yes"), ("items", 2, "key"), "true or false"),
        (_set(("items", 3, "key"), ["A", "Z"]), ("items", 3, "key"), "non-empty list of options"),
        (_set(("items", 3, "key"), ["A", "A"]), ("items", 3, "key"), "lists an option twice"),
        (_set(("items", 3, "scoring"), "partial"), ("items", 3, "scoring"), "all-or-nothing"),
        (_set(("items", 2, "options"), ["A", "B"]), ("items", 2, "options"), "unknown key"),
        (_set(("items",), []), ("items",), "non-empty list"),
        (_set(("items", 0), "q1"), ("items", 0), "must be a mapping"),
        (_set(("rubric",), {"criteria": []}), (), "not both"),
        (_set(("attempts", "max"), 0), ("attempts", "max"), "at least 1, not 0"),
        (_set(("attempts", "wait"), "P1M"), ("attempts", "wait"), "years or months"),
        (_set(("attempts", "wait"), "two weeks"), ("attempts", "wait"), "ISO 8601 duration"),
        (_set(("attempts", "wait"), 14), ("attempts", "wait"), "ISO 8601 duration"),
        (_set(("attempts", "wait"), "P"), ("attempts", "wait"), "ISO 8601 duration"),
        (_set(("attempts", "wait"), "P1DT"), ("attempts", "wait"), "ISO 8601 duration"),
        (_set(("attempts", "wait"), "P1Y"), ("attempts", "wait"), "years or months"),
        (_set(("attempts", "retake_after_pass"), "no"), ("attempts", "retake_after_pass"), "true"),
        (_set(("delivery",), {"proctored": "yes"}), ("delivery", "proctored"), "true or false"),
        (
            _set(("cut_score", "set_by", "method"), "gut-feeling"),
            ("cut_score", "set_by", "method"),
            "modified-angoff",
        ),
        (_set(("cut_score", "set_by", "judges"), 0), ("cut_score", "set_by", "judges"), "at least"),
    ],
)
def test_each_mistake_is_reported_at_its_key(
    broken: Callable[[Any], Any], mutate: Any, where: tuple[str | int, ...], message: str
) -> None:
    problems = broken(mutate)
    assert any(path == (*ROOT, *where) and message in text for path, text in problems), problems


def test_every_problem_is_reported_not_just_the_first(broken: Callable[[Any], Any]) -> None:
    def mutate(raw: Any) -> None:
        raw["items"][0]["key"] = "Z"
        raw["items"][2]["key"] = "maybe"
        raw["attempts"]["max"] = -1

    paths = {path for path, _ in broken(mutate)}
    assert {
        (*ROOT, "items", 0, "key"),
        (*ROOT, "items", 2, "key"),
        (*ROOT, "attempts", "max"),
    } <= paths


def test_raw_cut_score_above_maximum(load_raw: Callable[[str], Any]) -> None:
    raw = load_raw("story01_capstone.yaml")
    raw["cut_score"] = {"raw": 5}
    definition, problems = parse_assessment(raw, ROOT)
    assert definition is None
    assert problems == [
        ((*ROOT, "cut_score", "raw"), "raw cut score 5 is above the maximum score 4")
    ]


@pytest.mark.parametrize(
    ("criterion", "where", "message"),
    [
        ({"id": "a", "title": "A"}, (), "either a scale such as [0, 4] or a list of levels"),
        ({"id": "a", "title": "A", "scale": [4, 0]}, ("scale",), "[lowest, highest]"),
        ({"id": "a", "title": "A", "scale": [0, 4], "minimum": 5}, ("minimum",), "outside"),
        (
            {
                "id": "a",
                "title": "A",
                "levels": [{"score": 1, "label": "x"}, {"score": 1, "label": "y"}],
            },
            ("levels", 1, "score"),
            "two levels have the score 1",
        ),
        (
            {"id": "a", "title": "A", "levels": [{"score": 1}, {"score": 2, "label": "y"}]},
            ("levels", 0),
            "missing 'label'",
        ),
    ],
)
def test_rubric_mistakes(criterion: dict[str, Any], where: tuple[Any, ...], message: str) -> None:
    raw = {"id": "c", "rubric": {"criteria": [criterion]}, "cut_score": {"raw": 1}}
    definition, problems = parse_assessment(raw, ROOT)
    assert definition is None
    expected = (*ROOT, "rubric", "criteria", 0, *where)
    assert any(path == expected and message in text for path, text in problems), problems


def test_not_a_mapping() -> None:
    assert parse_assessment(["id"], ROOT) == (
        None,
        [(ROOT, "assessment must be a mapping of keys to values, not a list")],
    )
