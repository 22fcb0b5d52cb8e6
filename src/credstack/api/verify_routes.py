"""`POST /api/v1/verify`: anyone may verify; the answer never says "valid" by default."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from credstack.api.deps import RuntimeDep, UowDep
from credstack.api.verify_schemas import GroupOut, StackFindingOut, VerificationOut
from credstack.errors import InvalidInput
from credstack.service import clock
from credstack.service.group_view import group_view
from credstack.service.sharing import ShareLinks
from credstack.service.verification import result_json, verifier_for
from credstack.vc.recipient import MAX_EMAIL_LENGTH

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["verification"])
_MAX_BYTES = 10 * 1024 * 1024


@router.post(
    "/verify",
    openapi_extra={
        "requestBody": {
            "description": "The credential: JSON, a compact JWT, a baked PNG or SVG, or a PDF "
            "certificate; raw, or as the `file` field of a multipart form.",
            "content": {"application/octet-stream": {}, "multipart/form-data": {}},
        }
    },
)
async def verify(
    request: Request,
    uow: UowDep,
    runtime: RuntimeDep,
    url: Annotated[str | None, Query(description="One of this server's credential URLs.")] = None,
    email: Annotated[
        str | None,
        Query(
            max_length=MAX_EMAIL_LENGTH,
            description="Also check the credential was issued to the holder of this address.",
        ),
    ] = None,
) -> VerificationOut:
    verifier = verifier_for(
        uow,
        runtime.keys(uow),
        base_url=runtime.settings.base_url,
        trust_dir=runtime.settings.trust_directory,
        share_links=ShareLinks(runtime.master),
    )
    if url is not None:
        return VerificationOut(**result_json(verifier.verify_url(url, email=email)))
    data = await _body(request)
    if not data.strip():
        raise InvalidInput("send the credential as the request body, a `file` field, or ?url=")
    return VerificationOut(**result_json(verifier.verify_bytes(data, email=email)))


async def _body(request: Request) -> bytes:
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise InvalidInput("the multipart form needs a `file` field")
        data = await upload.read(_MAX_BYTES + 1)
    else:
        data = await request.body()
    if len(data) > _MAX_BYTES:
        raise InvalidInput("the file is larger than 10 MiB")
    return data


@router.post(
    "/verify/group",
    openapi_extra={
        "requestBody": {
            "description": "Several credentials: repeated `file` fields of a multipart form, "
            'or JSON `{"credentials": [credential or JWT, ...]}`.',
            "content": {"multipart/form-data": {}, "application/json": {}},
        }
    },
)
async def verify_group(
    request: Request,
    uow: UowDep,
    runtime: RuntimeDep,
    email: Annotated[
        str | None,
        Query(
            max_length=MAX_EMAIL_LENGTH,
            description="The holder's address: every counted credential must be issued to it.",
        ),
    ] = None,
) -> GroupOut:
    """Verify each credential, then say which of the issuers' stacks the group satisfies."""
    items = await _items(request)
    if not items:
        raise InvalidInput("send at least one credential")
    verifier = verifier_for(
        uow,
        runtime.keys(uow),
        base_url=runtime.settings.base_url,
        trust_dir=runtime.settings.trust_directory,
        share_links=ShareLinks(runtime.master),
    )
    report = group_view(verifier, items, clock.utc_today(), email=email)
    return GroupOut(
        all_verified=report.all_verified,
        credentials=[VerificationOut(**result_json(r)) for r in report.results],
        stacks=[
            StackFindingOut(
                issuer=f.issuer,
                achievement=f.achievement,
                name=f.name,
                met=f.met,
                progress=f.progress,
                counted=list(f.counted),
                missing=list(f.missing),
                text=f.text,
            )
            for f in report.findings
        ],
        not_counted=list(report.not_counted),
        holder=report.holder,
    )


async def _items(request: Request) -> list[bytes]:
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        form = await request.form()
        items = []
        for upload in form.getlist("file"):
            if isinstance(upload, str):
                raise InvalidInput("each `file` field must be a file")
            data = await upload.read(_MAX_BYTES + 1)
            if len(data) > _MAX_BYTES:
                raise InvalidInput("a file is larger than 10 MiB")
            items.append(data)
        return items
    try:
        body: Any = json.loads(await request.body())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInput('send multipart files or JSON {"credentials": [...]}') from exc
    credentials = body.get("credentials") if isinstance(body, dict) else None
    if not isinstance(credentials, list):
        raise InvalidInput('the JSON body needs a "credentials" list')
    return [(c if isinstance(c, str) else json.dumps(c)).encode("utf-8") for c in credentials]
