"""Request-scoped dependencies: a unit of work per request and the caller's principal."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from credstack.errors import Forbidden
from credstack.service.people import Principal, authenticate
from credstack.service.runtime import Runtime
from credstack.store.uow import UnitOfWork

__all__ = ["BEARER_SCHEME", "CallerDep", "RuntimeDep", "UowDep", "get_runtime"]

BEARER_SCHEME = "bearerToken"
"""The OpenAPI security scheme name every operation that reads the caller declares."""

_bearer = HTTPBearer(
    scheme_name=BEARER_SCHEME,
    description="An API token from `credstack user token EMAIL`, sent as "
    "`Authorization: Bearer <token>`.",
    auto_error=False,
)


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def get_uow(runtime: RuntimeDep) -> Iterator[UnitOfWork]:
    with runtime.uow() as uow:
        yield uow


UowDep = Annotated[UnitOfWork, Depends(get_uow)]


def get_caller(
    uow: UowDep,
    request: Request,
    _declared: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)] = None,
) -> Principal | None:
    """The token's principal; None without a token. A bad token is an error, not anonymous.

    ``_declared`` only puts the bearer scheme into the OpenAPI document (so the docs page can
    authorise); the header is parsed here, because `HTTPBearer` without ``auto_error`` would
    treat a malformed header as no header and let the request through anonymously.
    """
    authorization = request.headers.get("authorization")
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Forbidden("use `Authorization: Bearer <token>`")
    principal = authenticate(uow, token.strip())
    if principal is None:
        raise Forbidden("the API token is unknown or revoked")
    uow.commit()
    return principal


CallerDep = Annotated[Principal | None, Depends(get_caller)]
