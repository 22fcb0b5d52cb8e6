"""The catalog's `assessments:` section: definitions checked, routes must name one."""

from __future__ import annotations

from credstack.catalog.parse import parse_catalog

BASE = """format: credstack-catalog/1
frameworks:
  - id: fw
    name: Framework
    competencies: [{id: c, name: C}]
achievements:
  - id: exam-route
    type: microcredential
    name: Exam route
    alignments: [fw/c]
    requirements: {assessment: the-exam}
  - id: capstone-route
    type: certificate
    name: Capstone route
    requirements: {rubric: the-capstone, min_score: 3}
assessments:
  - id: the-exam
    max_score: 100
    cut_score: {percent: 70}
  - id: the-capstone
    rubric:
      criteria: [{id: overall, title: Overall, scale: [0, 4]}]
    cut_score: {raw: 3}
"""


def problems(text: str) -> list[str]:
    return [str(p) for p in parse_catalog(text, "c.yaml").problems]


def test_a_catalog_whose_routes_name_defined_assessments_is_valid() -> None:
    assert problems(BASE) == []


def test_a_route_naming_an_undefined_assessment_is_reported_on_its_line() -> None:
    text = BASE.replace("{assessment: the-exam}", "{assessment: ghost-exam}")
    assert problems(text) == [
        "c.yaml:11: achievement exam-route: its route names assessment 'ghost-exam', which the "
        "`assessments:` section does not define"
    ]


def test_a_rubric_requirement_must_name_a_rubric_within_its_scale() -> None:
    wrong_kind = BASE.replace("{rubric: the-capstone, min_score: 3}", "{rubric: the-exam, "
                              "min_score: 3}")  # fmt: skip
    assert problems(wrong_kind) == [
        "c.yaml:15: achievement capstone-route: `rubric: the-exam` names an assessment scored "
        "externally, not with a rubric"
    ]
    too_high = BASE.replace("min_score: 3}", "min_score: 5}")
    assert problems(too_high) == [
        "c.yaml:15: achievement capstone-route: a rubric score of at least 5 is impossible; "
        "the-capstone is scored out of 4"
    ]


def test_a_broken_assessment_is_reported_once_where_it_is() -> None:
    text = BASE.replace("    max_score: 100\n", "    max_score: -5\n")
    assert problems(text) == [
        "c.yaml:18: assessment the-exam: max_score must be greater than 0, not -5"
    ]
