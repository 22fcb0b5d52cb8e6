"""Outcomes and reports as JSON and as plain text: what the CLI, the API and pages show.

One rendering for all three, so the progress page, `credstack progress --json` and
`GET /api/v1/.../progress` can never tell a learner different things.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from credstack.domain.audit import DegreeAudit
from credstack.domain.ce import ComplianceReport
from credstack.domain.outcome import Outcome
from credstack.domain.quantities import json_number as _num
from credstack.domain.quantities import show
from credstack.domain.requirements import (
    AllOf,
    AnyOf,
    AssessmentPassed,
    Attested,
    ContinuingEducation,
    CourseCompleted,
    Credits,
    Holds,
    NOf,
    Path,
    Requirement,
    RubricScored,
)

__all__ = [
    "Names",
    "audit_json",
    "compliance_json",
    "compliance_text",
    "outcome_json",
    "outcome_text",
]


@dataclass(frozen=True)
class Names:
    """The names people read for the ids a catalog uses (achievements, assessments).

    Text output is for people: "Spreadsheets Fundamentals: not yet earned", never
    "spreadsheets-fundamentals: not yet earned". Ids stay in ``--json`` and the API, which
    programs read. The evaluator's reasons are sentences made where the ids are known, so the
    names are put in when the sentence is shown, by replacing each whole id.
    """

    by_id: Mapping[str, str] = field(default_factory=dict)

    def of(self, key: str) -> str:
        return self.by_id.get(key, key)

    @cached_property
    def _ids(self) -> re.Pattern[str] | None:
        if not self.by_id:
            return None
        keys = sorted(self.by_id, key=len, reverse=True)  # "ccrp-oncology" before "ccrp"
        return re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, keys)) + r")(?![\w-])")

    def text(self, sentence: str) -> str:
        """The sentence with every id in it replaced by its name."""
        ids = self._ids
        return sentence if ids is None else ids.sub(lambda m: self.by_id[m.group(0)], sentence)


def _describe(req: Requirement) -> tuple[str, str]:
    """(kind, a short name) of a node, for people who did not write the catalog."""
    label = getattr(req, "label", None)
    if isinstance(req, Holds):
        return "holds", label or req.achievement
    if isinstance(req, Path):
        return "path", label or "learning path"
    if isinstance(req, AllOf):
        return "all", label or "all of"
    if isinstance(req, AnyOf):
        return "any", label or "any of"
    if isinstance(req, NOf):
        return "n_of", label or f"any {req.n} of {len(req.children)}"
    if isinstance(req, AssessmentPassed):
        return "assessment", label or f"pass {req.assessment}"
    if isinstance(req, RubricScored):
        return "rubric", label or f"{req.rubric} scored at least {show(req.min_score)}"
    if isinstance(req, Attested):
        return "attestation", label or f"attested by a {req.role}"
    if isinstance(req, CourseCompleted):
        return "course", label or "course completion"
    if isinstance(req, Credits):
        return "credits", label or f"{show(req.required)} credits"
    if isinstance(req, ContinuingEducation):
        return "ce", label or f"{show(req.total)} CE hours"
    return type(req).__name__.lower(), label or type(req).__name__  # pragma: no cover


def outcome_json(outcome: Outcome) -> dict[str, Any]:
    kind, name = _describe(outcome.requirement)
    data: dict[str, Any] = {
        "kind": kind,
        "name": name,
        "met": outcome.met,
        "progress": {
            "done": _num(outcome.progress.done),
            "needed": _num(outcome.progress.needed),
            "unit": outcome.progress.unit,
            "text": str(outcome.progress),
        },
        "counted": list(outcome.counted),
        "reasons": list(outcome.reasons),
    }
    if outcome.notes:
        data["notes"] = list(outcome.notes)
    if outcome.next_step is not None:
        data["next_step"] = _describe(outcome.children[outcome.next_step].requirement)[1]
    if outcome.contributions:
        data["contributions"] = [
            {
                "record": c.record_id,
                "source": c.source_id,
                "description": c.description,
                "amount": _num(c.amount),
                "counted": _num(c.counted),
                "category": c.category,
                "reason": c.reason,
            }
            for c in outcome.contributions
        ]
    if outcome.children:
        data["children"] = [outcome_json(child) for child in outcome.children]
    return data


def outcome_text(outcome: Outcome, indent: int = 0, names: Names | None = None) -> str:
    """The outcome as indented lines for a person: names, not ids (see ``Names``)."""
    names = names or Names()
    kind, name = _describe(outcome.requirement)
    if isinstance(outcome.requirement, Holds) and not outcome.requirement.label:
        name = names.of(outcome.requirement.achievement)
    mark = "met" if outcome.met else "not met"
    lines = [f"{'  ' * indent}{names.text(name)}: {mark} ({outcome.progress})"]
    if outcome.next_step is not None:
        step = outcome.children[outcome.next_step].requirement
        said = _describe(step)[1]
        if isinstance(step, Holds) and not step.label:
            said = names.of(step.achievement)
        lines.append(f"{'  ' * (indent + 1)}next step: {names.text(said)}")
    lines.extend(f"{'  ' * (indent + 1)}- {names.text(reason)}" for reason in outcome.reasons)
    lines.extend(f"{'  ' * (indent + 1)}note: {names.text(note)}" for note in outcome.notes)
    if kind not in ("holds", "assessment", "rubric", "attestation", "course"):
        lines.extend(outcome_text(child, indent + 1, names) for child in outcome.children)
    return "\n".join(lines)


def compliance_json(report: ComplianceReport) -> dict[str, Any]:
    return {
        "cycle": {"start": report.cycle.start.isoformat(), "end": report.cycle.end.isoformat()},
        "as_of": report.as_of.isoformat(),
        "hours": _num(report.hours),
        "required": _num(report.required),
        "compliant": report.compliant,
        "short_by": _num(report.short_by),
        "hours_needed": _num(report.hours_needed),
        "days_left": report.days_left,
        "categories": [
            {
                "category": c.category,
                "hours": _num(c.hours),
                "minimum": _num(c.minimum),
                "met": c.met,
            }
            for c in report.categories
        ],
        "activities": [
            {
                "record": c.record_id,
                "name": c.description,
                "hours": _num(c.amount),
                "counted": _num(c.counted),
                "category": c.category,
                "reason": c.reason,
            }
            for c in report.contributions
        ],
    }


def compliance_text(report: ComplianceReport) -> str:
    lines = [
        f"cycle {report.cycle.start.isoformat()} to {report.cycle.end.isoformat()}, "
        f"as of {report.as_of.isoformat()}",
        f"{show(report.hours)} of {show(report.required)} hours"
        + ("; compliant" if report.compliant else f"; short by {show(report.short_by)} hours"),
    ]
    for c in report.categories:
        state = "met" if c.met else "not met"
        lines.append(f"{c.category}: {state} ({show(c.hours)} of {show(c.minimum)})")
    lines.append(
        f"{report.days_left} days until the last day of the cycle, {report.cycle.end.isoformat()}"
    )
    return "\n".join(lines)


def audit_json(audit: DegreeAudit) -> dict[str, Any]:
    return {
        "required": _num(audit.required),
        "total": _num(audit.total),
        "met": audit.met,
        "caps": [{"label": c.label, "max": _num(c.max), "used": _num(c.used)} for c in audit.caps],
        "groups": [
            {
                "source": g.source_id,
                "description": g.description,
                "counted": _num(g.counted),
                "offered": _num(g.offered),
                "lines": [
                    {
                        "record": line.record_id,
                        "description": line.description,
                        "credits": _num(line.amount),
                        "counted": _num(line.counted),
                        "reason": line.reason,
                    }
                    for line in g.lines
                ],
            }
            for g in audit.groups
        ],
        "other_requirements": list(audit.other_requirements),
    }
