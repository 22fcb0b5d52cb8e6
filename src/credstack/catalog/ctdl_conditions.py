"""Requirement trees as CTDL `ceterms:ConditionProfile`s: exact where CTDL can say it.

A ConditionProfile reads as a conjunction: every ``targetCredential`` / ``targetAssessment`` /
``targetLearningOpportunity`` / ``targetCompetency``, every ``condition`` statement and every
``creditValue`` in it is required. ``ceterms:alternativeCondition`` adds a disjunction: "more
than one alternative condition or path has been defined and from which any one path fulfills
the parent condition". So a profile is *(everything in it) and (one of its alternatives)*, and
that is the normal form every tree is rewritten into:

* a leaf (holds, an assessment, credits, CE hours, an attestation, a course) is a profile with
  one target, value or statement;
* ``any`` is a profile whose alternatives are its children;
* ``all`` and ``path`` conjoin their children: targets and statements are pooled, and two
  groups of alternatives multiply out (a and (b or c) and (d or e) has four alternatives);
* ``n-of`` ("any 2 of 3") is CTDL's own way of saying it: one alternative per combination of
  n children, each the conjunction of those children (1 of m is simply "any", m of m "all").

Multiplying out is bounded by ``MAX_ALTERNATIVES``; past it (no example catalog comes near) the
group is kept as statements only, saying in words what must be met, so nothing is ever claimed
that the catalog does not require. Labels and every qualifier CTDL has no property for (minimum
grades, look-back windows, proctoring, caps) are kept as ``ceterms:condition`` statements.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from itertools import combinations, product
from math import comb
from typing import Any

from credstack.domain.quantities import json_number, show
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
)

__all__ = ["MAX_ALTERNATIVES", "Targets", "condition_profile", "credit_value", "lang"]

MAX_ALTERNATIVES = 64
LANGUAGE = "en-US"


def lang(text: str) -> dict[str, str]:
    """A CTDL language map: the context types every text property as ``@container: @language``."""
    return {LANGUAGE: text}


@dataclass(frozen=True)
class Targets:
    """How the tree's keys become the IRIs of nodes in the same document."""

    credential: Mapping[str, str]
    """Achievement key -> IRI, for achievements exported as credentials."""
    learning: Mapping[str, str]
    """Achievement key -> IRI, for courses and CE activities (learning opportunities)."""
    assessment: Mapping[str, str]
    names: Mapping[str, str]
    """Achievement and assessment key -> display name, for the statements."""


@dataclass
class _Profile:
    """One ConditionProfile before rendering: a conjunction plus an optional disjunction."""

    name: str | None = None
    description: str | None = None
    conditions: list[str] = field(default_factory=list)
    credentials: list[str] = field(default_factory=list)
    learning: list[str] = field(default_factory=list)
    assessments: list[str] = field(default_factory=list)
    credit_values: list[dict[str, Any]] = field(default_factory=list)
    alternatives: list[_Profile] | None = None


def _pooled(first: list[Any], second: list[Any]) -> list[Any]:
    return first + [item for item in second if item not in first]


def _conjoin(left: _Profile, right: _Profile) -> _Profile | None:
    """Both profiles at once; None when their alternatives multiply past the bound."""
    alternatives = left.alternatives
    if right.alternatives is not None:
        if alternatives is None:
            alternatives = right.alternatives
        elif len(alternatives) * len(right.alternatives) > MAX_ALTERNATIVES:
            return None
        else:
            pairs = [_conjoin(a, b) for a, b in product(alternatives, right.alternatives)]
            if any(p is None for p in pairs):
                return None
            alternatives = [p for p in pairs if p is not None]
    named = right.alternatives is not None and right.name and right.description
    statement = [f"{right.name}: {right.description}"] if named else []
    return replace(
        left,
        conditions=_pooled(left.conditions, statement + right.conditions),
        credentials=_pooled(left.credentials, right.credentials),
        learning=_pooled(left.learning, right.learning),
        assessments=_pooled(left.assessments, right.assessments),
        credit_values=left.credit_values + right.credit_values,
        alternatives=alternatives,
    )


def _all(
    children: list[_Profile], name: str | None, description: str, words: list[str]
) -> _Profile:
    result = _Profile(name=name, description=description)
    for child, text in zip(children, words, strict=True):
        joined = _conjoin(result, child)
        if joined is None:  # too many paths to spell out: say it in words instead
            result.conditions.append(f"Also required: {text}")
        else:
            result = joined
    return result


