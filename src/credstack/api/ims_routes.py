"""The 1EdTech Open Badges 3.0 and CLR 2.0 REST APIs under `/ims/`: discovery (public) and,
for each, getCredentials / upsertCredential / getProfile / putProfile (an OAuth access token
with the endpoint's scope). Errors here are
Imsx_StatusInfo objects (`api.imsx`, mapped in the composition root)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from credstack.http.bodies import bounded_body
from credstack.http.deps import DelegateDep, RuntimeDep
from credstack.http.verify_pool import pooled
from credstack.limits import MAX_IMPORT_BYTES, MAX_PROFILE_BYTES
from credstack.service.imports import upsert_clr, upsert_credential
from credstack.service.oauth.scopes import Api
from credstack.service.standards_api import (
    CredentialPage,
    clr_credentials,
    discovery_document,
    learner_profile,
    ob_credentials,
    update_profile,
)

__all__ = ["router"]

router = APIRouter(tags=["1EdTech Open Badges 3.0 / CLR 2.0"])

_Limit = Annotated[int | None, Query(description="Credentials per page (1 to 100).")]
_Offset = Annotated[int | None, Query(description="Credentials to skip.")]
_Since = Annotated[
    datetime | None, Query(description="Only credentials issued at or after this instant.")
]


def _links(url: str, page: CredentialPage) -> str:
    """RFC 8288 `Link` with first, last, and prev / next where there is one (OB 3.0 §6.4)."""
    last = max(0, (page.total - 1) // page.limit * page.limit)

    def at(offset: int) -> str:
        return f"<{url}?{urlencode({'limit': page.limit, 'offset': offset})}>"

    links = [f'{at(0)}; rel="first"', f'{at(last)}; rel="last"']
    if page.offset + page.limit < page.total:
        links.insert(0, f'{at(page.offset + page.limit)}; rel="next"')
    if page.offset > 0:
        links.append(f'{at(max(0, page.offset - page.limit))}; rel="prev"')
    return ", ".join(links)


def _page(request: Request, runtime: RuntimeDep, page: CredentialPage) -> JSONResponse:
    url = runtime.settings.base_url + request.url.path
    return JSONResponse(
        {"credential": list(page.credentials)},
        headers={"X-Total-Count": str(page.total), "Link": _links(url, page)},
    )


@router.get("/ims/ob/v3p0/discovery")
def ob_discovery(runtime: RuntimeDep) -> dict[str, Any]:
    """getServiceDescription: the OB 3.0 Service Description Document (OpenAPI 3.0)."""
    return discovery_document(runtime.settings, Api.OB)


@router.get("/ims/clr/v2p0/discovery")
def clr_discovery(runtime: RuntimeDep) -> dict[str, Any]:
    """getServiceDescription: the CLR 2.0 Service Description Document (OpenAPI 3.0)."""
    return discovery_document(runtime.settings, Api.CLR)


@router.get("/ims/ob/v3p0/credentials", response_class=JSONResponse)
def ob_get_credentials(
    request: Request,
    runtime: RuntimeDep,
    actor: DelegateDep,
    limit: _Limit = None,
    offset: _Offset = None,
    since: _Since = None,
) -> JSONResponse:
    """getCredentials: the learner's OB 3.0 credentials as issued, with paging headers."""
    found = ob_credentials(runtime, actor, limit=limit, offset=offset, since=since)
    return _page(request, runtime, found)


@router.post(
    "/ims/ob/v3p0/credentials",
    status_code=201,
    openapi_extra={
        "requestBody": {
            "description": "An OB 3.0 AchievementCredential as JSON, or as a compact JWS "
            "(VC-JWT) in text/plain.",
            "content": {"application/json": {}, "text/plain": {}},
        }
    },
)
async def ob_upsert_credential(
    request: Request, runtime: RuntimeDep, actor: DelegateDep
) -> Response:
    """upsertCredential: verify the credential and keep it in the learner's wallet; 201 when it
    is new, 200 when it replaced the one with the same id. It is answered as it was sent."""
    data = await bounded_body(request, MAX_IMPORT_BYTES)
    # Verified in the verification workers, with the bounds and budget of /api/v1/verify.
    verify = pooled(runtime.settings)
    kept = await run_in_threadpool(upsert_credential, runtime, actor, data=data, verify=verify)
    status = 200 if kept.replaced else 201
    if kept.source_format == "jwt" and kept.compact is not None:
        return PlainTextResponse(kept.compact, status_code=status)
    return JSONResponse(dict(kept.credential), status_code=status)


