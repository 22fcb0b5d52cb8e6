"""A requirement tree as a reader sees it: nested items of plain sentences.

The catalog's YAML is exact but terse; a learner or employer wants "any 2 of these 3 stacks"
and "pass the GCP exam, proctored, identity verified". The node kinds and short names come
from ``service.explain`` so the page says what the CLI and API say.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from credstack.domain.quantities import show as _num
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
    SourceFilter,
    children_of,
)

__all__ = ["AssessmentFacts", "RequirementNode", "requirement_view"]


@dataclass(frozen=True)
class AssessmentFacts:
    """What the catalog says about an assessment: its title and its cut score, as text."""

    title: str
    cut_score: str | None = None


@dataclass(frozen=True)
class RequirementNode:
    kind: str
    text: str
    details: tuple[str, ...] = ()
    """Rigor and conditions: proctored, identity verified, minimum grade, caps."""
    link: str | None = None
    ordered: bool = False
    children: tuple[RequirementNode, ...] = field(default=())


def _source(source: SourceFilter, names: _Names) -> str | None:
    parts: list[str] = []
    if source.types:
        parts.append("of type " + ", ".join(sorted(source.types)))
    if source.issuers:
        parts.append("from " + ", ".join(sorted(names.party(k) for k in source.issuers)))
    if source.achievements:
        parts.append("from " + ", ".join(sorted(names.achievement(k) for k in source.achievements)))
    if source.courses:
        parts.append("courses " + ", ".join(sorted(source.courses)))
    return " ".join(parts) or None


def _window(req: Holds | Credits | ContinuingEducation) -> list[str]:
    return [f"within {req.within}"] if req.within is not None else []


@dataclass(frozen=True)
class _Names:
    """People read names: an achievement's, an issuer's or partner's, never their ids."""

    achievement: Callable[[str], str]
    party: Callable[[str], str]


def _leaf(
    req: Requirement,
    names: _Names,
    assessments: Mapping[str, AssessmentFacts],
) -> tuple[str, list[str]]:
    """(sentence, details) for one node."""
    name_of = names.achievement
    if isinstance(req, Holds):
        details = [f"grade {req.min_grade} or better"] if req.min_grade else []
        if req.min_score is not None:
            details.append(f"score at least {_num(req.min_score)}")
        details += _window(req)
        if not req.valid:
            details.append("any award ever held counts")
        return f"Hold {name_of(req.achievement)}", details
    if isinstance(req, AssessmentPassed):
        details = ["proctored" if req.proctored else "proctoring not required"]
        if req.identity_verified:
            details.append("identity verified")
        if req.min_score is not None:
            details.append(f"cut score {_num(req.min_score)}")
        elif req.min_percent is not None:
            details.append(f"cut score {_num(req.min_percent)}%")
        else:
            facts = assessments.get(req.assessment)
            cut = facts.cut_score if facts is not None else None
            details.append(f"cut score {cut}" if cut else "at the assessment's cut score")
        facts = assessments.get(req.assessment)
        return f"Pass {facts.title if facts else 'the assessment ' + req.assessment}", details
    if isinstance(req, RubricScored):
        details = [f"scored by a {req.reviewer_role}"] if req.reviewer_role else []
        return f"Score at least {_num(req.min_score)} on the rubric {req.rubric}", details
    if isinstance(req, Attested):
        where = f" in {req.program}" if req.program else ""
        subject = f" for {req.subject}" if req.subject else ""
        return f"Attested by a {req.role}{where}{subject}", []
    if isinstance(req, CourseCompleted):
        details = []
        if req.min_hours:
            details.append(f"at least {_num(req.min_hours)} hours")
        if req.providers:
            details.append("from " + ", ".join(sorted(names.party(k) for k in req.providers)))
        if req.min_grade:
            details.append(f"grade {req.min_grade} or better")
        return f"Complete the course {req.course or '(any approved course)'}", details
    if isinstance(req, Credits):
        details = [d for d in (_source(req.source, names),) if d]
        if req.min_grade:
            details.append(f"grade {req.min_grade} or better")
        details += _window(req)
        for cap in req.caps:
            what = cap.label or _source(cap.source, names) or "one source"
            details.append(f"at most {_num(cap.max)} {what.lower()}")
        return f"Earn {_num(req.required)} credits", details
    if isinstance(req, ContinuingEducation):
        details = [f"at least {_num(h)} in {c}" for c, h in req.minimums] + _window(req)
        return f"Earn {_num(req.total)} continuing-education hours", details
    if isinstance(req, Path):
        return "Follow this path, in order", []
    if isinstance(req, AllOf):
        return "All of these", []
    if isinstance(req, AnyOf):
        return "Any one of these routes", []
    if isinstance(req, NOf):
        return f"Any {req.n} of these {len(req.children)}", []
    raise TypeError(f"unknown requirement {type(req).__name__}")  # pragma: no cover


def requirement_view(
    req: Requirement,
    name_of: Callable[[str], str],
    link_of: Callable[[str], str | None],
    assessments: Mapping[str, AssessmentFacts] | None = None,
    party_name_of: Callable[[str], str] | None = None,
) -> RequirementNode:
    """``name_of`` and ``link_of`` turn an achievement id into its name and page address;
    ``assessments`` gives titles and cut scores of the assessments the tree names;
    ``party_name_of`` names the issuers and providers a credit rule or course names."""
    assessments = assessments or {}
    text, details = _leaf(req, _Names(name_of, party_name_of or str), assessments)
    label = req.label
    if isinstance(req, Holds):
        if label and label.casefold() != name_of(req.achievement).casefold():
            text = f"{text} ({label})"
    elif label:
        text = f"{label}: {text[0].lower()}{text[1:]}"
    return RequirementNode(
        kind=type(req).__name__,
        text=text,
        details=tuple(details),
        link=link_of(req.achievement) if isinstance(req, Holds) else None,
        ordered=isinstance(req, Path),
        children=tuple(
            requirement_view(c, name_of, link_of, assessments, party_name_of)
            for c in children_of(req)
        ),
    )
