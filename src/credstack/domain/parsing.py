"""Reading requirement trees from catalog data (the value under an achievement's ``requirements``).

The parser never stops at the first mistake: it reports every problem it can find, each with
the path of the offending key or item so the YAML loader can point at a line, and a sentence a
catalog author can act on. Trees that parse but can never be met (3 of 2, a cap above the
total) are reported too (see ``thresholds``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal

from credstack.domain.problems import Path as ProblemPath
from credstack.domain.problems import Problem
from credstack.domain.quantities import ZERO
from credstack.domain.requirement_reader import MAX_AMOUNT, Reader, describe
from credstack.domain.requirements import (
    AllOf,
    AnyOf,
    AssessmentPassed,
    Attested,
    ContinuingEducation,
    CourseCompleted,
    CreditCap,
    Credits,
    Holds,
    NOf,
    Path,
    Requirement,
    Reuse,
    RubricScored,
    SourceFilter,
)
from credstack.domain.thresholds import threshold_problems

# MAX_AMOUNT and threshold_problems are re-exported for callers.
__all__ = ["KINDS", "MAX_AMOUNT", "parse_requirement", "threshold_problems"]


_Parser = Callable[[Reader, str], Requirement | None]


def parse_requirement(
    raw: object, path: tuple[str | int, ...]
) -> tuple[Requirement | None, list[Problem]]:
    """Parse a requirement tree; the tree is ``None`` whenever any problem was found.

    ``raw`` is plain data: a text is shorthand for "holds that achievement", a list is
    shorthand for "all of", and a mapping has exactly one kind key (see ``KINDS``).
    """
    problems: list[Problem] = []
    req = _parse(raw, path, problems)
    if req is not None and not problems:
        problems.extend(threshold_problems(req, path))
    return (None if problems else req), problems


def _parse(raw: object, path: ProblemPath, problems: list[Problem]) -> Requirement | None:
    if isinstance(raw, str):
        if not raw.strip():
            problems.append(Problem(path, "An achievement id cannot be empty."))
            return None
        return Holds(achievement=raw.strip())
    if isinstance(raw, list):
        children = _parse_list(raw, path, problems)
        return AllOf(children) if children is not None else None
    if not isinstance(raw, dict):
        problems.append(
            Problem(
                path,
                f"A requirement must be an achievement id, a list or a mapping, "
                f"not {describe(raw)}.",
            )
        )
        return None
    kinds = [k for k in raw if k in KINDS]
    if len(kinds) != 1:
        found = f"found {', '.join(map(str, kinds))}" if kinds else "found none"
        problems.append(
            Problem(
                path,
                f"A requirement mapping needs exactly one of: {', '.join(KINDS)} ({found}).",
            )
        )
        return None
    kind = kinds[0]
    allowed = _ALLOWED[kind] | {kind, "label"}
    for key in raw:
        if key not in allowed:
            problems.append(
                Problem(
                    (*path, key),
                    f"'{key}' is not an option of a '{kind}' requirement; "
                    f"expected one of: {', '.join(sorted(allowed - {kind}))}.",
                )
            )
    reader = Reader(raw, path, problems)
    before = len(problems)
    label = reader.text("label")
    node = KINDS[kind](reader, kind)
    if node is None or len(problems) > before:
        return None
    if label is not None:
        node = _with_label(node, label)
    return node


def _with_label(node: Requirement, label: str) -> Requirement:
    return replace(node, label=label)


def _parse_list(
    raw: object, path: ProblemPath, problems: list[Problem]
) -> tuple[Requirement, ...] | None:
    if not isinstance(raw, list) or not raw:
        problems.append(
            Problem(path, f"Expected a non-empty list of requirements, not {describe(raw)}.")
        )
        return None
    before = len(problems)
    children = [_parse(item, (*path, i), problems) for i, item in enumerate(raw)]
    if len(problems) > before:
        return None
    return tuple(c for c in children if c is not None)


def _all(r: Reader, kind: str) -> Requirement | None:
    children = _parse_list(r.data[kind], r.at(kind), r.problems)
    return None if children is None else AllOf(children)


def _any(r: Reader, kind: str) -> Requirement | None:
    children = _parse_list(r.data[kind], r.at(kind), r.problems)
    return None if children is None else AnyOf(children)


def _path(r: Reader, kind: str) -> Requirement | None:
    steps = _parse_list(r.data[kind], r.at(kind), r.problems)
    return None if steps is None else Path(steps)


def _n_of(r: Reader, kind: str) -> Requirement | None:
    value = r.data[kind]
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        r.fail(kind, f"'n_of' must be a whole number of at least 1, not {describe(value)}.")
        return None
    if "of" not in r.data:
        r.fail(None, "'n_of' needs 'of', the list of requirements to choose from.")
        return None
    children = _parse_list(r.data["of"], r.at("of"), r.problems)
    reuse = _reuse(r)
    return None if children is None or reuse is None else NOf(value, children, reuse=reuse)


def _reuse(r: Reader) -> Reuse | None:
    """Whether one record may count toward several of the choices (default: once)."""
    value = r.data.get("reuse", Reuse.ONCE.value)
    try:
        return Reuse(value)
    except ValueError:
        r.fail(
            "reuse",
            f"'reuse' must be {Reuse.ONCE.value} (a record counts toward one choice only) or "
            f"{Reuse.ALLOWED.value} (a record may count toward every choice that names it), "
            f"not {describe(value)}.",
        )
        return None


def _holds(r: Reader, kind: str) -> Requirement | None:
    achievement = r.text(kind, required=True)
    if achievement is None:
        return None
    return Holds(
        achievement=achievement,
        min_grade=r.grade("min_grade"),
        min_score=r.number("min_score"),
        within=r.window("within"),
        valid=r.flag("valid", True),
    )


def _filter(r: Reader, key: str) -> SourceFilter:
    value = r.data.get(key)
    if value is None:
        return SourceFilter()
    if not isinstance(value, dict):
        r.fail(
            key,
            f"'{key}' must be a mapping such as {{types: [certificate]}}, not {describe(value)}.",
        )
        return SourceFilter()
    inner = Reader(value, r.at(key), r.problems)
    for k in value:
        if k not in _FILTER_KEYS:
            inner.fail(
                k, f"'{k}' is not a source filter; expected one of: {', '.join(_FILTER_KEYS)}."
            )
    return SourceFilter(
        types=inner.ids("types"),
        issuers=inner.ids("issuers"),
        achievements=inner.ids("achievements"),
        courses=inner.ids("courses"),
    )


_FILTER_KEYS = ("types", "issuers", "achievements", "courses")


def _credits(r: Reader, kind: str) -> Requirement | None:
    required = r.number(kind, required=True)
    caps: list[CreditCap] = []
    raw_caps = r.data.get("cap", [])
    if isinstance(raw_caps, dict):
        raw_caps = [raw_caps]
    if not isinstance(raw_caps, list):
        r.fail(
            "cap",
            f"'cap' must be a list of {{from: ..., max: ...}} entries, not {describe(raw_caps)}.",
        )
        raw_caps = []
    for i, item in enumerate(raw_caps):
        item_path = (*r.at("cap"), i)
        if not isinstance(item, dict):
            r.problems.append(Problem(item_path, "A cap must be a mapping with 'from' and 'max'."))
            continue
        inner = Reader(item, item_path, r.problems)
        for k in item:
            if k not in ("from", "max", "label"):
                inner.fail(k, f"'{k}' is not an option of a cap; expected from, max or label.")
        most = inner.number("max", required=True)
        if most is not None:
            caps.append(CreditCap(_filter(inner, "from"), most, inner.text("label")))
    if required is None:
        return None
    return Credits(
        required=required,
        source=_filter(r, "from"),
        min_grade=r.grade("min_grade"),
        within=r.window("within"),
        caps=tuple(caps),
    )


def _ce(r: Reader, kind: str) -> Requirement | None:
    value = r.data[kind]
    if not isinstance(value, dict):
        r.fail(kind, f"'ce' must be a mapping with 'total' and 'minimums', not {describe(value)}.")
        return None
    inner = Reader(value, r.at(kind), r.problems)
    for k in value:
        if k not in ("total", "minimums", "within"):
            inner.fail(k, f"'{k}' is not an option of 'ce'; expected total, minimums or within.")
    total = inner.number("total", required=True)
    minimums: list[tuple[str, Decimal]] = []
    raw_min = value.get("minimums", {})
    if not isinstance(raw_min, dict):
        inner.fail("minimums", "'minimums' must map each category to its hours, like {ethics: 5}.")
    else:
        per = Reader(raw_min, inner.at("minimums"), r.problems)
        for category in raw_min:
            hours = per.number(str(category), required=True)
            if hours is not None:
                minimums.append((str(category), hours))
    if total is None:
        return None
    return ContinuingEducation(total, tuple(sorted(minimums)), inner.window("within"))


def _assessment(r: Reader, kind: str) -> Requirement | None:
    assessment = r.text(kind, required=True)
    if assessment is None:
        return None
    return AssessmentPassed(
        assessment=assessment,
        proctored=r.flag("proctored", False),
        identity_verified=r.flag("identity_verified", False),
        min_score=r.number("min_score"),
        min_percent=r.number("min_percent"),
    )


def _merged(r: Reader, kind: str, id_key: str) -> Reader | None:
    """Allow both ``{course: id, min_hours: 8}`` and ``{course: {id: ..., min_hours: 8}}``."""
    value = r.data[kind]
    if isinstance(value, dict):
        for key in value:
            if key not in _ALLOWED[kind] | {id_key}:
                r.problems.append(
                    Problem((*r.at(kind), key), f"'{key}' is not an option of '{kind}'.")
                )
        return Reader(value, r.at(kind), r.problems)
    if value is None or isinstance(value, str):
        merged = {k: v for k, v in r.data.items() if k != kind}
        if value is not None:
            merged[id_key] = value
        return Reader(merged, r.path, r.problems)
    r.fail(kind, f"'{kind}' must be an id or a mapping of options, not {describe(value)}.")
    return None


def _attestation(r: Reader, kind: str) -> Requirement | None:
    inner = _merged(r, kind, "subject")
    if inner is None:
        return None
    role = inner.text("role", required=True)
    if role is None:
        return None
    return Attested(role=role, subject=inner.text("subject"), program=inner.text("program"))


def _rubric(r: Reader, kind: str) -> Requirement | None:
    rubric = r.text(kind, required=True)
    min_score = r.number("min_score", required=True)
    if rubric is None or min_score is None:
        return None
    return RubricScored(rubric, min_score, r.text("reviewer_role"))


_MAX_COURSE_NAME = 200


def _course(r: Reader, kind: str) -> Requirement | None:
    inner = _merged(r, kind, "id")
    if inner is None:
        return None
    name = inner.text("name")
    if name is not None and (len(name) > _MAX_COURSE_NAME or "\n" in name):
        inner.fail("name", f"'name' is one line of at most {_MAX_COURSE_NAME} characters.")
        name = None
    return CourseCompleted(
        course=inner.text("id"),
        min_hours=inner.number("min_hours") or ZERO,
        providers=inner.ids("providers"),
        min_grade=inner.grade("min_grade"),
        name=name,
    )


#: Kind key -> parser. A requirement mapping has exactly one of these keys.
KINDS: dict[str, _Parser] = {
    "all": _all,
    "any": _any,
    "n_of": _n_of,
    "path": _path,
    "holds": _holds,
    "credits": _credits,
    "ce": _ce,
    "assessment": _assessment,
    "attestation": _attestation,
    "rubric": _rubric,
    "course": _course,
}

_ALLOWED: dict[str, frozenset[str]] = {
    "all": frozenset(),
    "any": frozenset(),
    "path": frozenset(),
    "n_of": frozenset({"of", "reuse"}),
    "holds": frozenset({"min_grade", "min_score", "within", "valid"}),
    "credits": frozenset({"from", "min_grade", "within", "cap"}),
    "ce": frozenset(),
    "assessment": frozenset({"proctored", "identity_verified", "min_score", "min_percent"}),
    "attestation": frozenset({"role", "program"}),
    "rubric": frozenset({"min_score", "reviewer_role"}),
    "course": frozenset({"name", "min_hours", "providers", "min_grade"}),
}
