"""The catalog's `assessments:` section: each entry well formed, and every route naming one.

A requirement `{assessment: sql-exam}` that names no defined assessment could never be met, and
a result recorded against it would have no cut score to be judged by; both are caught when the
catalog is loaded, not when the first learner sits the exam.
"""

from __future__ import annotations

from collections.abc import Iterator

from credstack.assessment import AssessmentDefinition, AssessmentKind, parse_assessment
from credstack.domain.catalog import Catalog
from credstack.domain.problems import Path, Problem
from credstack.domain.quantities import show
from credstack.domain.requirements import (
    AssessmentPassed,
    Requirement,
    RubricScored,
    iter_nodes,
)

__all__ = ["check_assessments", "definitions"]


def definitions(catalog: Catalog) -> tuple[dict[str, AssessmentDefinition], list[Problem]]:
    """The catalog's assessments by id, and every problem in their definitions."""
    found: dict[str, AssessmentDefinition] = {}
    problems: list[Problem] = []
    for index, raw in enumerate(catalog.assessments):
        here: Path = ("assessments", index)
        definition, issues = parse_assessment(raw, here)
        name = raw.get("id") if isinstance(raw.get("id"), str) else f"#{index + 1}"
        problems.extend(Problem(path, f"assessment {name}: {message}") for path, message in issues)
        if definition is not None:
            found.setdefault(definition.id, definition)
    return found, problems


def _route_nodes(catalog: Catalog) -> Iterator[tuple[int, Path, AssessmentPassed | RubricScored]]:
    for index, achievement in enumerate(catalog.achievements):
        trees: list[tuple[Path, Requirement | None]] = [
            (("requirements",), achievement.requirements)
        ]
        if achievement.maintenance is not None:
            trees.append((("maintenance", "requirements"), achievement.maintenance.requirement))
        for where, tree in trees:
            if tree is None:
                continue
            for node in iter_nodes(tree):
                if isinstance(node, AssessmentPassed | RubricScored):
                    yield index, where, node


def check_assessments(catalog: Catalog) -> list[Problem]:
    """Problems in the assessment definitions and in the routes that name them."""
    defined, problems = definitions(catalog)
    declared = {str(raw.get("id")) for raw in catalog.assessments}
    for index, where, node in _route_nodes(catalog):
        achievement = catalog.achievements[index]
        path: Path = ("achievements", index, *where)
        key = node.assessment if isinstance(node, AssessmentPassed) else node.rubric
        definition = defined.get(key)
        if definition is None:
            if key not in declared:  # a broken definition is already reported where it is
                problems.append(
                    Problem(
                        path,
                        f"achievement {achievement.key}: its route names assessment {key!r}, "
                        "which the `assessments:` section does not define",
                    )
                )
            continue
        if isinstance(node, RubricScored):
            problems.extend(_rubric_problems(achievement.key, path, node, definition))
    return problems


def _rubric_problems(
    achievement: str, path: Path, node: RubricScored, definition: AssessmentDefinition
) -> list[Problem]:
    if definition.kind is not AssessmentKind.RUBRIC:
        return [
            Problem(
                path,
                f"achievement {achievement}: `rubric: {node.rubric}` names an assessment scored "
                f"{'from items' if definition.items else 'externally'}, not with a rubric",
            )
        ]
    if node.min_score > definition.max_score:
        return [
            Problem(
                path,
                f"achievement {achievement}: a rubric score of at least {show(node.min_score)} is "
                f"impossible; {node.rubric} is scored out of {definition.max_score:g}",
            )
        ]
    return []
