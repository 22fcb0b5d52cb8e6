"""What the public catalog pages show: the issuers, one issuer's catalog, one achievement.

Anyone may read a catalog (the API's catalog routes are public too), so these take no actor.
Each read runs in one read-only unit of work and returns frozen dataclasses the templates read,
so a page never holds a database row after its transaction ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from credstack.domain.catalog import Achievement
from credstack.domain.requirements import (
    AssessmentPassed,
    Requirement,
    iter_nodes,
    referenced_achievements,
)
from credstack.domain.taxonomy import AchievementType
from credstack.service.achievements import achievement_of, assessment_facts, resolve_alignments
from credstack.service.engine import compile_catalog
from credstack.service.identity import issuer_identity
from credstack.service.lookup import issuer_achievement
from credstack.service.paging import Pager, paginate
from credstack.service.people import require_issuer
from credstack.service.requirement_view import AssessmentFacts, RequirementNode, requirement_view
from credstack.service.runtime import Runtime
from credstack.store.models import AchievementVersionRow, IssuerRow
from credstack.store.uow import UnitOfWork

__all__ = [
    "TYPE_HEADINGS",
    "AchievementView",
    "CatalogEntry",
    "CatalogSection",
    "FrameworkView",
    "HomeView",
    "IssuerCard",
    "IssuerFacts",
    "IssuerView",
    "achievement_view",
    "home_view",
    "issuer_view",
]

TYPE_HEADINGS: dict[str, str] = {
    AchievementType.BADGE: "Badges",
    AchievementType.MICROCREDENTIAL: "Microcredentials",
    AchievementType.CERTIFICATE: "Certificates",
    AchievementType.CERTIFICATION: "Certifications",
    AchievementType.DEGREE: "Degrees",
    AchievementType.CE_ACTIVITY: "Continuing-education activities",
    AchievementType.COURSE: "Courses",
}


@dataclass(frozen=True)
class IssuerFacts:
    key: str
    name: str
    kind: str
    url: str | None
    review_required: bool

    @property
    def kind_words(self) -> str:
        """The kind as people write it ("certification body")."""
        return self.kind.replace("-", " ")


@dataclass(frozen=True)
class IssuerCard:
    issuer: IssuerFacts
    achievements: int


@dataclass(frozen=True)
class HomeView:
    issuers: tuple[IssuerCard, ...]
    pager: Pager


@dataclass(frozen=True)
class CatalogEntry:
    key: str
    name: str
    description: str | None
    designation: str | None
    status: str


@dataclass(frozen=True)
class CatalogSection:
    type: str
    heading: str
    entries: tuple[CatalogEntry, ...]


@dataclass(frozen=True)
class CompetencyView:
    key: str
    name: str
    code: str | None


@dataclass(frozen=True)
class FrameworkView:
    key: str
    name: str
    url: str | None
    version: str | None
    competencies: tuple[CompetencyView, ...]


@dataclass(frozen=True)
class IssuerView:
    issuer: IssuerFacts
    did: str
    sections: tuple[CatalogSection, ...]
    pager: Pager
    frameworks: tuple[FrameworkView, ...]
    partners: tuple[str, ...]
    """The recognised partners' names."""


@dataclass(frozen=True)
class AlignmentView:
    framework: str
    competency: str


@dataclass(frozen=True)
class StackLink:
    name: str
    href: str
    type: str


@dataclass(frozen=True)
class VersionFacts:
    version: int
    status: str
    created_on: date


@dataclass(frozen=True)
class AchievementView:
    issuer: IssuerFacts
    key: str
    name: str
    version: int
    type_heading: str
    achievement: Achievement
    alignments: tuple[AlignmentView, ...]
    tree: RequirementNode | None
    stacks_into: tuple[StackLink, ...]
    versions: tuple[VersionFacts, ...]
    """Newest first."""


def _facts(row: IssuerRow) -> IssuerFacts:
    return IssuerFacts(row.key, row.name, row.kind, row.url, bool(row.review_required))


def _type_order(kind: str) -> int:
    """Pages follow the sections' order, so each type's entries stay together across pages."""
    order = list(TYPE_HEADINGS)
    return order.index(kind) if kind in order else len(order)


def _current(uow: UnitOfWork, issuer: IssuerRow) -> dict[str, AchievementVersionRow]:
    return {a.key: uow.achievements.current(a) for a in uow.achievements.all(issuer.id)}


def home_view(runtime: Runtime, *, page: int = 1) -> HomeView:
    """One page of the issuers on this server, each with how many achievements it defines."""
    with runtime.uow(write=False) as uow:
        shown, pager = paginate(uow.issuers.all(), page)
        cards = tuple(IssuerCard(_facts(i), len(uow.achievements.all(i.id))) for i in shown)
    return HomeView(cards, pager)


def _frameworks(uow: UnitOfWork, issuer: IssuerRow) -> tuple[FrameworkView, ...]:
    return tuple(
        FrameworkView(
            f.key,
            f.name,
            f.url,
            f.version,
            tuple(CompetencyView(c.key, c.name, c.code) for c in uow.issuers.competencies(f.id)),
        )
        for f in uow.issuers.frameworks(issuer.id)
    )


