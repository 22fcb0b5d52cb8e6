"""The employer's view: several shared credentials checked together against the stacks.

A candidate may hand over four microcredentials but not the certification they add up to;
the page verifies each one and says which of the issuers' stacks the group satisfies, using
``service.group_view`` (the same answer as ``POST /api/v1/verify/group``).
"""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse

from credstack.errors import CredstackError
from credstack.http.deps import RuntimeDep
from credstack.http.ratelimit import limit_verify
from credstack.http.verify_pool import group_result, off_loop
from credstack.service import clock
from credstack.service.verification import result_json
from credstack.web.auth import require_csrf
from credstack.web.page import PageRoute, render

__all__ = ["router"]

router = APIRouter(include_in_schema=False, route_class=PageRoute)
_MAX_FILES = 20


@router.get("/employer", response_class=HTMLResponse)
def employer_form(request: Request) -> HTMLResponse:
    return render(request, "employer.html", {"title": "Check credentials together"})


@router.post("/employer", response_class=HTMLResponse)
async def employer_check(
    request: Request,
    runtime: RuntimeDep,
    files: Annotated[list[UploadFile] | None, File()] = None,
    pasted: Annotated[str | None, Form()] = None,
    email: Annotated[str | None, Form()] = None,
    csrf: Annotated[str | None, Form(max_length=200)] = None,
) -> HTMLResponse:
    require_csrf(request, csrf)
    limit_verify(request)
    items: list[bytes] = []
    for upload in files or []:
        if not upload.filename:
            continue
        limit = runtime.settings.max_credential_bytes
        data = await upload.read(limit + 1)
        if len(data) > limit:
            return _error(request, f"{upload.filename} is larger than {limit} bytes.")
        items.append(data)
    items.extend(block.strip().encode() for block in (pasted or "").split("\n\n") if block.strip())
    if not items:
        return _error(request, "Choose credential files, or paste credentials.")
    if len(items) > _MAX_FILES:
        return _error(request, f"Check at most {_MAX_FILES} credentials at once.")
    address = email.strip() if email and email.strip() else None
    # In a worker process, within the API's bounds and time budget (http.verify_pool).
    work = partial(group_result, items, clock.utc_today(), address)
    try:
        report = await off_loop(runtime.settings, work)
    except CredstackError as exc:
        return _error(request, exc.message)
    context = {
        "title": "Check credentials together",
        "results": [result_json(r) for r in report.results],
        "findings": report.findings,
        "not_counted": report.not_counted,
        "all_verified": report.all_verified,
        "holder": report.holder,
    }
    return render(request, "employer.html", context)


def _error(request: Request, message: str) -> HTMLResponse:
    context = {"title": "Check credentials together", "error": message}
    return render(request, "employer.html", context, status_code=422)
