"""What a catalog means, checked after its shape: references, cycles and taxonomy rules.

These are the errors a schema cannot see: a requirement naming an achievement nobody defined,
achievements that require each other, a microcredential with nothing accountable behind it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from credstack.catalog.assessments import check_assessments
from credstack.domain.catalog import Achievement, Catalog, find_cycle
from credstack.domain.problems import Path, Problem
from credstack.domain.requirements import (
    AssessmentPassed,
    Attested,
    CourseCompleted,
    Requirement,
    RubricScored,
    iter_nodes,
    referenced_achievements,
)
from credstack.domain.taxonomy import AchievementType, type_info

__all__ = ["check"]


def check(catalog: Catalog) -> list[Problem]:
    problems: list[Problem] = []
    problems += _duplicates("frameworks", [f.key for f in catalog.frameworks], "framework")
    problems += _duplicates("achievements", [a.key for a in catalog.achievements], "achievement")
    problems += _duplicates("partners", [p.key for p in catalog.partners], "partner")
    assessment_ids = [str(a.get("id", "")) for a in catalog.assessments]
    problems += _duplicates("assessments", assessment_ids, "assessment")
    for i, framework in enumerate(catalog.frameworks):
        problems += _duplicates(
            ("frameworks", i, "competencies"),
            [c.key for c in framework.competencies],
            f"competency in framework {framework.key}",
        )
    problems += _alignments(catalog)
    problems += _references(catalog)
    problems += _taxonomy(catalog)
    problems += check_assessments(catalog)
    return problems


def _duplicates(where: str | Path, keys: list[str], what: str) -> list[Problem]:
    base: Path = (where,) if isinstance(where, str) else where
    counts = Counter(keys)
    seen: set[str] = set()
    problems = []
    for index, key in enumerate(keys):
        if counts[key] > 1:
            if key in seen:
                problems.append(Problem((*base, index, "id"), f"duplicate {what} id {key!r}"))
            seen.add(key)
    return problems


def _alignments(catalog: Catalog) -> list[Problem]:
    frameworks = {f.key: f for f in catalog.frameworks}
    problems = []
    for i, achievement in enumerate(catalog.achievements):
        for j, ref in enumerate(achievement.alignments):
            where: Path = ("achievements", i, "alignments", j)
            framework_key, _, competency_key = ref.partition("/")
            framework = frameworks.get(framework_key)
            if not competency_key:
                problems.append(
                    Problem(
                        where,
                        f"achievement {achievement.key}: alignment {ref!r} "
                        "must name framework/competency",
                    )
                )
            elif framework is None:
                problems.append(
                    Problem(
                        where,
                        f"achievement {achievement.key}: alignment {ref!r} "
                        f"names an undefined framework {framework_key!r}",
                    )
                )
            elif framework.competency(competency_key) is None:
                problems.append(
                    Problem(
                        where,
                        f"achievement {achievement.key}: alignment {ref!r} "
                        f"names a competency that framework {framework_key!r} "
                        "does not define",
                    )
                )
    return problems


def _required(achievement: Achievement) -> Iterable[tuple[Path, str]]:
    if achievement.requirements is not None:
        for ref in sorted(referenced_achievements(achievement.requirements)):
            yield ("requirements",), ref
    if achievement.maintenance is not None:
        for ref in sorted(referenced_achievements(achievement.maintenance.requirement)):
            yield ("maintenance", "requirements"), ref


def _references(catalog: Catalog) -> list[Problem]:
    defined = {a.key for a in catalog.achievements}
    problems = []
    edges: dict[str, set[str]] = {}
    for i, achievement in enumerate(catalog.achievements):
        edges[achievement.key] = set()
        for where, ref in _required(achievement):
            if ref in defined:
                edges[achievement.key].add(ref)
            else:
                problems.append(
                    Problem(
                        ("achievements", i, *where),
                        f"achievement "
                        f"{achievement.key}: requirement names {ref!r}, which "
                        "this catalog does not define",
                    )
                )
    cycle = find_cycle(edges)
    if cycle is not None:
        index = next(i for i, a in enumerate(catalog.achievements) if a.key == cycle[0])
        problems.append(
            Problem(
                ("achievements", index, "requirements"),
                "requirements form a cycle: " + " -> ".join(cycle),
            )
        )
    return problems


def _taxonomy(catalog: Catalog) -> list[Problem]:
    problems = []
    for i, achievement in enumerate(catalog.achievements):
        info = type_info(achievement.type)
        here: Path = ("achievements", i)
        if info.needs_alignment and not achievement.alignments:
            problems.append(
                Problem(
                    (*here, "type"),
                    f"achievement {achievement.key} cannot be a "
                    f"{achievement.type.value}: it has no competency alignment "
                    "(publish it as a badge, or add `alignments`)",
                )
            )
        if info.needs_accountable_route and not _has_accountable_route(achievement.requirements):
            problems.append(
                Problem(
                    (*here, "type"),
                    f"achievement {achievement.key} cannot "
                    f"be a {achievement.type.value}: its route has neither an "
                    "assessment, an accountable attester nor a course "
                    "(publish it as a badge, or add a route to `requirements`)",
                )
            )
        if achievement.type is AchievementType.CE_ACTIVITY and achievement.ce is None:
            problems.append(
                Problem(
                    here,
                    f"achievement {achievement.key}: a ce-activity needs `ce: {{hours, category}}`",
                )
            )
    return problems


_ACCOUNTABLE = (AssessmentPassed, Attested, CourseCompleted, RubricScored)


def _has_accountable_route(requirement: Requirement | None) -> bool:
    """An assessment, an attester with a role, or a course stands behind the award."""
    if requirement is None:
        return False
    return any(isinstance(node, _ACCOUNTABLE) for node in iter_nodes(requirement))