@router.get("/ims/clr/v2p0/credentials", response_class=JSONResponse)
def clr_get_credentials(
    request: Request,
    runtime: RuntimeDep,
    actor: DelegateDep,
    limit: _Limit = None,
    offset: _Offset = None,
    since: _Since = None,
) -> JSONResponse:
    """getCredentials: the learner's record as one signed CLR 2.0 credential."""
    found = clr_credentials(runtime, actor, limit=limit, offset=offset, since=since)
    return _page(request, runtime, found)


@router.post(
    "/ims/clr/v2p0/credentials",
    status_code=201,
    openapi_extra={
        "requestBody": {
            "description": "A CLR 2.0 ClrCredential as JSON, or as a compact JWS (VC-JWT) in "
            "text/plain.",
            "content": {"application/json": {}, "text/plain": {}},
        }
    },
)
async def clr_upsert_credential(
    request: Request, runtime: RuntimeDep, actor: DelegateDep
) -> Response:
    """upsertCredential: verify the record and each credential it wraps, and keep those in the
    learner's wallet; 201 when one was new, 200 when all replaced ones with the same id."""
    data = await bounded_body(request, MAX_IMPORT_BYTES)
    verify = pooled(runtime.settings)  # in the verification workers, like /api/v1/verify
    kept = await run_in_threadpool(upsert_clr, runtime, actor, data=data, verify=verify)
    status = 201 if kept.added else 200
    if kept.compact is not None:
        return PlainTextResponse(kept.compact, status_code=status)
    return JSONResponse(dict(kept.record), status_code=status)


@router.get("/ims/ob/v3p0/profile")
def ob_get_profile(runtime: RuntimeDep, actor: DelegateDep) -> dict[str, Any]:
    """getProfile: the learner's Profile."""
    return learner_profile(runtime, actor, Api.OB)


@router.get("/ims/clr/v2p0/profile")
def clr_get_profile(runtime: RuntimeDep, actor: DelegateDep) -> dict[str, Any]:
    """getProfile: the learner's Profile."""
    return learner_profile(runtime, actor, Api.CLR)


_PROFILE_BODY = {
    "requestBody": {
        "description": "The spec's Profile (`id` as getProfile gave it, `type`, and `name` "
        "and/or `email`).",
        "content": {"application/json": {}},
    }
}


async def _put_profile(
    request: Request, runtime: RuntimeDep, actor: DelegateDep, api: Api
) -> JSONResponse:
    data = await bounded_body(request, MAX_PROFILE_BYTES)
    done = await run_in_threadpool(update_profile, runtime, actor, api, data=data)
    return JSONResponse(done.profile, status_code=202 if done.email_pending else 200)


@router.put("/ims/ob/v3p0/profile", openapi_extra=_PROFILE_BODY)
async def ob_put_profile(request: Request, runtime: RuntimeDep, actor: DelegateDep) -> Response:
    """putProfile: the name changes at once; a new e-mail address is answered 202 and changes
    only once the learner follows the link mailed to it."""
    return await _put_profile(request, runtime, actor, Api.OB)


@router.put("/ims/clr/v2p0/profile", openapi_extra=_PROFILE_BODY)
async def clr_put_profile(request: Request, runtime: RuntimeDep, actor: DelegateDep) -> Response:
    """putProfile: the name changes at once; a new e-mail address is answered 202 and changes
    only once the learner follows the link mailed to it."""
    return await _put_profile(request, runtime, actor, Api.CLR)