class _Builder:
    def __init__(self, targets: Targets) -> None:
        self.targets = targets

    def name(self, key: str) -> str:
        return self.targets.names.get(key, key)

    def words(self, node: Requirement) -> str:
        """One line saying what the node asks, for statements and descriptions."""
        if isinstance(node, AllOf | Path):
            inner = "; ".join(self.words(c) for c in self._children(node))
            return node.label or f"all of ({inner})"
        if isinstance(node, AnyOf):
            return node.label or f"any one of ({'; '.join(self.words(c) for c in node.children)})"
        if isinstance(node, NOf):
            inner = "; ".join(self.words(c) for c in node.children)
            return node.label or f"at least {node.n} of ({inner})"
        return self._leaf_text(node)

    @staticmethod
    def _children(node: AllOf | Path) -> tuple[Requirement, ...]:
        return node.children if isinstance(node, AllOf) else node.steps

    def profile(self, node: Requirement) -> _Profile:
        if isinstance(node, AllOf | Path):
            children = self._children(node)
            ordered = isinstance(node, Path)
            description = (
                f"All {len(children)} of the following, in this suggested order."
                if ordered
                else f"All {len(children)} of the following."
            )
            return _all(
                [self.profile(c) for c in children],
                node.label,
                description,
                [self.words(c) for c in children],
            )
        if isinstance(node, AnyOf):
            return self._choose(node.children, 1, node.label)
        if isinstance(node, NOf):
            if node.n >= len(node.children):
                return _all(
                    [self.profile(c) for c in node.children],
                    node.label,
                    f"All {len(node.children)} of the following.",
                    [self.words(c) for c in node.children],
                )
            chosen = self._choose(node.children, node.n, node.label)
            if node.reuse.value == "once":
                chosen.conditions.append(
                    "A record counts toward one of the chosen requirements only."
                )
            return chosen
        return self._leaf(node)

    def _choose(self, children: tuple[Requirement, ...], n: int, label: str | None) -> _Profile:
        m = len(children)
        description = (
            f"Any one of the following {m}."
            if n == 1
            else f"At least {n} of the following {m}; each combination is one alternative."
        )
        parts = [self.profile(c) for c in children]
        words = [self.words(c) for c in children]
        if comb(m, n) > MAX_ALTERNATIVES:
            return _Profile(
                name=label,
                description=f"At least {n} of the following {m}.",
                conditions=words,
            )
        alternatives: list[_Profile] = []
        for picked in combinations(range(m), n):
            option = _all(
                [parts[i] for i in picked],
                " + ".join(_short(words[i]) for i in picked),
                "All of: " + "; ".join(words[i] for i in picked) + ".",
                [words[i] for i in picked],
            )
            alternatives.append(option)
        return _Profile(name=label, description=description, alternatives=alternatives)

    def _leaf(self, node: Requirement) -> _Profile:
        text = self._leaf_text(node)
        profile = _Profile(name=getattr(node, "label", None), description=text + ".")
        # One statement per leaf, qualifiers included, so pooled statements stay attributable.
        profile.conditions = ["; ".join([text, *self._qualifiers(node)]) + "."]
        if isinstance(node, Holds):
            if node.achievement in self.targets.learning:
                profile.learning.append(self.targets.learning[node.achievement])
            elif node.achievement in self.targets.credential:
                profile.credentials.append(self.targets.credential[node.achievement])
        elif isinstance(node, AssessmentPassed | RubricScored):
            key = node.assessment if isinstance(node, AssessmentPassed) else node.rubric
            if key in self.targets.assessment:
                profile.assessments.append(self.targets.assessment[key])
        elif isinstance(node, Credits):
            profile.credit_values.append(credit_value(node.required, "creditUnit:DegreeCredit"))
            for key in sorted(node.source.achievements or ()):
                self._add_source(profile, key)
        elif isinstance(node, ContinuingEducation):
            profile.credit_values.append(credit_value(node.total, "creditUnit:ContactHour"))
        return profile

    def _add_source(self, profile: _Profile, key: str) -> None:
        if key in self.targets.learning:
            profile.learning.append(self.targets.learning[key])
        elif key in self.targets.credential:
            profile.credentials.append(self.targets.credential[key])

    def _leaf_text(self, node: Requirement) -> str:
        describe: dict[type, Callable[[Any], str]] = {
            Holds: lambda n: f"Hold {self.name(n.achievement)}",
            AssessmentPassed: lambda n: f"Pass {self.name(n.assessment)}",
            RubricScored: lambda n: (
                f"Score at least {show(n.min_score)} on the {self.name(n.rubric)} rubric"
            ),
            Credits: lambda n: f"Earn {show(n.required)} credits{_source_words(n.source)}",
            ContinuingEducation: lambda n: f"Earn {show(n.total)} continuing-education hours",
            Attested: lambda n: (
                f"An attestation by a {n.role}"
                + (f" that the learner can {n.subject}" if n.subject else "")
                + (f" in {n.program}" if n.program else "")
            ),
            CourseCompleted: lambda n: (
                f"Complete {'course ' + n.course if n.course else 'a course'}"
                + (f" of at least {show(n.min_hours)} hours" if n.min_hours else "")
                + (f" from {', '.join(sorted(n.providers))}" if n.providers else "")
            ),
        }
        text = describe[type(node)](node)
        label = getattr(node, "label", None)
        return f"{label}: {text}" if label else text

    @staticmethod
    def _qualifiers(node: Requirement) -> list[str]:
        found: list[str] = []
        grade = getattr(node, "min_grade", None)
        if grade:
            found.append(f"minimum grade {grade}")
        within = getattr(node, "within", None)
        if within is not None:
            found.append(f"earned within the last {within}")
        if isinstance(node, Holds):
            if node.min_score is not None:
                found.append(f"minimum score {show(node.min_score)}")
            if not node.valid:
                found.append("any award ever issued counts, even if it has expired")
        if isinstance(node, AssessmentPassed):
            if node.proctored:
                found.append("the attempt must be proctored")
            if node.identity_verified:
                found.append("the candidate's identity must be verified")
            if node.min_score is not None:
                found.append(f"minimum score {show(node.min_score)}")
            if node.min_percent is not None:
                found.append(f"minimum score {show(node.min_percent)}%")
        if isinstance(node, RubricScored) and node.reviewer_role:
            found.append(f"scored by a {node.reviewer_role}")
        if isinstance(node, Credits):
            for cap in node.caps:
                found.append(
                    f"at most {show(cap.max)} credits{_source_words(cap.source)}"
                    + (f" ({cap.label})" if cap.label else "")
                )
        if isinstance(node, ContinuingEducation):
            for category, hours in node.minimums:
                found.append(f"at least {show(hours)} hours in {category}")
        return found


