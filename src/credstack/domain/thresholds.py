"""Requirement trees that parse but can never be met, or whose numbers contradict each other.

A catalog author who writes "3 of 2" or caps every credit below the total has made a mistake
the evaluator would only reveal as a learner who can never finish; these checks say so when
the catalog is loaded instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from credstack.domain.problems import Path as ProblemPath
from credstack.domain.problems import Problem
from credstack.domain.quantities import ZERO, exact, show
from credstack.domain.requirements import (
    AllOf,
    AnyOf,
    AssessmentPassed,
    ContinuingEducation,
    Credits,
    NOf,
    Path,
    Requirement,
    SourceFilter,
)

__all__ = ["threshold_problems"]


def threshold_problems(
    req: Requirement,
    path: ProblemPath = (),
    achievement_credits: Mapping[str, Decimal] | None = None,
) -> list[Problem]:
    """Thresholds no learner could ever reach, or that contradict each other.

    Paths point at the node's own key (``n_of``, ``credits``, ...) found by walking the tree
    the same way the parser numbered it. With ``achievement_credits`` (what the catalog says
    each achievement is worth), a pool that names its sources is also checked against what
    those sources can ever give; ``parse_requirement`` cannot know that, the catalog check can.
    """
    problems: list[Problem] = []
    _check(req, path, problems, achievement_credits or {})
    return problems


def _check(
    req: Requirement,
    path: ProblemPath,
    problems: list[Problem],
    worth: Mapping[str, Decimal],
) -> None:
    if isinstance(req, NOf):
        if req.n > len(req.children):
            problems.append(
                Problem(
                    (*path, "n_of"),
                    f"This asks for {req.n} of {len(req.children)} requirements, "
                    "so it can never be met.",
                )
            )
        for i, child in enumerate(req.children):
            _check(child, (*path, "of", i), problems, worth)
    elif isinstance(req, AllOf | AnyOf | Path):
        key = {AllOf: "all", AnyOf: "any", Path: "path"}[type(req)]
        children = req.steps if isinstance(req, Path) else req.children
        for i, child in enumerate(children):
            _check(child, (*path, key, i), problems, worth)
    elif isinstance(req, Credits):
        _check_credits(req, path, problems)
        named = req.source.achievements
        if named and req.source.courses is None and all(a in worth for a in named):
            most = sum((exact(worth[a]) for a in named), ZERO)
            if most < req.required:
                problems.append(
                    Problem(
                        (*path, "credits"),
                        f"The named sources give at most {show(most)} credits, fewer than the "
                        f"{show(req.required)} required, so this can never be met.",
                    )
                )
    elif isinstance(req, ContinuingEducation):
        floor = sum((hours for _, hours in req.minimums), ZERO)
        if floor > req.total:
            problems.append(
                Problem(
                    (*path, "ce", "total"),
                    f"The category minimums add up to {show(floor)} hours, more than the total of "
                    f"{show(req.total)}; raise the total or lower a minimum.",
                )
            )
    elif (
        isinstance(req, AssessmentPassed) and req.min_percent is not None and req.min_percent > 100
    ):
        problems.append(
            Problem(
                (*path, "min_percent"),
                f"A minimum of {show(req.min_percent)}% can never be reached.",
            )
        )


def _check_credits(req: Credits, path: ProblemPath, problems: list[Problem]) -> None:
    if req.required <= 0:
        problems.append(Problem((*path, "credits"), "The number of credits must be above 0."))
    for i, cap in enumerate(req.caps):
        if cap.max > req.required:
            problems.append(
                Problem(
                    (*path, "cap", i, "max"),
                    f"A cap of {show(cap.max)} credits is above the {show(req.required)} required, "
                    "so it never limits anything; lower it or remove it.",
                )
            )
        # A cap whose filter is no narrower than the pool's own limits every credit.
        if _covers(cap.source, req.source) and cap.max < req.required:
            problems.append(
                Problem(
                    (*path, "cap", i, "max"),
                    f"Every credit this requirement can count is capped at {show(cap.max)}, "
                    f"below the {show(req.required)} required, so it can never be met.",
                )
            )


def _covers(cap: SourceFilter, pool: SourceFilter) -> bool:
    """Whether every record the pool accepts also falls under the cap."""
    pairs = (
        (cap.types, pool.types),
        (cap.issuers, pool.issuers),
        (cap.achievements, pool.achievements),
        (cap.courses, pool.courses),
    )
    return all(c is None or (p is not None and p <= c) for c, p in pairs)
