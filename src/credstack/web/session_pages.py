"""Signing staff in and out of the pages with an API token (see ``auth``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from credstack.api.deps import UowDep
from credstack.service.people import authenticate
from credstack.web.auth import clear_session, require_csrf, start_session
from credstack.web.page import PageRoute, render

__all__ = ["router"]

router = APIRouter(include_in_schema=False, route_class=PageRoute)


def _safe_next(target: str | None) -> str:
    """Only a path on this site: an open redirect would let a link send staff elsewhere."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, uow: UowDep, next: str | None = None) -> HTMLResponse:
    return render(request, uow, "login.html", {"title": "Staff sign in", "next": _safe_next(next)})


@router.post("/login", response_model=None)
def login(
    request: Request,
    uow: UowDep,
    token: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    principal = authenticate(uow, token.strip())
    if principal is None:
        context = {
            "title": "Staff sign in",
            "next": _safe_next(next),
            "error": "That API token is unknown or revoked.",
        }
        return render(request, None, "login.html", context, status_code=403)
    uow.commit()
    response = RedirectResponse(_safe_next(next), status_code=303)
    start_session(request, response, token.strip())
    return response


@router.post("/logout", response_model=None)
def logout(request: Request, csrf: Annotated[str | None, Form()] = None) -> Response:
    require_csrf(request, csrf)
    response = RedirectResponse("/", status_code=303)
    clear_session(request, response)
    return response
