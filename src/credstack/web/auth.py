"""Staff sign-in for the pages: the API token, kept in a cookie the browser cannot script.

A page cannot send an ``Authorization`` header from a plain HTML form, so the login form
takes the same API token the REST API uses and stores it in an HttpOnly, SameSite=Strict
cookie (Secure when the site is served over https). Roles are then checked exactly as the
API checks them, with ``service.people.authenticate`` and ``require_role``.

Forms that change state carry a CSRF token: an HMAC of the session cookie under a key
derived from the master key, so it needs no table and dies with the session.
"""

from __future__ import annotations

import hashlib
import hmac

from fastapi import Request, Response

from credstack.errors import Forbidden
from credstack.service.people import Principal, authenticate
from credstack.store.secrets import MasterKey
from credstack.store.uow import UnitOfWork

__all__ = [
    "COOKIE_NAME",
    "clear_session",
    "csrf_token",
    "current_principal",
    "require_csrf",
    "start_session",
]

COOKIE_NAME = "credstack_session"
_CSRF_CONTEXT = b"credstack page csrf v1"
_SESSION_SECONDS = 8 * 60 * 60


def _session(request: Request) -> str | None:
    value = request.cookies.get(COOKIE_NAME)
    return value or None


def current_principal(request: Request, uow: UnitOfWork) -> Principal | None:
    """The signed-in staff member, or None; an unknown or revoked token counts as signed out."""
    token = _session(request)
    if token is None:
        return None
    return authenticate(uow, token)


def _master(request: Request) -> MasterKey:
    master: MasterKey = request.app.state.runtime.master
    return master


def csrf_token(request: Request) -> str:
    """The token the session's forms carry; empty when nobody is signed in."""
    session = _session(request)
    if session is None:
        return ""
    key = hmac.new(_master(request).key, _CSRF_CONTEXT, hashlib.sha256).digest()
    return hmac.new(key, session.encode(), hashlib.sha256).hexdigest()


def require_csrf(request: Request, submitted: str | None) -> None:
    expected = csrf_token(request)
    if not expected or not submitted or not hmac.compare_digest(expected, submitted):
        raise Forbidden("the form has expired or did not come from this site; reload it")


def start_session(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        COOKIE_NAME,
        token,
        max_age=_SESSION_SECONDS,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )


def clear_session(request: Request, response: Response) -> None:
    response.delete_cookie(
        COOKIE_NAME,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
