"""Sign-in with the institution's OpenID Connect provider (``service.oidc``), when set up.

The sign-in page's button is a link to ``/signin/oidc/start``: a form could not end at the
provider under the pages' ``form-action 'self'``, starting stores nothing, and a forged start
only sends a browser to sign in as its own person. It sends the browser to the provider with
the flow sealed in a cookie (``credstack_oidc``: HttpOnly, SameSite=Lax so that it comes back
with the provider's redirect, path ``/signin/oidc``, ten minutes). The provider sends the
browser back to ``/signin/oidc/callback`` with a GET, as OpenID Connect's query response mode
does; that request signs in only when the cookie, the ``state`` and the provider's signed ID
token all hold. Without the setting every route here answers 404.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from credstack.errors import CredstackError, NotFound
from credstack.http.deps import ActorDep, RuntimeDep
from credstack.http.ratelimit import RateLimited, client_address, limiters
from credstack.http.runtime import runtime_of
from credstack.service.oidc import (
    CHOICE_LIFETIME,
    FLOW_LIFETIME,
    OidcChoice,
    choose_account,
    finish_oidc,
    start_oidc,
)
from credstack.service.sessions import sign_out
from credstack.service.signin import AS_LEARNER, SignedIn, safe_next
from credstack.web.auth import COOKIE_NAME, policy, require_csrf, start_session
from credstack.web.page import PageRoute, render
from credstack.web.signin_pages import signin_page

__all__ = ["FLOW_COOKIE", "router"]

router = APIRouter(include_in_schema=False, route_class=PageRoute)

FLOW_COOKIE = "credstack_oidc"
_CHOICE_COOKIE = "credstack_oidc_choice"
_PATH = "/signin/oidc"
_MAX_PARAM = 2000
_MAX_COOKIE = 2000
_LEARNER_HOME = "/wallet"
_STAFF_HOME = "/"


def _set(request: Request, response: Response, name: str, value: str, seconds: int) -> None:
    secure = runtime_of(request).settings.secure_cookies
    response.set_cookie(
        name, value, max_age=seconds, httponly=True, samesite="lax", secure=secure, path=_PATH
    )


def _cookie(request: Request, name: str) -> str | None:
    value = request.cookies.get(name)
    return value if value and len(value) <= _MAX_COOKIE else None


def _refused(request: Request, exc: CredstackError) -> HTMLResponse:
    """The sign-in page saying why (never a 500); a missing setting stays a plain 404."""
    if isinstance(exc, NotFound):
        raise exc
    status = exc.http_status if exc.http_status in (400, 403, 410, 422, 429) else 400
    response = signin_page(request, None, error=exc.message, status=status)
    response.delete_cookie(FLOW_COOKIE, path=_PATH)
    response.delete_cookie(_CHOICE_COOKIE, path=_PATH)
    return response


def _signed_in(request: Request, runtime: RuntimeDep, signed_in: SignedIn) -> Response:
    previous = request.cookies.get(COOKIE_NAME)
    if previous:
        sign_out(runtime, previous)  # one person, one session in this browser
    home = _LEARNER_HOME if signed_in.holder == AS_LEARNER else _STAFF_HOME
    response = RedirectResponse(safe_next(signed_in.next_path) or home, status_code=303)
    start_session(request, response, signed_in.session_id)
    response.delete_cookie(FLOW_COOKIE, path=_PATH)
    response.delete_cookie(_CHOICE_COOKIE, path=_PATH)
    return response


@router.get(_PATH + "/start", response_model=None)
def start(request: Request, runtime: RuntimeDep, actor: ActorDep, next: str = "") -> Response:
    next = next[:2001]
    try:
        limiters(request).sign_in.spend(client_address(request))
        started = start_oidc(runtime, actor, safe_next(next))
    except RateLimited as exc:
        limited = signin_page(request, safe_next(next), error=exc.message, status=429)
        limited.headers["Retry-After"] = str(exc.retry_after)
        return limited
    except CredstackError as exc:
        return _refused(request, exc)
    onward = RedirectResponse(started.authorization_url, status_code=303)
    _set(request, onward, FLOW_COOKIE, started.flow, int(FLOW_LIFETIME.total_seconds()))
    return onward


@router.get(_PATH + "/callback", response_model=None)
def callback(
    request: Request,
    runtime: RuntimeDep,
    actor: ActorDep,
    code: str | None = None,
    state: str | None = None,
    error: str | None = None,
) -> Response:
    try:
        done = finish_oidc(
            runtime,
            actor,
            flow=_cookie(request, FLOW_COOKIE),
            state=state[: _MAX_PARAM + 1] if state else None,
            code=code[: _MAX_PARAM + 1] if code else None,
            error=error[:100] if error else None,
            policy=policy(request),
        )
    except CredstackError as exc:
        return _refused(request, exc)
    if isinstance(done, OidcChoice):
        context = {"title": "Sign in", "action": _PATH + "/choose", "choices": done.choices}
        page = render(request, "signin_link.html", context)
        page.delete_cookie(FLOW_COOKIE, path=_PATH)
        _set(request, page, _CHOICE_COOKIE, done.sealed, int(CHOICE_LIFETIME.total_seconds()))
        return page
    return _signed_in(request, runtime, done)


@router.post(_PATH + "/choose", response_model=None)
def choose(
    request: Request,
    runtime: RuntimeDep,
    actor: ActorDep,
    choice: Annotated[str | None, Form(alias="as", max_length=20)] = None,
    csrf: Annotated[str | None, Form(max_length=200)] = None,
) -> Response:
    require_csrf(request, csrf)
    try:
        signed_in = choose_account(
            runtime, actor, _cookie(request, _CHOICE_COOKIE), choice, policy(request)
        )
    except CredstackError as exc:
        return _refused(request, exc)
    return _signed_in(request, runtime, signed_in)
