"""The employer's view: several shared credentials checked together against the stacks.

A candidate may hand over four microcredentials but not the certification they add up to;
the page verifies each one and says which of the issuers' stacks the group satisfies, using
``service.group_view`` (the same answer as ``POST /api/v1/verify/group``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse

from credstack.api.deps import RuntimeDep, UowDep
from credstack.errors import InvalidInput
from credstack.service import clock
from credstack.service.group_view import group_view
from credstack.service.sharing import ShareLinks
from credstack.service.verification import result_json, verifier_for
from credstack.web.page import PageRoute, render

__all__ = ["router"]

router = APIRouter(include_in_schema=False, route_class=PageRoute)
_MAX_BYTES = 10 * 1024 * 1024
_MAX_FILES = 20


@router.get("/employer", response_class=HTMLResponse)
def employer_form(request: Request, uow: UowDep) -> HTMLResponse:
    return render(request, uow, "employer.html", {"title": "Check credentials together"})


@router.post("/employer", response_class=HTMLResponse)
async def employer_check(
    request: Request,
    uow: UowDep,
    runtime: RuntimeDep,
    files: Annotated[list[UploadFile] | None, File()] = None,
    pasted: Annotated[str | None, Form()] = None,
    email: Annotated[str | None, Form()] = None,
) -> HTMLResponse:
    items: list[bytes] = []
    for upload in files or []:
        if not upload.filename:
            continue
        data = await upload.read(_MAX_BYTES + 1)
        if len(data) > _MAX_BYTES:
            return _error(request, uow, f"{upload.filename} is larger than 10 MiB.")
        items.append(data)
    items.extend(block.strip().encode() for block in (pasted or "").split("\n\n") if block.strip())
    if not items:
        return _error(request, uow, "Choose credential files, or paste credentials.")
    if len(items) > _MAX_FILES:
        return _error(request, uow, f"Check at most {_MAX_FILES} credentials at once.")
    verifier = verifier_for(
        uow,
        runtime.keys(uow),
        base_url=runtime.settings.base_url,
        trust_dir=runtime.settings.trust_directory,
        share_links=ShareLinks(runtime.master),
    )
    address = email.strip() if email and email.strip() else None
    try:
        report = group_view(verifier, items, clock.utc_today(), email=address)
    except InvalidInput as exc:
        return _error(request, uow, exc.message)
    context = {
        "title": "Check credentials together",
        "results": [result_json(r) for r in report.results],
        "findings": report.findings,
        "not_counted": report.not_counted,
        "all_verified": report.all_verified,
        "holder": report.holder,
    }
    return render(request, uow, "employer.html", context)


def _error(request: Request, uow: UowDep, message: str) -> HTMLResponse:
    context = {"title": "Check credentials together", "error": message}
    return render(request, uow, "employer.html", context, status_code=422)
