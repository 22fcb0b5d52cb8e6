"""Issuers and their catalogs over HTTP."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body

from credstack.api.schemas import AchievementOut, AchievementSummaryOut, IssuerOut, LoadReportOut
from credstack.errors import NotFound
from credstack.http.deps import CallerDep, RuntimeDep, UowDep
from credstack.service.catalog import load_catalog
from credstack.service.identity import issuer_identity
from credstack.service.people import require_issuer, require_role

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["catalog"])


@router.get("/issuers")
def list_issuers(uow: UowDep, runtime: RuntimeDep) -> list[IssuerOut]:
    base = runtime.settings.base_url
    return [
        IssuerOut(id=i.key, name=i.name, kind=i.kind, url=i.url, did=issuer_identity(uow, base, i))
        for i in uow.issuers.all()
    ]


@router.get("/issuers/{issuer}/achievements")
def list_achievements(issuer: str, uow: UowDep) -> list[AchievementSummaryOut]:
    row = require_issuer(uow, issuer)
    out = []
    for achievement in uow.achievements.all(row.id):
        version = uow.achievements.current(achievement)
        out.append(
            AchievementSummaryOut(
                id=achievement.key, type=version.type, name=version.name, version=version.version
            )
        )
    return out


@router.get("/issuers/{issuer}/achievements/{achievement}")
def get_achievement(issuer: str, achievement: str, uow: UowDep) -> AchievementOut:
    row = require_issuer(uow, issuer)
    found = uow.achievements.by_key(row.id, achievement)
    if found is None:
        raise NotFound(f"issuer {issuer} has no achievement {achievement!r}")
    current = uow.achievements.current(found)
    return AchievementOut(
        id=found.key,
        issuer=issuer,
        type=current.type,
        name=current.name,
        version=current.version,
        definition=current.definition,
        versions=[v.version for v in uow.achievements.versions(found.id)],
    )


@router.post("/issuers/{issuer}/catalog", status_code=200)
def post_catalog(
    issuer: str,
    uow: UowDep,
    caller: CallerDep,
    text: Annotated[str, Body(media_type="application/yaml")],
) -> LoadReportOut:
    """Load a catalog (YAML body). Needs the admin role at the issuer; all or nothing."""
    require_role(caller, issuer, "admin")
    report = load_catalog(uow, issuer_key=issuer, text=text, source=f"POST {issuer}/catalog")
    uow.commit()
    return LoadReportOut(**report.as_dict())