def _source_words(source: SourceFilter) -> str:
    parts: list[str] = []
    if source.types:
        parts.append("of type " + " or ".join(sorted(source.types)))
    if source.issuers:
        parts.append("from " + " or ".join(sorted(source.issuers)))
    if source.achievements:
        parts.append("from " + ", ".join(sorted(source.achievements)))
    if source.courses:
        parts.append("from courses " + ", ".join(sorted(source.courses)))
    return (" " + ", ".join(parts)) if parts else ""


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


_UNIT_NAMES = {"creditUnit:DegreeCredit": "Degree Credit", "creditUnit:ContactHour": "Contact Hour"}


def credit_value(amount: object, unit: str) -> dict[str, Any]:
    """A ``ceterms:ValueProfile``: an amount of credit in one of CTDL's credit units."""
    value = json_number(amount) if isinstance(amount, Decimal | int) else amount
    return {
        "@type": "ceterms:ValueProfile",
        "schema:value": value,
        "ceterms:creditUnitType": [unit],  # its range is the concept itself (skos:Concept)
        "schema:description": lang(_UNIT_NAMES.get(unit, unit.partition(":")[2])),
    }


def _render(profile: _Profile, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"@type": "ceterms:ConditionProfile"}
    if profile.name:
        out["ceterms:name"] = lang(profile.name)
    out["ceterms:description"] = lang(profile.description or "Requirements.")
    if profile.conditions:
        out["ceterms:condition"] = {LANGUAGE: profile.conditions}
    if profile.credentials:
        out["ceterms:targetCredential"] = profile.credentials
    if profile.learning:
        out["ceterms:targetLearningOpportunity"] = profile.learning
    if profile.assessments:
        out["ceterms:targetAssessment"] = profile.assessments
    if profile.credit_values:
        out["ceterms:creditValue"] = profile.credit_values
    for key, value in (extra or {}).items():
        out[key] = value
    if profile.alternatives:
        out["ceterms:alternativeCondition"] = [_render(a) for a in profile.alternatives]
    return out


def condition_profile(
    node: Requirement,
    targets: Targets,
    *,
    description: str | None = None,
    competencies: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The ConditionProfile that says what `node` requires (the root of an achievement's tree).

    ``competencies`` (alignment objects) are what meeting the requirements demonstrates; CTDL
    carries them on the same profile as ``targetCompetency``.
    """
    profile = _Builder(targets).profile(node)
    if description:
        profile.description = description
    extra = {"ceterms:targetCompetency": competencies} if competencies else None
    return _render(profile, extra)
