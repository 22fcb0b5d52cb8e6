"""The degree audit: a registrar's view of how credits were counted toward a requirement.

It reads the evaluator's explanation rather than recomputing anything, so the audit can never
disagree with the decision: credits are grouped by the record they came through (each
certificate, or a course on its own), every line that did not count says why, and each cap
shows how much of it was used.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from credstack.domain.credits import describe_record, matches
from credstack.domain.outcome import Contribution, Outcome
from credstack.domain.quantities import ZERO, exact
from credstack.domain.quantities import show as _num
from credstack.domain.records import Award, CourseCompletion, Record
from credstack.domain.requirements import Credits

__all__ = ["AuditGroup", "CapUsage", "DegreeAudit", "degree_audit", "render_audit"]


@dataclass(frozen=True, slots=True)
class AuditGroup:
    """Credits that came through one source (a certificate, or a course on its own)."""

    source_id: str
    description: str
    lines: tuple[Contribution, ...]

    @property
    def counted(self) -> Decimal:
        return sum((line.counted for line in self.lines), ZERO)

    @property
    def offered(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)


@dataclass(frozen=True, slots=True)
class CapUsage:
    label: str
    max: Decimal
    used: Decimal


@dataclass(frozen=True, slots=True)
class DegreeAudit:
    required: Decimal
    total: Decimal
    met: bool
    groups: tuple[AuditGroup, ...]
    caps: tuple[CapUsage, ...]
    other_requirements: tuple[str, ...]
    """Reasons from the rest of the tree (a missing capstone, say), in tree order."""

    @property
    def not_counted(self) -> tuple[Contribution, ...]:
        return tuple(line for g in self.groups for line in g.lines if line.reason)

    def group(self, source_id: str) -> AuditGroup:
        return next(g for g in self.groups if g.source_id == source_id)


def degree_audit(outcome: Outcome, records: Sequence[Record]) -> DegreeAudit:
    """Build the audit from an outcome whose tree contains exactly one ``Credits`` node."""
    pools = [(o, o.requirement) for o in outcome.walk() if isinstance(o.requirement, Credits)]
    if len(pools) != 1:
        raise ValueError(f"a degree audit needs one credits requirement, found {len(pools)}")
    pool, req = pools[0]
    by_id = {r.id: r for r in records}
    order: dict[str, list[Contribution]] = {}
    for line in pool.contributions:
        order.setdefault(line.source_id, []).append(line)
    groups = []
    for source_id, lines in order.items():
        source = by_id.get(source_id)
        name = (
            describe_record(source)
            if isinstance(source, Award | CourseCompletion)
            else lines[0].description
        )
        groups.append(AuditGroup(source_id, name, tuple(lines)))
    caps = []
    for cap in req.caps:
        used = ZERO
        for g in groups:
            source = by_id.get(g.source_id)
            if isinstance(source, Award | CourseCompletion) and matches(source, cap.source):
                used += g.counted
        caps.append(CapUsage(cap.label or "cap", cap.max, used))
    others = tuple(
        reason for o in outcome.walk() if o is not pool and not o.met for reason in o.reasons
    )
    return DegreeAudit(
        req.required, exact(pool.progress.done), outcome.met, tuple(groups), tuple(caps), others
    )


def render_audit(audit: DegreeAudit, name: Callable[[str], str] | None = None) -> str:
    """Plain-text audit, one line per course, as a registrar would print it.

    ``name`` puts people's names into sentences that carry catalog ids (a record without a
    title, a reason from the rest of the tree); the identity when not given."""
    say = name or (lambda text: text)
    out = [
        f"Credits: {_num(audit.total)} of {_num(audit.required)} required"
        f" — {'complete' if audit.met else 'incomplete'}"
    ]
    out.extend(
        f"Cap: {c.label}: {_num(c.used)} of at most {_num(c.max)} credits used" for c in audit.caps
    )
    for g in audit.groups:
        out.append(f"{say(g.description)}: {_num(g.counted)} of {_num(g.offered)} credits counted")
        for line in g.lines:
            if line.record_id != g.source_id or line.reason:
                status = f"not counted: {say(line.reason)}" if line.reason else "counted"
                out.append(f"  - {say(line.description)}: {_num(line.amount)} credits, {status}")
    out.extend(f"Also required: {say(reason)}" for reason in audit.other_requirements)
    return "\n".join(out)
