"""The requirement tree: what a learner must have for an achievement to be awarded.

Nodes are frozen values built once from catalog data (see ``parsing``) and evaluated many
times, so they hold pre-normalised sets and numbers rather than raw YAML. Composite nodes
(all, any, n-of, path) combine leaf conditions; leaves either name one thing the learner must
hold or have done, or pool amounts (credits, CE hours) from many records.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from credstack.domain.durations import Duration
from credstack.domain.quantities import ZERO, exact

__all__ = [
    "AllOf",
    "AnyOf",
    "AssessmentPassed",
    "Attested",
    "ContinuingEducation",
    "CourseCompleted",
    "CreditCap",
    "Credits",
    "Holds",
    "NOf",
    "Path",
    "Requirement",
    "Reuse",
    "RubricScored",
    "SourceFilter",
    "assessment_readers",
    "children_of",
    "iter_nodes",
    "referenced_achievements",
    "referenced_assessments",
]


def _exact_fields(node: object, *names: str) -> None:
    """Hold thresholds as ``Decimal`` whatever a caller built the node with, so comparisons
    against records' exact amounts never meet a float."""
    for name in names:
        value = getattr(node, name)
        if value is not None and type(value) is not Decimal:
            object.__setattr__(node, name, exact(value))


@dataclass(frozen=True, slots=True)
class AllOf:
    children: tuple[Requirement, ...]
    label: str | None = None


@dataclass(frozen=True, slots=True)
class AnyOf:
    children: tuple[Requirement, ...]
    label: str | None = None


class Reuse(StrEnum):
    """Whether a record may count toward more than one choice of an ``NOf``."""

    ONCE = "once"
    ALLOWED = "allowed"


@dataclass(frozen=True, slots=True)
class NOf:
    """At least ``n`` of the children, e.g. "any 2 of 3 stacks".

    With ``reuse`` ONCE (the default) each record counts toward one child only, the way a
    registrar counts a shared course once; the evaluator finds the assignment of shared
    records that completes the most children (see ``sharing``).
    """

    n: int
    children: tuple[Requirement, ...]
    label: str | None = None
    reuse: Reuse = Reuse.ONCE


@dataclass(frozen=True, slots=True)
class Path:
    """All steps, in a suggested order: the first unmet step is the learner's next step.

    The order guides learners; it is not enforced on dates, because a learner who earned a
    later step first (say, by recognition of prior learning) has still met it.
    """

    steps: tuple[Requirement, ...]
    label: str | None = None


@dataclass(frozen=True, slots=True)
class Holds:
    """The learner holds an award of ``achievement``.

    ``valid`` (the default) asks for an award that is active and unexpired on the as-of date;
    without it any award ever issued counts unless it was revoked.
    """

    achievement: str
    min_grade: str | None = None
    min_score: Decimal | None = None
    within: Duration | None = None
    valid: bool = True
    label: str | None = None

    def __post_init__(self) -> None:
        _exact_fields(self, "min_score")


@dataclass(frozen=True, slots=True)
class SourceFilter:
    """Which records may contribute to a pool; ``None`` fields match anything.

    ``types`` are achievement types, plus ``course`` for course completions; ``issuers`` is
    an articulation list of issuer (or course provider) ids; ``achievements`` names
    achievement ids and ``courses`` course ids (a filter with only one of them matches
    nothing of the other kind).
    """

    types: frozenset[str] | None = None
    issuers: frozenset[str] | None = None
    achievements: frozenset[str] | None = None
    courses: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class CreditCap:
    """At most ``max`` credits may come from sources matching ``source``."""

    source: SourceFilter
    max: Decimal
    label: str | None = None

    def __post_init__(self) -> None:
        _exact_fields(self, "max")


@dataclass(frozen=True, slots=True)
class Credits:
    """At least ``required`` credits from matching records, each counted once.

    A source that lists the records it was earned with (a certificate and its courses) is
    opened up: each inner course is judged on its own grade and date, and its credits are
    attributed to the source for caps and the audit.
    """

    required: Decimal
    source: SourceFilter = SourceFilter()
    min_grade: str | None = None
    within: Duration | None = None
    caps: tuple[CreditCap, ...] = ()
    label: str | None = None

    def __post_init__(self) -> None:
        _exact_fields(self, "required")


