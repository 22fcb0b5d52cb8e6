"""Catalog text to a `Catalog`, or every problem in it with its line.

Checks run in layers (YAML syntax, shape, then meaning) and every layer reports all it finds,
so an author fixes a file in one pass rather than one error per run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from credstack.catalog import meaning
from credstack.catalog.format import FORMAT, AchievementSpec, CatalogSpec
from credstack.catalog.yamlsource import Located, YamlError, load_yaml
from credstack.domain.catalog import (
    Achievement,
    Catalog,
    CeValue,
    Competency,
    Framework,
    IssuerProfile,
    Maintenance,
    Partner,
)
from credstack.domain.durations import Duration, parse_duration
from credstack.domain.parsing import parse_requirement
from credstack.domain.problems import Path, Problem
from credstack.limits import MAX_CATALOG_ACHIEVEMENTS

__all__ = [
    "CatalogProblem",
    "ParseResult",
    "StoredDefinitionError",
    "decode_achievement",
    "parse_catalog",
]


@dataclass(frozen=True)
class CatalogProblem:
    source: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.message}"


@dataclass(frozen=True)
class ParseResult:
    catalog: Catalog | None
    problems: tuple[CatalogProblem, ...]

    @property
    def ok(self) -> bool:
        return self.catalog is not None and not self.problems


def parse_catalog(text: str, source: str = "<catalog>") -> ParseResult:
    try:
        located = load_yaml(text)
    except YamlError as exc:
        return ParseResult(None, tuple(CatalogProblem(source, ln, msg) for ln, msg in exc.problems))

    def at(problems: Sequence[Problem]) -> ParseResult:
        found = sorted(
            {CatalogProblem(source, located.line_of(p.path), p.message) for p in problems},
            key=lambda p: (p.line, p.message),
        )
        return ParseResult(None, tuple(found))

    data = located.data
    if not isinstance(data, dict):
        return at(
            [Problem((), "a catalog is a YAML mapping starting with `format: " + FORMAT + "`")]
        )
    if data.get("format") != FORMAT:
        where: Path = ("format",) if "format" in data else ()
        return at(
            [Problem(where, f"the first key must be `format: {FORMAT}` (the format version)")]
        )
    listed = data.get("achievements")
    if isinstance(listed, list) and len(listed) > MAX_CATALOG_ACHIEVEMENTS:
        return at(
            [
                Problem(
                    ("achievements",),
                    f"{len(listed)} achievements; a catalog holds at most "
                    f"{MAX_CATALOG_ACHIEVEMENTS} (split it among issuers)",
                )
            ]
        )
    try:
        spec = CatalogSpec.model_validate(data)
    except ValidationError as exc:
        return at(_shape_problems(exc, data))
    catalog, problems = _build(spec, located)
    problems.extend(meaning.check(catalog))
    if problems:
        return at(problems)
    return ParseResult(catalog, ())


class StoredDefinitionError(ValueError):
    """A stored achievement definition that no longer decodes (it was checked when loaded)."""


def decode_achievement(definition: Mapping[str, Any]) -> Achievement:
    """The typed achievement of a stored definition, by the same rules that loaded it.

    Stored definitions are the author's mapping as JSON holds it (amounts as numbers, dates as
    text), so the catalog's own schema reads them back; anything it rejects was stored by a
    different format and is reported, never half-read.
    """
    key = definition.get("id", "?")
    try:
        spec = AchievementSpec.model_validate(dict(definition))
    except ValidationError as exc:
        found = "; ".join(p.message for p in _shape_problems(exc, {}))
        raise StoredDefinitionError(f"stored achievement {key}: {found}") from exc
    problems: list[Problem] = []
    achievement = _achievement(0, spec, definition, problems)
    if problems:
        found = "; ".join(p.message for p in problems)
        raise StoredDefinitionError(f"stored achievement {key}: {found}")
    return achievement


def _shape_problems(exc: ValidationError, data: Mapping[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    for error in exc.errors():
        loc: Path = tuple(x for x in error["loc"] if isinstance(x, str | int))
        kind = error["type"]
        name = _describe(loc, data)
        if kind == "missing":
            problems.append(Problem(loc[:-1], f"{name}: `{loc[-1]}` is required"))
        elif kind == "extra_forbidden":
            problems.append(Problem(loc, f"{name}: unknown key `{loc[-1]}`"))
        elif kind == "string_pattern_mismatch":
            problems.append(
                Problem(loc, f"{name}: ids use lower-case letters, digits, '.', '_' and '-' only")
            )
        elif kind in {"literal_error", "enum"}:
            problems.append(Problem(loc, f"{name}: {error['msg'].lower()}"))
        else:
            message = error["msg"].removeprefix("Value error, ")
            problems.append(Problem(loc, f"{name}: {message[0].lower()}{message[1:]}"))
    return problems


def _describe(loc: Path, data: Mapping[str, Any]) -> str:
    """Name the thing at `loc` the way an author would: 'achievement sql-querying, credits'."""
    parts: list[str] = []
    node: Any = data
    for i, step in enumerate(loc):
        if isinstance(node, list) and isinstance(step, int) and step < len(node):
            item = node[step]
            key = item.get("id") if isinstance(item, dict) else None
            parent = str(loc[i - 1]) if i else "item"
            label = parent[:-1] if parent.endswith("s") else parent
            parts[-1:] = [f"{label} {key}" if key else f"{label} #{step + 1}"]
            node = item
        elif isinstance(node, dict) and step in node:
            parts.append(str(step))
            node = node[step]
        else:
            parts.append(str(step))
            node = None
    return ", ".join(parts) if parts else "catalog"


def _build(spec: CatalogSpec, located: Located) -> tuple[Catalog, list[Problem]]:
    problems: list[Problem] = []
    issuer = (
        IssuerProfile(
            spec.issuer.id,
            spec.issuer.name,
            spec.issuer.kind,
            spec.issuer.url,
            spec.issuer.email,
            spec.issuer.timezone,
        )
        if spec.issuer
        else None
    )
    frameworks = tuple(
        Framework(
            f.id,
            f.name,
            f.url,
            f.version,
            tuple(Competency(c.id, c.name, c.description, c.code) for c in f.competencies),
        )
        for f in spec.frameworks
    )
    raw_achievements = located.data["achievements"] if isinstance(located.data, dict) else []
    achievements = tuple(
        _achievement(i, a, raw_achievements[i], problems) for i, a in enumerate(spec.achievements)
    )
    catalog = Catalog(
        format_version=1,
        issuer=issuer,
        partners=tuple(Partner(p.id, p.name, p.url) for p in spec.partners),
        frameworks=frameworks,
        achievements=achievements,
        assessments=tuple(spec.assessments),
    )
    return catalog, problems


def _achievement(
    index: int, spec: AchievementSpec, raw: Mapping[str, Any], problems: list[Problem]
) -> Achievement:
    here: Path = ("achievements", index)
    validity: Duration | None = None
    if spec.validity is not None:
        try:
            validity = parse_duration(spec.validity)
        except ValueError as exc:
            problems.append(Problem((*here, "validity"), f"achievement {spec.id}, validity: {exc}"))
    requirements = None
    if spec.requirements is not None:
        requirements, found = parse_requirement(spec.requirements, (*here, "requirements"))
        problems.extend(found)
    maintenance = None
    if spec.maintenance is not None:
        maintenance = _maintenance(spec, here, problems)
    return Achievement(
        key=spec.id,
        type=spec.type,
        name=spec.name,
        description=spec.description,
        criteria=spec.criteria,
        alignments=tuple(spec.alignments),
        credits=spec.credits,
        ce=CeValue(spec.ce.hours, spec.ce.category) if spec.ce else None,
        designation=spec.designation,
        validity=validity,
        image=spec.image,
        tags=tuple(spec.tags),
        requirements=requirements,
        maintenance=maintenance,
        definition=dict(raw),
    )


def _maintenance(spec: AchievementSpec, here: Path, problems: list[Problem]) -> Maintenance | None:
    assert spec.maintenance is not None
    where: Path = (*here, "maintenance")
    try:
        cycle = parse_duration(spec.maintenance.cycle)
    except ValueError as exc:
        problems.append(
            Problem((*where, "cycle"), f"achievement {spec.id}, maintenance cycle: {exc}")
        )
        return None
    requirement, found = parse_requirement(spec.maintenance.requirements, (*where, "requirements"))
    problems.extend(found)
    if requirement is None:
        return None
    return Maintenance(
        cycle=cycle, requirement=requirement, reminder_days=spec.maintenance.reminder_days
    )
