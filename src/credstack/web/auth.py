"""Staff sign-in for the pages: a server-side session behind an HttpOnly cookie.

A page cannot send an ``Authorization`` header from a plain HTML form, so the login form
takes the API token once and opens a session (``service.sessions``); the cookie holds only the
session's random id. Roles are then checked exactly as the API checks them.

Every form carries a CSRF token: an HMAC, under a key derived from the master key, of the
session cookie — or, before sign-in and on the public forms, of a random pre-session cookie.
A forged cross-site POST has neither the cookie's value nor the key, so it cannot make one.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request, Response

from credstack.config import Settings
from credstack.errors import Forbidden
from credstack.http.runtime import runtime_of
from credstack.http.session import COOKIE_NAME, policy, session_id

__all__ = [
    "COOKIE_NAME",
    "CSRF_COOKIE",
    "clear_session",
    "csrf_token",
    "policy",
    "remember_csrf_cookie",
    "require_csrf",
    "start_session",
]

CSRF_COOKIE = "credstack_csrf"
_CSRF_CONTEXT = b"credstack page csrf v2"


def _settings(request: Request) -> Settings:
    return runtime_of(request).settings


def _basis(request: Request) -> str:
    """What this browser's CSRF tokens are bound to (made fresh if it has nothing yet)."""
    existing = session_id(request) or request.cookies.get(CSRF_COOKIE)
    if existing:
        return existing
    fresh: str | None = getattr(request.state, "new_csrf_basis", None)
    if fresh is None:
        fresh = request.state.new_csrf_basis = secrets.token_urlsafe(32)
    return fresh


def _mac(request: Request, basis: str) -> str:
    key = hmac.new(runtime_of(request).master.key, _CSRF_CONTEXT, hashlib.sha256).digest()
    return hmac.new(key, basis.encode(), hashlib.sha256).hexdigest()


def csrf_token(request: Request) -> str:
    """The token this browser's forms carry (see `remember_csrf_cookie`)."""
    return _mac(request, _basis(request))


def remember_csrf_cookie(request: Request, response: Response) -> None:
    """Set the pre-session cookie if `csrf_token` had to invent one for this page."""
    fresh = getattr(request.state, "new_csrf_basis", None)
    if fresh is not None:
        _set(request, response, CSRF_COOKIE, fresh, max_age=None)


def require_csrf(request: Request, submitted: str | None) -> None:
    existing = session_id(request) or request.cookies.get(CSRF_COOKIE)
    expected = _mac(request, existing) if existing else ""
    if not expected or not submitted or not hmac.compare_digest(expected, submitted):
        raise Forbidden("the form has expired or did not come from this site; reload it")


def _set(request: Request, response: Response, name: str, value: str, max_age: int | None) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=_settings(request).secure_cookies,
        path="/",
    )


def start_session(request: Request, response: Response, opened: str) -> None:
    lifetime = int(policy(request).lifetime.total_seconds())
    _set(request, response, COOKIE_NAME, opened, max_age=lifetime)


def clear_session(request: Request, response: Response) -> None:
    response.delete_cookie(
        COOKIE_NAME,
        httponly=True,
        samesite="lax",
        secure=_settings(request).secure_cookies,
        path="/",
    )
