"""Public catalog pages: the home page, an issuer's profile and catalog, one achievement.

Anyone may read a catalog (the API's catalog routes are public too); what a learner holds is
on the staff-only learner page. Each page renders one read model of `service.catalog_view`.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from credstack.http.deps import RuntimeDep
from credstack.http.paging import PageNumber
from credstack.service.catalog_view import achievement_view, home_view, issuer_view
from credstack.web.page import PageRoute, render

__all__ = ["router"]

router = APIRouter(include_in_schema=False, route_class=PageRoute)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, runtime: RuntimeDep, page: int = PageNumber) -> HTMLResponse:
    view = home_view(runtime, page=page)
    context = {"title": "Stackable credentials", "issuers": view.issuers, "pager": view.pager}
    return render(request, "home.html", context)


@router.get("/issuers/{issuer}", response_class=HTMLResponse)
def issuer_page(
    request: Request, issuer: str, runtime: RuntimeDep, page: int = PageNumber
) -> HTMLResponse:
    view = issuer_view(runtime, issuer, page=page)
    return render(request, "issuer.html", {"title": view.issuer.name, "view": view})


@router.get("/issuers/{issuer}/achievements/{achievement}", response_class=HTMLResponse)
def achievement_page(
    request: Request, issuer: str, achievement: str, runtime: RuntimeDep
) -> HTMLResponse:
    view = achievement_view(runtime, issuer, achievement)
    return render(request, "achievement.html", {"title": view.name, "view": view})
