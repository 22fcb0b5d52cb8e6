"""A stored achievement version as the typed `domain.catalog.Achievement`, decoded once.

The catalog parser builds typed achievements, and the store keeps the author's definition as
written (it is what is versioned, hashed and shown for provenance). Services read that stored
text only through `achievement_of`, which decodes it by the catalog's own rules and caches the
result by content hash: a version never changes, so its decoded value never goes stale, and
equal definitions (even at different issuers) share one value.

The cache is the runtime's `store.decoded.DecodedCatalog`, reached through the unit of work,
so two runtimes (or two tests) never share one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from credstack.domain.catalog import Achievement, Competency, Framework
from credstack.store.models import AchievementVersionRow, AssessmentVersionRow, IssuerRow
from credstack.store.uow import UnitOfWork
from credstack.vc.model import AlignmentInfo

__all__ = [
    "AssessmentFacts",
    "ResolvedAlignment",
    "achievement_of",
    "alignment_info",
    "assessment_facts",
    "resolve_alignments",
]


def achievement_of(uow: UnitOfWork, version: AchievementVersionRow) -> Achievement:
    """The typed achievement a stored version defines: the one way services read it, decoded
    once per runtime (see `store.decoded`)."""
    return uow.decoded.achievement(version)


@dataclass(frozen=True)
class ResolvedAlignment:
    """One `framework/competency` reference of an achievement, with what the issuer's
    frameworks say about each half (None where the issuer does not define it)."""

    ref: str
    framework: Framework | None
    competency: Competency | None

    @property
    def framework_key(self) -> str:
        return self.ref.partition("/")[0]

    @property
    def competency_key(self) -> str:
        return self.ref.partition("/")[2]


def resolve_alignments(
    uow: UnitOfWork, issuer: IssuerRow, achievement: Achievement
) -> tuple[ResolvedAlignment, ...]:
    """The achievement's alignments against the issuer's stored frameworks, in its order."""
    if not achievement.alignments:
        return ()
    frameworks = {f.key: f for f in uow.issuers.frameworks(issuer.id)}
    competencies: dict[str, dict[str, Competency]] = {}
    out: list[ResolvedAlignment] = []
    for ref in achievement.alignments:
        framework_key, _, competency_key = ref.partition("/")
        row = frameworks.get(framework_key)
        if row is None:
            out.append(ResolvedAlignment(ref, None, None))
            continue
        if framework_key not in competencies:
            competencies[framework_key] = {
                c.key: Competency(c.key, c.name, c.description or "", c.code)
                for c in uow.issuers.competencies(row.id)
            }
        framework = Framework(row.key, row.name, row.url, row.version)
        out.append(
            ResolvedAlignment(ref, framework, competencies[framework_key].get(competency_key))
        )
    return tuple(out)


@dataclass(frozen=True)
class AssessmentFacts:
    """What a reader is told about an assessment a route names: its title and cut score."""

    title: str | None
    cut_score: str | None
    """``70%`` or ``21 points``: the one wording of a cut score for people."""


def assessment_facts(version: AssessmentVersionRow) -> AssessmentFacts:
    """Title and cut score of a stored assessment version, as the pages and credentials say
    them. Read leniently: a credential names whatever the stored version states."""
    definition: Mapping[str, Any] = version.definition
    title = definition.get("title") or definition.get("name")
    return AssessmentFacts(str(title) if title else None, _stated_cut(definition.get("cut_score")))


def _stated_cut(cut: object) -> str | None:
    if not isinstance(cut, Mapping):
        return None
    for unit, text in (("percent", "{:g}%"), ("raw", "{:g} points")):
        value = cut.get(unit)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return text.format(value)
    return None


class _FrameworkLike(Protocol):
    @property
    def key(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def url(self) -> str | None: ...


class _CompetencyLike(Protocol):
    @property
    def key(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def code(self) -> str | None: ...
    @property
    def description(self) -> str: ...


def alignment_info(
    issuer_key: str, framework: _FrameworkLike, competency: _CompetencyLike
) -> AlignmentInfo:
    """One competency as an OB 3.0 alignment: the same words in issued credentials (stored
    frameworks) and in catalog exports (parsed ones), so the two never drift apart."""
    base = framework.url or f"urn:credstack:{issuer_key}:{framework.key}"
    return AlignmentInfo(
        target_name=competency.name,
        target_url=f"{base}#{competency.key}",
        target_framework=framework.name,
        target_code=competency.code,
        target_type="CFItem" if framework.url else None,
        target_description=competency.description or None,
    )
