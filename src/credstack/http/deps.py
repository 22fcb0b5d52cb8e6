"""Request-scoped dependencies: a unit of work per request and the caller's principal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import BackgroundTasks, Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from credstack.errors import Forbidden
from credstack.http.ratelimit import client_address, limiters
from credstack.http.runtime import runtime_of
from credstack.http.session import session_actor_of
from credstack.service.actor import ANONYMOUS, Actor
from credstack.service.runtime import Runtime
from credstack.service.sessions import token_holder

__all__ = [
    "BEARER_SCHEME",
    "ActorDep",
    "RuntimeDep",
    "get_actor",
]

BEARER_SCHEME = "bearerToken"
"""The OpenAPI security scheme name every operation that reads the caller declares."""

_bearer = HTTPBearer(
    scheme_name=BEARER_SCHEME,
    description="An API token from `credstack user token EMAIL`, sent as "
    "`Authorization: Bearer <token>`.",
    auto_error=False,
)

_READS = frozenset({"GET", "HEAD", "OPTIONS"})
_MAX_TOKEN = 200


RuntimeDep = Annotated[Runtime, Depends(runtime_of)]


def _bearer_token(request: Request) -> str | None:
    """The bearer token sent; None without an Authorization header. A malformed header is an
    error, never anonymous."""
    authorization = request.headers.get("authorization")
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Forbidden("use `Authorization: Bearer <token>`")
    return token.strip()


_T = TypeVar("_T")


def _checked(request: Request, token: str, lookup: Callable[[str], _T | None]) -> _T:
    """What `lookup` finds for the token; an unknown, revoked or overlong one is an error, and
    such errors are rate-limited per address so tokens cannot be guessed."""
    address = client_address(request)
    limiters(request).bad_token.check(address)
    found = lookup(token) if len(token) <= _MAX_TOKEN else None
    if found is None:
        limiters(request).bad_token.spend(address)
        raise Forbidden("the API token is unknown or revoked")
    return found


def get_actor(
    request: Request,
    runtime: RuntimeDep,
    after: BackgroundTasks,
    _declared: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)] = None,
) -> Actor:
    """Who is asking: the bearer token's user, else the page session's, else `ANONYMOUS`.

    ``_declared`` only puts the bearer scheme into the OpenAPI document (so the docs page can
    authorise); the header is parsed here, because `HTTPBearer` without ``auto_error`` would
    treat a malformed header as no header and let the request through anonymously.

    A bad or unknown bearer token is an error, never anonymous. The session cookie counts for
    the pages and for reads; an API write (under `/api/`) needs the bearer token, because an
    API body carries no CSRF token (every page form does, and its handler checks it).
    """
    token = _bearer_token(request)
    if token is not None:
        holder = _checked(request, token, lambda sent: token_holder(runtime, sent))
        limiters(request).token.spend(str(holder.token_id))
        # After the response: the note is its own short write, and on SQLite it must neither
        # delay this request nor take the write lock ahead of the use case's own transaction
        # (a write that has to wait for a busy database answers 503, not later).
        after.add_task(holder.note_use, runtime)
        return holder.actor
    if request.method not in _READS and request.url.path.startswith("/api/"):
        return ANONYMOUS
    return session_actor_of(request) or ANONYMOUS


ActorDep = Annotated[Actor, Depends(get_actor)]
"""The one request-actor dependency (bearer token or page session) services are given."""