@dataclass(frozen=True, slots=True)
class ContinuingEducation:
    """CE hours: a total and per-category minimums, optionally within a look-back window."""

    total: Decimal
    minimums: tuple[tuple[str, Decimal], ...] = ()
    within: Duration | None = None
    label: str | None = None

    def __post_init__(self) -> None:
        _exact_fields(self, "total")
        if any(type(hours) is not Decimal for _, hours in self.minimums):
            exact_minimums = tuple((name, exact(hours)) for name, hours in self.minimums)
            object.__setattr__(self, "minimums", exact_minimums)


@dataclass(frozen=True, slots=True)
class AssessmentPassed:
    """A passed attempt of ``assessment`` with the rigor the route demands."""

    assessment: str
    proctored: bool = False
    identity_verified: bool = False
    min_score: Decimal | None = None
    min_percent: Decimal | None = None
    label: str | None = None

    def __post_init__(self) -> None:
        _exact_fields(self, "min_score", "min_percent")


@dataclass(frozen=True, slots=True)
class Attested:
    """An attestation by someone holding ``role`` (in ``program``, when given)."""

    role: str
    subject: str | None = None
    program: str | None = None
    label: str | None = None


@dataclass(frozen=True, slots=True)
class RubricScored:
    """A reviewer's rubric score of at least ``min_score``."""

    rubric: str
    min_score: Decimal
    reviewer_role: str | None = None
    label: str | None = None

    def __post_init__(self) -> None:
        _exact_fields(self, "min_score")


@dataclass(frozen=True, slots=True)
class CourseCompleted:
    """A recorded course completion, e.g. "at least 8 hours from an approved provider"."""

    course: str | None = None
    min_hours: Decimal = ZERO
    providers: frozenset[str] | None = None
    min_grade: str | None = None
    label: str | None = None
    name: str | None = None
    """The course's name for people (the console's list of courses); the id is the fallback."""

    def __post_init__(self) -> None:
        _exact_fields(self, "min_hours")


Requirement = (
    AllOf
    | AnyOf
    | NOf
    | Path
    | Holds
    | Credits
    | ContinuingEducation
    | AssessmentPassed
    | Attested
    | RubricScored
    | CourseCompleted
)


def children_of(req: Requirement) -> tuple[Requirement, ...]:
    if isinstance(req, AllOf | AnyOf | NOf):
        return req.children
    if isinstance(req, Path):
        return req.steps
    return ()


def iter_nodes(req: Requirement) -> Iterator[Requirement]:
    """Every node of the tree, parents before children."""
    stack = [req]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(children_of(node)))


def referenced_achievements(req: Requirement) -> frozenset[str]:
    """Achievement ids the tree depends on: held ones and those named as credit sources."""
    found: set[str] = set()
    for node in iter_nodes(req):
        if isinstance(node, Holds):
            found.add(node.achievement)
        elif isinstance(node, Credits):
            for source in (node.source, *(cap.source for cap in node.caps)):
                if source.achievements:
                    found.update(source.achievements)
    return frozenset(found)


def referenced_assessments(req: Requirement) -> frozenset[str]:
    """Assessment and rubric ids whose results the tree reads: a learner's attempts at
    anything else cannot change its outcome (a bulk job need not make records of them)."""
    found: set[str] = set()
    for node in iter_nodes(req):
        if isinstance(node, AssessmentPassed):
            found.add(node.assessment)
        elif isinstance(node, RubricScored):
            found.add(node.rubric)
    return frozenset(found)


def assessment_readers(trees: Mapping[str, Requirement]) -> dict[str, frozenset[str]]:
    """For each assessment or rubric id, the keys of the trees that read its results
    (`referenced_assessments` inverted): what a job asking only about some of the trees needs
    to tell which attempts can matter."""
    readers: dict[str, set[str]] = {}
    for key, tree in trees.items():
        for read in referenced_assessments(tree):
            readers.setdefault(read, set()).add(key)
    return {read: frozenset(keys) for read, keys in readers.items()}
