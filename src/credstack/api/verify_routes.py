"""`POST /api/v1/verify`: anyone may verify; the answer never says "valid" by default.

Anyone may call these routes, so each input is bounded before it is read whole (see
``credstack.limits`` and ``Settings.max_credential_bytes``) and the verification itself
runs in worker processes with a time budget (``credstack.http.verify_pool``).
"""

from __future__ import annotations

import json
from functools import partial
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Query, Request, Response

from credstack.api.verify_schemas import GroupOut, StackFindingOut, VerificationOut
from credstack.errors import InvalidInput, TooLarge
from credstack.http.bodies import bounded_body, bounded_form
from credstack.http.deps import RuntimeDep
from credstack.http.ratelimit import limit_verify
from credstack.http.verify_pool import group_result, off_loop, report, url_report
from credstack.limits import (
    MAX_FORM_OVERHEAD_BYTES,
    MAX_GROUP_BYTES,
    MAX_GROUP_CREDENTIALS,
    MAX_URL_CHARS,
)
from credstack.service import clock
from credstack.service.verification import result_json
from credstack.vc.recipient import MAX_EMAIL_LENGTH
from credstack.vc.safejson import InputRefused
from credstack.vc.safejson import loads as bounded_loads

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["verification"])
_T = TypeVar("_T")


async def _limited(request: Request) -> None:
    """`limit_verify`, on the event loop: a plain function is sent to the thread pool and back,
    a thread hop on every verification for a few arithmetic steps (as `http.deps._runtime`)."""
    limit_verify(request)


@router.post(
    "/verify",
    dependencies=[Depends(_limited)],
    response_model=VerificationOut,
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
    runtime: RuntimeDep,
    url: Annotated[
        str | None,
        Query(description="One of this server's credential URLs.", max_length=MAX_URL_CHARS),
    ] = None,
    email: Annotated[
        str | None,
        Query(
            max_length=MAX_EMAIL_LENGTH,
            description="Also check the credential was issued to the holder of this address.",
        ),
    ] = None,
) -> Response:
    # The worker renders the report (`report_json`, the shape of `VerificationOut`): this
    # process only forwards its bytes (and sends the body's, unpickled: `verify_pool.report`).
    if url is not None:
        answer = await off_loop(runtime.settings, partial(url_report, url, email))
    else:
        data = await _body(request, runtime.settings.max_credential_bytes)
        if not data.strip():
            raise InvalidInput("send the credential as the request body, a `file` field, or ?url=")
        answer = await report(runtime.settings, data, email)
    return Response(answer, media_type="application/json")


async def _body(request: Request, limit: int) -> bytes:
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        return await bounded_body(request, limit)
    form = await bounded_form(request, limit + MAX_FORM_OVERHEAD_BYTES, max_files=1, max_fields=8)
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise InvalidInput("the multipart form needs a `file` field")
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(f"the file is larger than {limit} bytes")
    return data


@router.post(
    "/verify/group",
    dependencies=[Depends(_limited)],
    openapi_extra={
        "requestBody": {
            "description": "Several credentials (at most "
            f"{MAX_GROUP_CREDENTIALS}): repeated `file` fields of a multipart form, "
            'or JSON `{"credentials": [credential or JWT, ...]}`.',
            "content": {"multipart/form-data": {}, "application/json": {}},
        }
    },
)
async def verify_group(
    request: Request,
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
    items = await _items(request, runtime.settings.max_credential_bytes)
    if not items:
        raise InvalidInput("send at least one credential")
    today = clock.utc_today()
    report = await off_loop(runtime.settings, partial(group_result, items, today, email))
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


def _too_many(count: int) -> TooLarge:
    return TooLarge(f"{count} credentials sent; a group holds at most {MAX_GROUP_CREDENTIALS}")


async def _items(request: Request, limit: int) -> list[bytes]:
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        form = await bounded_form(
            request,
            MAX_GROUP_BYTES,
            max_files=MAX_GROUP_CREDENTIALS + 1,
            max_fields=MAX_GROUP_CREDENTIALS + 8,
        )
        uploads = form.getlist("file")
        if len(uploads) > MAX_GROUP_CREDENTIALS:
            raise _too_many(len(uploads))
        items = []
        for upload in uploads:
            if isinstance(upload, str):
                raise InvalidInput("each `file` field must be a file")
            data = await upload.read(limit + 1)
            if len(data) > limit:
                raise TooLarge(f"a file is larger than {limit} bytes")
            items.append(data)
        return items
    raw = await bounded_body(request, MAX_GROUP_BYTES)
    try:
        body: Any = bounded_loads(raw.decode("utf-8"), max_bytes=MAX_GROUP_BYTES)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInput('send multipart files or JSON {"credentials": [...]}') from exc
    except InputRefused as exc:
        raise InvalidInput(exc.message) from exc
    credentials = body.get("credentials") if isinstance(body, dict) else None
    if not isinstance(credentials, list):
        raise InvalidInput('the JSON body needs a "credentials" list')
    if len(credentials) > MAX_GROUP_CREDENTIALS:
        raise _too_many(len(credentials))
    return [(c if isinstance(c, str) else json.dumps(c)).encode("utf-8") for c in credentials]
