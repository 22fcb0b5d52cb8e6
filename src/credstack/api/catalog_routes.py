"""Issuers and their catalogs over HTTP."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, Request, Response
from fastapi.responses import JSONResponse

from credstack.api.schemas import AchievementOut, AchievementSummaryOut, IssuerOut, LoadReportOut
from credstack.http.deps import ActorDep, RuntimeDep
from credstack.http.paging import PAGED, PageNumber, page_headers
from credstack.service.catalog import load_catalog_as
from credstack.service.catalog_export import ExportFormat
from credstack.service.catalog_listing import (
    achievement_definition,
    achievement_summaries,
    issuer_listing,
)
from credstack.service.published_catalog import export_published

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["catalog"])


@router.get("/issuers", responses=PAGED)
def list_issuers(
    request: Request, response: Response, runtime: RuntimeDep, page: int = PageNumber
) -> list[IssuerOut]:
    """The issuers on this server by id, a page (`?page=`) at a time."""
    found = issuer_listing(runtime, page=page)
    page_headers(request, response, found.pager)
    return [
        IssuerOut(id=i.key, name=i.name, kind=i.kind, url=i.url, did=i.did) for i in found.items
    ]


@router.get("/issuers/{issuer}/achievements", responses=PAGED)
def list_achievements(
    issuer: str, request: Request, response: Response, runtime: RuntimeDep, page: int = PageNumber
) -> list[AchievementSummaryOut]:
    """An issuer's achievements by id with their current versions, a page at a time."""
    found = achievement_summaries(runtime, issuer, page=page)
    page_headers(request, response, found.pager)
    return [
        AchievementSummaryOut(id=a.key, type=a.type, name=a.name, version=a.version)
        for a in found.items
    ]


@router.get("/issuers/{issuer}/achievements/{achievement}")
def get_achievement(issuer: str, achievement: str, runtime: RuntimeDep) -> AchievementOut:
    found = achievement_definition(runtime, issuer, achievement)
    return AchievementOut(
        id=found.key,
        issuer=found.issuer,
        type=found.type,
        name=found.name,
        version=found.version,
        definition=found.definition,
        versions=list(found.versions),
    )


@router.get(
    "/issuers/{issuer}/catalog",
    response_class=JSONResponse,
    responses={200: {"content": {"application/ld+json": {}}}},
)
def get_catalog(
    issuer: str,
    runtime: RuntimeDep,
    fmt: Annotated[
        ExportFormat,
        Query(
            alias="format",
            description="ctdl: Credential Engine CTDL JSON-LD; ob3: OB 3.0 Achievements.",
        ),
    ] = ExportFormat.CTDL,
) -> JSONResponse:
    """The issuer's published catalog for other systems (JSON-LD): each achievement's newest
    published version, its frameworks and assessments, under this installation's URLs."""
    document = export_published(runtime, issuer, fmt)
    return JSONResponse(document, media_type="application/ld+json")


@router.post("/issuers/{issuer}/catalog", status_code=200)
def post_catalog(
    issuer: str,
    runtime: RuntimeDep,
    actor: ActorDep,
    text: Annotated[str, Body(media_type="application/yaml")],
) -> LoadReportOut:
    """Load a catalog (YAML body). Needs the admin role at the issuer; all or nothing."""
    report = load_catalog_as(
        runtime, actor, issuer_key=issuer, text=text, source=f"POST {issuer}/catalog"
    )
    return LoadReportOut(**report.as_dict())
