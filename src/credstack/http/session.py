"""The page session behind the HttpOnly cookie: reading it, and its idle and lifetime policy.

The cookie holds only the session's random id (``service.sessions`` keeps its hash). Both the
pages and the request-actor dependency (``http.deps``) read it here; the pages set and clear it.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import Request

from credstack.service.people import Principal
from credstack.service.runtime import Runtime
from credstack.service.sessions import SessionPolicy, session_principal, touch_session

__all__ = ["COOKIE_NAME", "policy", "session_id", "session_principal_of"]

COOKIE_NAME = "credstack_session"
_MAX_SESSION_ID = 100


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def policy(request: Request) -> SessionPolicy:
    limits = _runtime(request).settings.limits
    return SessionPolicy(
        idle=timedelta(minutes=limits.session_idle_minutes),
        lifetime=timedelta(hours=limits.session_hours),
    )


def session_id(request: Request) -> str | None:
    value = request.cookies.get(COOKIE_NAME)
    return value if value and len(value) <= _MAX_SESSION_ID else None


def session_principal_of(request: Request) -> Principal | None:
    """The signed-in staff member, or None; an ended, unknown or expired session is signed out.

    Reads in its own read-only unit of work; moving the idle deadline (at most once a minute)
    is a separate short write that a busy database simply skips, made only on a read: a
    write request's own unit of work may already hold the (SQLite) write lock."""
    found_id = session_id(request)
    if found_id is None:
        return None
    runtime = _runtime(request)
    with runtime.uow(write=False) as uow:
        found = session_principal(uow, found_id, policy(request))
    if found is None:
        return None
    principal, due = found
    if due and request.method in ("GET", "HEAD"):
        idle = policy(request)
        runtime.note(lambda uow: touch_session(uow, found_id, idle))
    return principal
