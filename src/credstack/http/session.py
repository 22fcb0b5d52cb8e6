"""The page session behind the HttpOnly cookie: reading it, and its idle and lifetime policy.

The cookie holds only the session's random id (``service.sessions`` keeps its hash). Both the
pages and the request-actor dependency (``http.deps``) read it here; the pages set and clear it.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import Request

from credstack.http.runtime import runtime_of
from credstack.service.actor import Actor
from credstack.service.sessions import SessionPolicy, session_actor

__all__ = ["COOKIE_NAME", "policy", "session_actor_of", "session_id"]

COOKIE_NAME = "credstack_session"
_MAX_SESSION_ID = 100


def policy(request: Request) -> SessionPolicy:
    limits = runtime_of(request).settings.limits
    return SessionPolicy(
        idle=timedelta(minutes=limits.session_idle_minutes),
        lifetime=timedelta(hours=limits.session_hours),
    )


def session_id(request: Request) -> str | None:
    value = request.cookies.get(COOKIE_NAME)
    return value if value and len(value) <= _MAX_SESSION_ID else None


def session_actor_of(request: Request) -> Actor | None:
    """The signed-in staff member, or None; an ended, unknown or expired session is signed out.
    Only a GET or HEAD moves the idle deadline (see `service.sessions.session_actor`)."""
    found_id = session_id(request)
    if found_id is None:
        return None
    touch = request.method in ("GET", "HEAD")
    return session_actor(runtime_of(request), found_id, policy(request), touch=touch)
