"""Public catalog pages: the home page, an issuer's profile and catalog, one achievement.

Anyone may read a catalog (the API's catalog routes are public too); what a learner holds is
on the staff-only learner page.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from credstack.domain.catalog import Achievement
from credstack.domain.requirements import (
    AssessmentPassed,
    Requirement,
    iter_nodes,
    referenced_achievements,
)
from credstack.domain.taxonomy import AchievementType
from credstack.errors import NotFound
from credstack.http.deps import RuntimeDep, UowDep
from credstack.service.achievements import achievement_of, assessment_facts, resolve_alignments
from credstack.service.engine import compile_catalog
from credstack.service.identity import issuer_identity
from credstack.service.people import require_issuer
from credstack.store.models import AchievementVersionRow, IssuerRow
from credstack.store.uow import UnitOfWork
from credstack.web.page import PageRoute, render
from credstack.web.pagination import PageNumber, paginate
from credstack.web.requirement_view import AssessmentFacts, requirement_view

__all__ = ["TYPE_HEADINGS", "router"]

router = APIRouter(include_in_schema=False, route_class=PageRoute)

TYPE_HEADINGS: dict[str, str] = {
    AchievementType.BADGE: "Badges",
    AchievementType.MICROCREDENTIAL: "Microcredentials",
    AchievementType.CERTIFICATE: "Certificates",
    AchievementType.CERTIFICATION: "Certifications",
    AchievementType.DEGREE: "Degrees",
    AchievementType.CE_ACTIVITY: "Continuing-education activities",
    AchievementType.COURSE: "Courses",
}


def _type_order(kind: str) -> int:
    """Pages follow the sections' order, so each type's entries stay together across pages."""
    order = list(TYPE_HEADINGS)
    return order.index(kind) if kind in order else len(order)


def _current(uow: UnitOfWork, issuer: IssuerRow) -> dict[str, AchievementVersionRow]:
    return {a.key: uow.achievements.current(a) for a in uow.achievements.all(issuer.id)}


def _frameworks(uow: UnitOfWork, issuer: IssuerRow) -> list[dict[str, Any]]:
    return [
        {
            "key": f.key,
            "name": f.name,
            "url": f.url,
            "version": f.version,
            "competencies": [
                {"key": c.key, "name": c.name, "code": c.code}
                for c in uow.issuers.competencies(f.id)
            ],
        }
        for f in uow.issuers.frameworks(issuer.id)
    ]


@router.get("/", response_class=HTMLResponse)
def home(request: Request, uow: UowDep, page: int = PageNumber) -> HTMLResponse:
    shown, pager = paginate(uow.issuers.all(), page)
    issuers = [
        {
            "key": i.key,
            "name": i.name,
            "kind": i.kind.replace("-", " "),
            "achievements": len(uow.achievements.all(i.id)),
        }
        for i in shown
    ]
    context = {"title": "Stackable credentials", "issuers": issuers, "pager": pager}
    return render(request, "home.html", context)


@router.get("/issuers/{issuer}", response_class=HTMLResponse)
def issuer_page(
    request: Request, issuer: str, uow: UowDep, runtime: RuntimeDep, page: int = PageNumber
) -> HTMLResponse:
    row = require_issuer(uow, issuer)
    groups: dict[str, list[dict[str, Any]]] = {kind: [] for kind in TYPE_HEADINGS}
    in_order = sorted(
        _current(uow, row).items(), key=lambda kv: (_type_order(kv[1].type), kv[1].name)
    )
    shown, pager = paginate(in_order, page)
    for key, version in shown:
        achievement = achievement_of(version)
        groups.setdefault(version.type, []).append(
            {
                "key": key,
                "name": version.name,
                "description": achievement.description,
                "designation": achievement.designation,
                "status": version.status,
            }
        )
    sections = [
        {"type": kind, "heading": TYPE_HEADINGS.get(kind, kind.title()), "items": items}
        for kind, items in groups.items()
        if items
    ]
    context = {
        "title": row.name,
        "issuer": row,
        "kind": row.kind.replace("-", " "),
        "did": issuer_identity(uow, runtime.settings.base_url, row),
        "sections": sections,
        "pager": pager,
        "frameworks": _frameworks(uow, row),
        "partners": uow.issuers.partners(row.id),
    }
    return render(request, "issuer.html", context)


def _alignments(
    uow: UnitOfWork, issuer: IssuerRow, achievement: Achievement
) -> list[dict[str, str]]:
    """Each alignment by name, or by its key where the issuer's frameworks do not name it."""
    return [
        {
            "framework": a.framework.name if a.framework else a.framework_key,
            "competency": a.competency.name if a.competency else a.competency_key,
        }
        for a in resolve_alignments(uow, issuer, achievement)
    ]


def _stacks_into(
    uow: UnitOfWork, issuer: IssuerRow, key: str, names: dict[str, str]
) -> list[dict[str, str]]:
    """Achievements, here or at other issuers, whose requirements mention this one."""
    found: list[dict[str, str]] = []
    for other in uow.issuers.all():
        wanted = {key} if other.id == issuer.id else {f"{issuer.key}:{key}"}
        compiled = compile_catalog(uow, other)
        for dependant, requirement in sorted(compiled.requirements.items()):
            if wanted & referenced_achievements(requirement):
                version = compiled.versions[dependant]
                found.append(
                    {
                        "name": names.get(dependant, version.name)
                        if other.id == issuer.id
                        else f"{version.name} ({other.name})",
                        "href": f"/issuers/{other.key}/achievements/{dependant}",
                        "type": version.type,
                    }
                )
    return found


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


@router.get("/issuers/{issuer}/achievements/{achievement}", response_class=HTMLResponse)
def achievement_page(request: Request, issuer: str, achievement: str, uow: UowDep) -> HTMLResponse:
    row = require_issuer(uow, issuer)
    found = uow.achievements.by_key(row.id, achievement)
    if found is None:
        raise NotFound(f"issuer {issuer} has no achievement {achievement!r}")
    current = uow.achievements.current(found)
    typed = achievement_of(current)
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
    context = {
        "title": current.name,
        "issuer": row,
        "key": achievement,
        "version": current,
        "type_heading": TYPE_HEADINGS.get(current.type, current.type),
        "achievement": typed,
        "alignments": _alignments(uow, row, typed),
        "tree": tree,
        "stacks_into": _stacks_into(uow, row, achievement, names),
        "versions": list(reversed(uow.achievements.versions(found.id))),
    }
    return render(request, "achievement.html", context)