def issuer_view(runtime: Runtime, issuer: str, *, page: int = 1) -> IssuerView:
    """An issuer's profile and one page of its catalog, grouped by achievement type."""
    with runtime.uow(write=False) as uow:
        row = require_issuer(uow, issuer)
        groups: dict[str, list[CatalogEntry]] = {kind: [] for kind in TYPE_HEADINGS}
        in_order = sorted(
            _current(uow, row).items(), key=lambda kv: (_type_order(kv[1].type), kv[1].name)
        )
        shown, pager = paginate(in_order, page)
        for key, version in shown:
            achievement = achievement_of(uow, version)
            groups.setdefault(version.type, []).append(
                CatalogEntry(
                    key,
                    version.name,
                    achievement.description,
                    achievement.designation,
                    version.status,
                )
            )
        sections = tuple(
            CatalogSection(kind, TYPE_HEADINGS.get(kind, kind.title()), tuple(items))
            for kind, items in groups.items()
            if items
        )
        return IssuerView(
            issuer=_facts(row),
            did=issuer_identity(uow, runtime.settings.base_url, row),
            sections=sections,
            pager=pager,
            frameworks=_frameworks(uow, row),
            partners=tuple(p.name for p in uow.issuers.partners(row.id)),
        )


def _alignments(
    uow: UnitOfWork, issuer: IssuerRow, achievement: Achievement
) -> tuple[AlignmentView, ...]:
    """Each alignment by name, or by its key where the issuer's frameworks do not name it."""
    return tuple(
        AlignmentView(
            framework=a.framework.name if a.framework else a.framework_key,
            competency=a.competency.name if a.competency else a.competency_key,
        )
        for a in resolve_alignments(uow, issuer, achievement)
    )


def _stacks_into(
    uow: UnitOfWork, issuer: IssuerRow, key: str, names: dict[str, str]
) -> tuple[StackLink, ...]:
    """Achievements, here or at other issuers, whose requirements mention this one."""
    found: list[StackLink] = []
    for other in uow.issuers.all():
        wanted = {key} if other.id == issuer.id else {f"{issuer.key}:{key}"}
        compiled = compile_catalog(uow, other)
        for dependant, requirement in sorted(compiled.requirements.items()):
            if wanted & referenced_achievements(requirement):
                version = compiled.versions[dependant]
                found.append(
                    StackLink(
                        name=names.get(dependant, version.name)
                        if other.id == issuer.id
                        else f"{version.name} ({other.name})",
                        href=f"/issuers/{other.key}/achievements/{dependant}",
                        type=version.type,
                    )
                )
    return tuple(found)


def _assessments(
    uow: UnitOfWork, issuer: IssuerRow, requirement: Requirement
) -> dict[str, AssessmentFacts]:
    found: dict[str, AssessmentFacts] = {}
    for node in iter_nodes(requirement):
        if not isinstance(node, AssessmentPassed) or node.assessment in found:
            continue
        row = uow.assessments.by_key(issuer.id, node.assessment)
        version = uow.assessments.current(row) if row is not None else None
        if version is not None:
            facts = assessment_facts(version)
            found[node.assessment] = AssessmentFacts(
                title=facts.title or f"the assessment {node.assessment}",
                cut_score=facts.cut_score,
            )
    return found


class _Names(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return key


def _party_names(uow: UnitOfWork, issuer: IssuerRow) -> _Names:
    """Names of the issuers and partners (e.g. training providers) a catalog refers to."""
    names = _Names({i.key: i.name for i in uow.issuers.all()})
    names.update({p.key: p.name for p in uow.issuers.partners(issuer.id)})
    return names


def achievement_view(runtime: Runtime, issuer: str, achievement: str) -> AchievementView:
    """One achievement: what it is, how it is earned, what it stacks into, its versions."""
    with runtime.uow(write=False) as uow:
        row, found = issuer_achievement(uow, issuer, achievement)
        current = uow.achievements.current(found)
        typed = achievement_of(uow, current)
        names = {k: v.name for k, v in _current(uow, row).items()}
        tree = None
        requirement = typed.requirements
        if requirement is not None:
            tree = requirement_view(
                requirement,
                lambda k: names.get(k, k),
                lambda k: f"/issuers/{row.key}/achievements/{k}" if k in names else None,
                _assessments(uow, row, requirement),
                _party_names(uow, row).__getitem__,
            )
        return AchievementView(
            issuer=_facts(row),
            key=achievement,
            name=current.name,
            version=current.version,
            type_heading=TYPE_HEADINGS.get(current.type, current.type),
            achievement=typed,
            alignments=_alignments(uow, row, typed),
            tree=tree,
            stacks_into=_stacks_into(uow, row, achievement, names),
            versions=tuple(
                VersionFacts(v.version, v.status, v.created_at.date())
                for v in reversed(uow.achievements.versions(found.id))
            ),
        )
