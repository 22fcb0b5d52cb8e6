"""The catalog: what an issuer offers, as pure values.

An Achievement is the definition of a credential (the Open Badges 3.0 term); an Award is a
learner holding one; the signed document is a Credential. Definitions are immutable values so
that a version, once issued under, can be compared and stored by content.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from credstack.domain.durations import Duration
from credstack.domain.requirements import Requirement
from credstack.domain.taxonomy import AchievementType

__all__ = [
    "Achievement",
    "Catalog",
    "CeValue",
    "Competency",
    "Framework",
    "IssuerProfile",
    "Maintenance",
    "Partner",
    "ReviewStatus",
    "find_cycle",
]


class ReviewStatus(StrEnum):
    """Where an achievement version stands in quality review (story 09).

    String-valued so the stored column keeps its words; only a published version is issued.
    """

    DRAFT = "draft"
    IN_REVIEW = "in-review"
    APPROVED = "approved"
    PUBLISHED = "published"
    RETIRED = "retired"


@dataclass(frozen=True)
class Competency:
    key: str
    name: str
    description: str = ""
    code: str | None = None


@dataclass(frozen=True)
class Framework:
    key: str
    name: str
    url: str | None = None
    version: str | None = None
    competencies: tuple[Competency, ...] = ()

    def competency(self, key: str) -> Competency | None:
        return next((c for c in self.competencies if c.key == key), None)


@dataclass(frozen=True)
class CeValue:
    hours: Decimal
    category: str


@dataclass(frozen=True)
class IssuerProfile:
    key: str
    name: str
    kind: str
    url: str | None = None
    email: str | None = None
    timezone: str = "UTC"


@dataclass(frozen=True)
class Partner:
    """Another institution whose credentials this issuer may recognise (articulation)."""

    key: str
    name: str
    url: str | None = None


@dataclass(frozen=True)
class Maintenance:
    """How a time-limited certification is kept: a cycle and what must be earned within it."""

    cycle: Duration
    requirement: Requirement
    reminder_days: int = 180


@dataclass(frozen=True)
class Achievement:
    key: str
    type: AchievementType
    name: str
    description: str
    criteria: str
    alignments: tuple[str, ...] = ()
    credits: Decimal | None = None
    ce: CeValue | None = None
    designation: str | None = None
    validity: Duration | None = None
    image: str | None = None
    tags: tuple[str, ...] = ()
    requirements: Requirement | None = None
    maintenance: Maintenance | None = None
    definition: Mapping[str, object] = field(default_factory=dict, compare=False)
    """The author's definition as plain data: what is versioned and stored."""


@dataclass(frozen=True)
class Catalog:
    format_version: int
    issuer: IssuerProfile | None
    partners: tuple[Partner, ...]
    frameworks: tuple[Framework, ...]
    achievements: tuple[Achievement, ...]
    assessments: tuple[Mapping[str, object], ...] = ()

    def achievement(self, key: str) -> Achievement | None:
        return next((a for a in self.achievements if a.key == key), None)


def find_cycle(edges: Mapping[str, Iterable[str]]) -> list[str] | None:
    """A cycle in the 'requires' graph as a path [a, b, ..., a], or None.

    Iterative depth-first search with colours, so deep catalogs cannot hit the recursion limit.
    """
    white, grey, black = 0, 1, 2
    colour = dict.fromkeys(edges, white)
    for root in sorted(edges):
        if colour[root] != white:
            continue
        stack: list[tuple[str, list[str]]] = [(root, sorted(edges.get(root, ())))]
        trail = [root]
        colour[root] = grey
        while stack:
            node, pending = stack[-1]
            if not pending:
                colour[node] = black
                stack.pop()
                trail.pop()
                continue
            nxt = pending.pop(0)
            state = colour.get(nxt, black)
            if state == grey:
                return [*trail[trail.index(nxt) :], nxt]
            if state == white:
                colour[nxt] = grey
                trail.append(nxt)
                stack.append((nxt, sorted(edges.get(nxt, ()))))
    return None
