"""A learner's standing toward one achievement: progress, the degree audit, the CE report.

The use cases the CLI, the API and the pages call with a `Question` of plain ids and an
`Actor`; each reads in its own read-only unit of work and returns frozen values, so the three
can never disagree and a read never writes. Staff need a role at the issuer and see only
learners it knows (`service.visibility`); the operator sees everyone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from credstack.domain.audit import DegreeAudit
from credstack.domain.ce import ComplianceReport
from credstack.domain.outcome import Outcome
from credstack.service import ce, clock, engine
from credstack.service.actor import Actor, authorise
from credstack.service.explain import Names, outcome_json
from credstack.service.lookup import find_achievement
from credstack.service.people import ROLES
from credstack.service.runtime import Runtime
from credstack.service.visibility import visible_learner
from credstack.store.models import IssuerRow, LearnerRow
from credstack.store.uow import UnitOfWork

__all__ = [
    "AuditResult",
    "CeStanding",
    "Progress",
    "Question",
    "Where",
    "ce_report",
    "degree_audit",
    "progress",
    "progress_json",
]

_T = TypeVar("_T")


@dataclass(frozen=True)
class Question:
    """Whose standing toward what, on which day, as the caller asked it."""

    learner: str
    """A learner's key or public id."""
    achievement: str
    """An achievement id (`issuer:id`, or an id only one issuer has, when `issuer` is None)."""
    issuer: str | None = None
    as_of: date | None = None
    """Default today in the issuer's zone."""
    as_of_name: str = "as_of"
    """How the caller named the day, for the message refusing a bad one (`--as-of`)."""


@dataclass(frozen=True)
class Where:
    """The question resolved: the issuer, the achievement and the day, by their ids."""

    learner: str
    """The learner as the caller named them."""
    issuer: str
    achievement: str
    as_of: date


@dataclass(frozen=True)
class _Resolved:
    where: Where
    learner: LearnerRow
    issuer: IssuerRow


def _answer(
    runtime: Runtime,
    actor: Actor,
    asked: Question,
    compute: Callable[[UnitOfWork, _Resolved], _T],
) -> _T:
    """Resolve and authorise the question in a read-only unit of work, then `compute`."""
    with runtime.uow(write=False) as uow:
        # Asked at a named issuer, the actor is checked before anything is looked up there;
        # otherwise at the issuer the achievement turns out to belong to.
        if asked.issuer is not None:
            authorise(actor, asked.issuer, *ROLES)
        issuer, key = find_achievement(uow, asked.achievement, asked.issuer)
        if asked.issuer is None:
            authorise(actor, issuer.key, *ROLES)
        # A bad date is refused before the learner is looked up: it says nothing about them.
        on = clock.as_of(asked.as_of, issuer, asked.as_of_name)
        learner = visible_learner(uow, actor, asked.learner)
        where = Where(asked.learner, issuer.key, key, on)
        return compute(uow, _Resolved(where, learner, issuer))


def _facts(found: _Resolved) -> dict[str, Any]:
    """The engine's arguments for the resolved question."""
    return {
        "learner": found.learner,
        "issuer": found.issuer,
        "achievement_key": found.where.achievement,
        "as_of": found.where.as_of,
    }


@dataclass(frozen=True)
class Progress:
    where: Where
    outcome: Outcome
    names: Names
    """The catalog's names for its ids, for text meant for people."""


def progress(runtime: Runtime, actor: Actor, asked: Question) -> Progress:
    """What is met, what is missing and why, for one learner and one achievement."""

    def compute(uow: UnitOfWork, found: _Resolved) -> Progress:
        outcome = engine.progress(uow, **_facts(found))
        return Progress(found.where, outcome, engine.catalog_names(uow, found.issuer))

    return _answer(runtime, actor, asked, compute)


def progress_json(found: Progress) -> dict[str, Any]:
    """The JSON `credstack progress --json` prints and the API sends."""
    return {
        "learner": found.where.learner,
        "issuer": found.where.issuer,
        "achievement": found.where.achievement,
        "as_of": found.where.as_of.isoformat(),
        "outcome": outcome_json(found.outcome),
    }


@dataclass(frozen=True)
class AuditResult:
    where: Where
    audit: DegreeAudit
    names: Names


def degree_audit(runtime: Runtime, actor: Actor, asked: Question) -> AuditResult:
    """Which credits came from where toward a degree, which did not count and why."""

    def compute(uow: UnitOfWork, found: _Resolved) -> AuditResult:
        _outcome, result = engine.audit(uow, **_facts(found))
        return AuditResult(found.where, result, engine.catalog_names(uow, found.issuer))

    return _answer(runtime, actor, asked, compute)


@dataclass(frozen=True)
class CeStanding:
    where: Where
    report: ComplianceReport


def ce_report(runtime: Runtime, actor: Actor, asked: Question) -> CeStanding:
    """Counted CE hours per category, how short, and the days left in the current cycle."""

    def compute(uow: UnitOfWork, found: _Resolved) -> CeStanding:
        return CeStanding(found.where, ce.report_for(uow, **_facts(found)))

    return _answer(runtime, actor, asked, compute)
