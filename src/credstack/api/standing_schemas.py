"""What the standing and lifecycle endpoints take and send (kept apart from the routes).

The standing bodies are `service.explain`'s JSON, which `credstack ... --json` prints too, so
they are validated from it: optional parts (notes, a next step, contributions, children) are
left unset when absent, and the routes leave unset fields out, keeping the JSON the CLI's.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, Field

from credstack.service.learner_awards import AwardView

__all__ = [
    "AuditOut",
    "ClosureOut",
    "ComplianceOut",
    "DecisionIn",
    "DecisionOut",
    "GrantIn",
    "GrantedOut",
    "OutcomeOut",
    "ProgressOut",
    "ReinstateOut",
    "ReminderOut",
    "RevokeIn",
    "RevokeOut",
    "SuspendIn",
    "SuspendOut",
]

Number = int | float
"""An amount as `domain.quantities.json_number` writes it: whole amounts as integers."""


class RevokeIn(BaseModel):
    reason: str


class SuspendIn(BaseModel):
    """A suspension's or a reinstatement's reason: shown to the holder and to verifiers."""

    reason: str


class DecisionIn(BaseModel):
    decision: str
    reason: str


class RevokeOut(BaseModel):
    revoked: str
    flagged: list[str]


class SuspendOut(BaseModel):
    suspended: str
    flagged: list[str]
    """Awards that counted the suspended one, now waiting for the issuer's decision."""


class ReinstateOut(BaseModel):
    reinstated: str
    cleared: list[str]
    """Awards the suspension alone had flagged, whose flag is cleared: their support is whole."""


class DecisionOut(BaseModel):
    award: str
    decision: str
    status: str


class ProgressNumbersOut(BaseModel):
    done: Number
    needed: Number
    unit: str
    text: str


class ContributionOut(BaseModel):
    record: str
    source: str
    description: str
    amount: Number
    counted: Number
    category: str | None
    reason: str | None


class OutcomeOut(BaseModel):
    kind: str
    name: str
    met: bool
    progress: ProgressNumbersOut
    counted: list[str]
    reasons: list[str]
    notes: list[str] | None = None
    next_step: str | None = None
    contributions: list[ContributionOut] | None = None
    children: list[OutcomeOut] | None = None


class ProgressOut(BaseModel):
    learner: str
    issuer: str
    achievement: str
    as_of: str
    outcome: OutcomeOut


class CapOut(BaseModel):
    label: str
    max: Number
    used: Number


class AuditLineOut(BaseModel):
    record: str
    description: str
    credits: Number
    counted: Number
    reason: str | None


class AuditGroupOut(BaseModel):
    source: str
    description: str
    counted: Number
    offered: Number
    lines: list[AuditLineOut]


class AuditOut(BaseModel):
    required: Number
    total: Number
    met: bool
    caps: list[CapOut]
    groups: list[AuditGroupOut]
    other_requirements: list[str]


class CycleOut(BaseModel):
    start: str
    end: str


class CategoryOut(BaseModel):
    category: str
    hours: Number
    minimum: Number
    met: bool


class ActivityOut(BaseModel):
    record: str
    name: str
    hours: Number
    counted: Number
    category: str | None
    reason: str | None


class ComplianceOut(BaseModel):
    cycle: CycleOut
    as_of: str
    hours: Number
    required: Number
    compliant: bool
    short_by: Number
    hours_needed: Number
    days_left: int
    categories: list[CategoryOut]
    activities: list[ActivityOut]


class ReminderOut(BaseModel):
    learner: str
    achievement: str
    hours_needed: Number
    days_left: int
    cycle_end: str


class ClosureOut(BaseModel):
    award: str
    renewed: bool
    cycle: CycleOut
    hours: Number


class GrantIn(BaseModel):
    learner: str
    achievement: str
    awarded_on: date | None = Field(
        None, description="The award's day in the issuer's zone; not after today."
    )
    awarded_at: datetime | None = Field(
        None, description="Or its instant, with a UTC offset; not in the future. Default now."
    )
    grade: str | None = None
    score: Decimal | str | None = None


class GrantedOut(BaseModel):
    """The award recorded and the awards it completed (`AwardView` is the award's JSON)."""

    award: AwardView
    cascade: list[AwardView]
