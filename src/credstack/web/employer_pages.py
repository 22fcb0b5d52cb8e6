"""The employer's view: several shared credentials checked together against the stacks.

A candidate may hand over four microcredentials but not the certification they add up to;
the page verifies each one and says which of the issuers' stacks the group satisfies, using
``service.group_view`` (the same answer as ``POST /api/v1/verify/group``). A learner's bundle
share link opens the same view already filled in (``/share/{token}/employer``): the credentials
are read by the link's token, not pasted, and only while the link is live.
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
from credstack.limits import MAX_URL_CHARS
from credstack.service import clock
from credstack.service.group_view import GroupReport
from credstack.service.shared_bundle import shared_bundle
from credstack.service.verification import result_json
from credstack.web.auth import require_csrf
from credstack.web.page import PageRoute, render
from credstack.web.verify_pages import GONE

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
    return render(request, "employer.html", _report(report))


@router.get("/share/{token}/employer", response_class=HTMLResponse)
async def employer_bundle(request: Request, runtime: RuntimeDep, token: str) -> HTMLResponse:
    """The employer's view of a share link's credentials, checked together as the form would,
    with nothing to download or paste; a link that ended answers 410, an unknown one 404."""
    limit_verify(request)
    bundle = shared_bundle(runtime, token[:MAX_URL_CHARS])
    if bundle is None or bundle.state != "live" or not bundle.documents:
        gone = GONE.get(bundle.state, "") if bundle is not None else ""
        ended = {
            "title": "Check credentials together",
            "error": gone or "This share link is not valid or has expired.",
        }
        return render(request, "employer.html", ended, status_code=410 if gone else 404)
    work = partial(group_result, list(bundle.documents), clock.utc_today(), None)
    try:
        report = await off_loop(runtime.settings, work)
    except CredstackError as exc:
        return _error(request, exc.message)
    context = _report(report)
    context["share_url"] = bundle.share_url
    return render(request, "employer.html", context)


def _report(report: GroupReport) -> dict[str, object]:
    return {
        "title": "Check credentials together",
        "results": [result_json(r) for r in report.results],
        "findings": report.findings,
        "not_counted": report.not_counted,
        "all_verified": report.all_verified,
        "holder": report.holder,
    }


def _error(request: Request, message: str) -> HTMLResponse:
    context = {"title": "Check credentials together", "error": message}
    return render(request, "employer.html", context, status_code=422)
