"""Parsing requirement trees from catalog data: shapes, shorthands and problems with paths."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from credstack.domain import requirements
from credstack.domain.durations import Duration
from credstack.domain.parsing import parse_requirement, threshold_problems
from credstack.domain.problems import Problem
from credstack.domain.requirements import (
    AllOf,
    AssessmentPassed,
    Attested,
    ContinuingEducation,
    CourseCompleted,
    CreditCap,
    Credits,
    Holds,
    NOf,
    Requirement,
    RubricScored,
    SourceFilter,
    referenced_achievements,
)

BASE = ("achievements", 3, "requirements")


def parse(text: str) -> tuple[Requirement | None, list[Problem]]:
    return parse_requirement(yaml.safe_load(text), BASE)


def test_shorthands_and_every_kind() -> None:
    req, problems = parse("""
    all:
      - spreadsheets-fundamentals
      - {holds: ccrp, min_grade: b, within: P6Y, valid: false, label: base}
      - n_of: 2
        of: [a, b, {all: [c, d]}]
      - path: [x, {rubric: capstone, min_score: 3, reviewer_role: reviewer}]
      - {assessment: exam, proctored: true, identity_verified: true, min_percent: 70}
      - {attestation: basic-supervision, role: mentor, program: mgmt}
      - {course: {min_hours: 8, providers: [acrp]}}
      - {ce: {total: 30, minimums: {ethics: 5, clinical: 10}}}
      - credits: 30
        from: {types: [certificate, course], issuers: lakeside}
        cap: {from: {types: [certificate]}, max: 24}
    """)
    assert problems == []
    assert req == AllOf(
        (
            Holds("spreadsheets-fundamentals"),
            Holds("ccrp", min_grade="B", within=Duration(years=6), valid=False, label="base"),
            NOf(2, (Holds("a"), Holds("b"), AllOf((Holds("c"), Holds("d"))))),
            requirements.Path((Holds("x"), RubricScored("capstone", 3, "reviewer"))),
            AssessmentPassed("exam", proctored=True, identity_verified=True, min_percent=70),
            Attested(role="mentor", subject="basic-supervision", program="mgmt"),
            CourseCompleted(min_hours=8, providers=frozenset({"acrp"})),
            ContinuingEducation(30, (("clinical", 10), ("ethics", 5))),
            Credits(
                30,
                SourceFilter(
                    types=frozenset({"certificate", "course"}), issuers=frozenset({"lakeside"})
                ),
                caps=(CreditCap(SourceFilter(types=frozenset({"certificate"})), 24),),
            ),
        )
    )
    assert isinstance(req, AllOf)
    assert referenced_achievements(req) == {
        "spreadsheets-fundamentals",
        "ccrp",
        "a",
        "b",
        "c",
        "d",
        "x",
    }


def test_a_course_may_carry_a_name_for_people() -> None:
    named, problems = parse("{course: {id: c1, name: Trial design, min_hours: 8}}")
    assert problems == []
    assert named == CourseCompleted(course="c1", min_hours=8, name="Trial design")
    unnamed, problems = parse("{course: c1, min_hours: 8}")  # catalogs before names still load
    assert problems == [] and unnamed == CourseCompleted(course="c1", min_hours=8)
    _, problems = parse("{course: {id: c1, name: " + "x" * 201 + "}}")
    assert [p.message for p in problems] == ["'name' is one line of at most 200 characters."]


def test_a_bare_list_is_all_of() -> None:
    req, problems = parse("[a, b]")
    assert problems == []
    assert req == AllOf((Holds("a"), Holds("b")))


@pytest.mark.parametrize(
    ("text", "path", "message"),
    [
        (
            "{all: [a, 7]}",
            ("all", 1),
            "A requirement must be an achievement id, a list or a mapping, not the number 7.",
        ),
        ("{all: []}", ("all",), "Expected a non-empty list of requirements, not a list."),
        (
            "{holds: a, any: [b]}",
            (),
            "A requirement mapping needs exactly one of: all, any, n_of, path, holds, credits, ce, "
            "assessment, attestation, rubric, course (found holds, any).",
        ),
        (
            "{holds: a, minimum_grade: B}",
            ("minimum_grade",),
            "'minimum_grade' is not an option of a 'holds' requirement; expected one of: label, "
            "min_grade, min_score, valid, within.",
        ),
        ("{holds: a, min_grade: Q}", ("min_grade",), "'Q' is not a letter grade (A+ to F, or P)."),
        (
            "{holds: a, within: six years}",
            ("within",),
            "'six years' is not a duration; write it like P6Y, P18M or P90D.",
        ),
        (
            "{n_of: 0, of: [a]}",
            ("n_of",),
            "'n_of' must be a whole number of at least 1, not the number 0.",
        ),
        ("{n_of: 2}", (), "'n_of' needs 'of', the list of requirements to choose from."),
        (
            "{n_of: 3, of: [a, b]}",
            ("n_of",),
            "This asks for 3 of 2 requirements, so it can never be met.",
        ),
        ("{credits: thirty}", ("credits",), "'credits' must be a number, not the text 'thirty'."),
        (
            "{credits: 30, cap: [{from: {types: [certificate]}, max: 40}]}",
            ("cap", 0, "max"),
            "A cap of 40 credits is above the 30 required, so it never limits anything; "
            "lower it or remove it.",
        ),
        (
            "{credits: 30, cap: [{max: 24}]}",
            ("cap", 0, "max"),
            "Every credit this requirement can count is capped at 24, below the 30 required, "
            "so it can never be met.",
        ),
        (
            "{credits: 30, from: {kinds: [course]}}",
            ("from", "kinds"),
            "'kinds' is not a source filter; expected one of: types, issuers, achievements, "
            "courses.",
        ),
        (
            "{ce: {total: 10, minimums: {ethics: 5, clinical: 10}}}",
            ("ce", "total"),
            "The category minimums add up to 15 hours, more than the total of 10; "
            "raise the total or lower a minimum.",
        ),
        (
            "{ce: {total: 30, minimums: {ethics: lots}}}",
            ("ce", "minimums", "ethics"),
            "'ethics' must be a number, not the text 'lots'.",
        ),
        (
            "{assessment: exam, proctored: yes please}",
            ("proctored",),
            "'proctored' must be true or false, not the text 'yes please'.",
        ),
        (
            "{assessment: exam, min_percent: 120}",
            ("min_percent",),
            "A minimum of 120% can never be reached.",
        ),
        ("{rubric: capstone}", ("min_score",), "'min_score' is required here."),
        ("{attestation: {program: mgmt}}", ("attestation", "role"), "'role' is required here."),
        ("{course: {hours: 8}}", ("course", "hours"), "'hours' is not an option of 'course'."),
    ],
)
def test_problems_point_at_the_offending_key(
    text: str, path: tuple[str | int, ...], message: str
) -> None:
    req, problems = parse(text)
    assert req is None
    assert Problem((*BASE, *path), message) in problems


def test_every_problem_is_reported_not_just_the_first() -> None:
    req, problems = parse("{all: [{holds: a, min_grade: Q}, {n_of: x, of: [b]}, 5]}")
    assert req is None
    assert [p.path[len(BASE) :] for p in problems] == [
        ("all", 0, "min_grade"),
        ("all", 1, "n_of"),
        ("all", 2),
    ]


def test_credits_more_than_the_named_sources_can_give() -> None:
    req, problems = parse("{credits: 30, from: {achievements: [cert-a, cert-b]}}")
    assert problems == []
    assert req is not None
    worth = {"cert-a": 12.0, "cert-b": 12.0}
    assert threshold_problems(req, BASE, worth) == [
        Problem(
            (*BASE, "credits"),
            "The named sources give at most 24 credits, fewer than the 30 required, "
            "so this can never be met.",
        ),
    ]
    assert threshold_problems(req, BASE, {**worth, "cert-b": 18.0}) == []


DOCS = Path(__file__).resolve().parents[3] / "docs" / "requirements.md"


def test_every_example_in_the_docs_parses() -> None:
    blocks = re.findall(r"```yaml\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 6
    for block in blocks:
        for key, spec in yaml.safe_load(block).items():
            for part in ("requirements", "maintenance"):
                if part not in spec:
                    continue
                raw = spec[part]["requirements"] if part == "maintenance" else spec[part]
                req, problems = parse_requirement(raw, (key, part))
                assert problems == [], (key, problems)
                assert req is not None


def test_nested_threshold_problem_path() -> None:
    _, problems = parse("{all: [a, {n_of: 3, of: [b, {all: [c, d]}]}]}")
    assert problems == [
        Problem(
            (*BASE, "all", 1, "n_of"), "This asks for 3 of 2 requirements, so it can never be met."
        ),
    ]
