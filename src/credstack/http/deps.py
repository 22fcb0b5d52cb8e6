"""Request-scoped dependencies: a unit of work per request and the caller's principal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import BackgroundTasks, Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer, OAuth2AuthorizationCodeBearer

from credstack.errors import Forbidden, Unauthenticated
from credstack.http.ratelimit import client_address, limiters
from credstack.http.runtime import runtime_of
from credstack.http.session import session_actor_of
from credstack.service.actor import ANONYMOUS, Actor
from credstack.service.oauth.flows import delegate_of
from credstack.service.oauth.scopes import OFFERED_SCOPES, described
from credstack.service.runtime import Runtime
from credstack.service.sessions import token_holder
from credstack.service.standards_api import OAUTH_PATHS

__all__ = [
    "BEARER_SCHEME",
    "OAUTH_SCHEME",
    "ActorDep",
    "DelegateDep",
    "RuntimeDep",
    "get_actor",
    "get_delegate",
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


async def _runtime(request: Request) -> Runtime:
    """`runtime_of` as a dependency. It is ``async`` only so that FastAPI calls it on the event
    loop: a plain function is sent to the thread pool and back, a thread hop on every request
    (about a tenth of a credential fetch's CPU) for reading one attribute."""
    return runtime_of(request)


RuntimeDep = Annotated[Runtime, Depends(_runtime)]


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


OAUTH_SCHEME = "OAuth2ACG"
"""The 1EdTech APIs' security scheme: an OAuth 2.0 access token from the code grant."""

_oauth = OAuth2AuthorizationCodeBearer(
    authorizationUrl=OAUTH_PATHS["authorization"],
    tokenUrl=OAUTH_PATHS["token"],
    refreshUrl=OAUTH_PATHS["token"],
    scopes={scope: described(scope) for scope in sorted(OFFERED_SCOPES)},
    scheme_name=OAUTH_SCHEME,
    description="An access token a learner granted a client (see /ims/ob/v3p0/discovery).",
    auto_error=False,
)


def get_delegate(
    request: Request,
    runtime: RuntimeDep,
    _declared: Annotated[str | None, Security(_oauth)] = None,
) -> Actor:
    """The client acting for a learner under an OAuth access token, for the 1EdTech APIs.

    Only OAuth tokens count here (never an API token or a page session), and `get_actor`
    never accepts an OAuth token, so a client's token cannot reach the staff API. A missing,
    unknown, expired or revoked token is a 401; tries with bad tokens are rate-limited."""
    authorization = request.headers.get("authorization")
    if not authorization:
        raise Unauthenticated("send an OAuth 2.0 access token (Authorization: Bearer ...)")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("use `Authorization: Bearer <access token>`")
    address = client_address(request)
    limiters(request).bad_token.check(address)
    actor = delegate_of(runtime, token.strip())
    if actor is None:
        limiters(request).bad_token.spend(address)
        raise Unauthenticated("the access token is unknown, expired or revoked")
    limiters(request).token.spend(actor.label)
    return actor


DelegateDep = Annotated[Actor, Depends(get_delegate)]
"""A client acting for a learner (OAuth 2.0), for the `/ims/` APIs only."""
