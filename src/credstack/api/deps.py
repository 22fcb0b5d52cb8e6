"""Request-scoped dependencies: a unit of work per request and the caller's principal."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, Request

from credstack.errors import Forbidden
from credstack.service.people import Principal, authenticate
from credstack.service.runtime import Runtime
from credstack.store.uow import UnitOfWork

__all__ = ["CallerDep", "RuntimeDep", "UowDep", "get_runtime"]


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def get_uow(runtime: RuntimeDep) -> Iterator[UnitOfWork]:
    with runtime.uow() as uow:
        yield uow


UowDep = Annotated[UnitOfWork, Depends(get_uow)]


def get_caller(
    uow: UowDep, authorization: Annotated[str | None, Header()] = None
) -> Principal | None:
    """The token's principal; None without a token. A bad token is an error, not anonymous."""
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
