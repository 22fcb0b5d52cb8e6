"""Signing staff in and out of the pages (see ``auth``): a token opens a server-side session."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from credstack.http.deps import RuntimeDep
from credstack.http.ratelimit import client_address, limiters
from credstack.service.sessions import sign_in, sign_out
from credstack.web.auth import (
    COOKIE_NAME,
    clear_session,
    policy,
    require_csrf,
    start_session,
)
from credstack.web.page import PageRoute, render

__all__ = ["router"]

router = APIRouter(include_in_schema=False, route_class=PageRoute)
_MAX_TOKEN = 200


def _safe_next(target: str | None) -> str:
    """Only a path on this site: an open redirect would let a link send staff elsewhere."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None) -> HTMLResponse:
    return render(request, "login.html", {"title": "Staff sign in", "next": _safe_next(next)})


@router.post("/login", response_model=None)
def login(
    request: Request,
    runtime: RuntimeDep,
    token: Annotated[str, Form(max_length=_MAX_TOKEN)],
    next: Annotated[str, Form(max_length=2000)] = "/",
    csrf: Annotated[str | None, Form(max_length=200)] = None,
) -> Response:
    require_csrf(request, csrf)
    limiters(request).sign_in.spend(client_address(request))
    session_id = sign_in(runtime, token, policy(request))
    if session_id is None:
        context = {
            "title": "Staff sign in",
            "next": _safe_next(next),
            "error": "That API token is unknown or revoked.",
        }
        return render(request, "login.html", context, status_code=403)
    response = RedirectResponse(_safe_next(next), status_code=303)
    start_session(request, response, session_id)
    return response


@router.post("/logout", response_model=None)
def logout(
    request: Request, runtime: RuntimeDep, csrf: Annotated[str | None, Form(max_length=200)] = None
) -> Response:
    """Ends the session on the server too: a copied cookie is useless after sign-out."""
    require_csrf(request, csrf)
    session_id = request.cookies.get(COOKIE_NAME)
    if session_id:
        sign_out(runtime, session_id)
    response = RedirectResponse("/", status_code=303)
    clear_session(request, response)
    return response
