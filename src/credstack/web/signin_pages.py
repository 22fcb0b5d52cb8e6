"""Sign-in by e-mail link for learners and staff (``service.signin``): ask, open, confirm.

Asking sets a random cookie on this browser (``credstack_signin``); the link works only where
that cookie is. Opening the link (GET) shows a button and changes nothing, since mail scanners
fetch links; pressing it (POST, with the CSRF token) signs in.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from credstack.errors import CredstackError
from credstack.http.deps import ActorDep, RuntimeDep
from credstack.http.ratelimit import RateLimited, client_address, limiters
from credstack.http.runtime import runtime_of
from credstack.service.oidc import oidc_button
from credstack.service.sessions import sign_out
from credstack.service.signin import (
    AS_LEARNER,
    complete_link,
    inspect_link,
    request_link,
    safe_next,
)
from credstack.web.auth import COOKIE_NAME, policy, require_csrf, start_session
from credstack.web.page import PageRoute, render

__all__ = ["BROWSER_COOKIE", "router", "signin_page"]

router = APIRouter(include_in_schema=False, route_class=PageRoute)

BROWSER_COOKIE = "credstack_signin"
_BROWSER_COOKIE_SECONDS = 60 * 60
_MAX_COOKIE = 100
_MAX_EMAIL = 320
_MAX_TOKEN = 100
_LEARNER_HOME = "/wallet"
_STAFF_HOME = "/"
_TITLE = "Sign in"


def _browser_secret(request: Request) -> str | None:
    value = request.cookies.get(BROWSER_COOKIE)
    return value if value and len(value) <= _MAX_COOKIE else None


def signin_page(
    request: Request, next_path: str | None, *, error: str | None = None, status: int = 200
) -> HTMLResponse:
    """The sign-in form (with the institution's button when one is set up), perhaps saying
    why the last try did not sign anyone in."""
    context = {
        "title": _TITLE,
        "next": next_path or "",
        "error": error,
        "oidc_name": oidc_button(runtime_of(request)),
    }
    return render(request, "signin.html", context, status_code=status)


@router.get("/signin", response_class=HTMLResponse)
def signin_form(request: Request, next: str | None = None) -> HTMLResponse:
    return signin_page(request, safe_next(next))


@router.post("/signin", response_model=None)
def ask_for_link(
    request: Request,
    runtime: RuntimeDep,
    actor: ActorDep,
    email: Annotated[str, Form(max_length=_MAX_EMAIL)],
    next: Annotated[str, Form(max_length=2000)] = "",
    csrf: Annotated[str | None, Form(max_length=200)] = None,
) -> Response:
    """Everyone is answered the same, whether or not the address has an account."""
    require_csrf(request, csrf)
    next_path = safe_next(next)
    address_key = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    try:
        limiters(request).sign_in.spend(client_address(request))
        limiters(request).sign_in_mail.spend(address_key)
    except RateLimited as exc:
        response = signin_page(request, next_path, error=exc.message, status=429)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    browser = _browser_secret(request) or secrets.token_urlsafe(32)
    asked = request_link(runtime, actor, email, browser, next_path)
    context = {"title": "Check your e-mail", "minutes": asked.lifetime_minutes}
    response = render(request, "signin_sent.html", context)
    response.set_cookie(
        BROWSER_COOKIE,
        browser,
        max_age=_BROWSER_COOKIE_SECONDS,
        httponly=True,
        samesite="lax",
        secure=runtime.settings.secure_cookies,
        path="/signin",
    )
    return response


def _problem(request: Request, exc: CredstackError) -> HTMLResponse:
    """A link that cannot sign in: say why, and offer a new one (never a 500)."""
    status = exc.http_status if exc.http_status in (400, 403, 404, 410, 422) else 400
    context = {"title": "This sign-in link cannot be used", "message": exc.message, "next": ""}
    return render(request, "signin_problem.html", context, status_code=status)


@router.get("/signin/{token}", response_class=HTMLResponse)
def open_link(request: Request, runtime: RuntimeDep, token: str) -> HTMLResponse:
    """Only shows the button: a GET (a mail scanner's, too) signs nobody in."""
    try:
        view = inspect_link(runtime, token[: _MAX_TOKEN + 1], _browser_secret(request))
    except CredstackError as exc:
        return _problem(request, exc)
    context = {"title": _TITLE, "action": f"/signin/{token}", "choices": view.choices}
    return render(request, "signin_link.html", context)


@router.post("/signin/{token}", response_model=None)
def use_link(
    request: Request,
    runtime: RuntimeDep,
    token: str,
    choice: Annotated[str | None, Form(alias="as", max_length=20)] = None,
    csrf: Annotated[str | None, Form(max_length=200)] = None,
) -> Response:
    require_csrf(request, csrf)
    try:
        signed_in = complete_link(
            runtime, token[: _MAX_TOKEN + 1], _browser_secret(request), policy(request), choice
        )
    except CredstackError as exc:
        return _problem(request, exc)
    previous = request.cookies.get(COOKIE_NAME)
    if previous:
        sign_out(runtime, previous)  # one person, one session in this browser
    home = _LEARNER_HOME if signed_in.holder == AS_LEARNER else _STAFF_HOME
    response = RedirectResponse(safe_next(signed_in.next_path) or home, status_code=303)
    start_session(request, response, signed_in.session_id)
    response.delete_cookie(BROWSER_COOKIE, path="/signin")
    return response
