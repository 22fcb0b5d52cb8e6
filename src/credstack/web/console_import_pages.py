"""The console's imports page: assessment results and bulk awards uploaded as CSV files.

A results file goes to `earning.recording.import_results`, the use case of
`credstack result import` and `POST .../results/import`: every row is checked first, and if
any is bad nothing is written and the page lists each bad row with why. An award file goes to
`jobs.submit_in_background` (`credstack award import --background`): checked whole, kept as
a job and queued for the workers (on SQLite, the server's own); its page shows the job's
progress and reloads itself (a meta refresh, no script) until the job has finished.

Uploads are read by `http.uploads.read_upload` within `limits`' bounds, never by `Form()`
parameters, which would read an unbounded body before any check.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from credstack.http.deps import ActorDep, RuntimeDep
from credstack.http.uploads import Upload, read_upload
from credstack.limits import MAX_AWARD_IMPORT_BYTES, MAX_RESULTS_UPLOAD_BYTES
from credstack.service.actor import Actor
from credstack.service.bulk import (
    AwardImportRejected,
    job_detail,
    list_jobs,
)
from credstack.service.earning.csv_import import ImportRejected
from credstack.service.earning.recording import import_results
from credstack.service.jobs import submit_in_background
from credstack.service.runtime import Runtime
from credstack.web.auth import require_csrf
from credstack.web.console_review_pages import console_path, signed_out
from credstack.web.page import PageRoute, render

__all__ = ["router"]

router = APIRouter(include_in_schema=False, route_class=PageRoute)

_SHOWN_JOBS = 50
_REFRESH_SECONDS = 2
_FINAL = ("done", "failed")


def _page(
    request: Request,
    runtime: Runtime,
    actor: Actor,
    issuer: str,
    status_code: int = 200,
    **shown: Any,
) -> HTMLResponse:
    jobs = list_jobs(runtime, actor, issuer=issuer, limit=_SHOWN_JOBS)
    context = {
        "title": "Imports",
        "issuer": issuer,
        "path": console_path(issuer, "imports"),
        "jobs": jobs,
        "results_max_mib": MAX_RESULTS_UPLOAD_BYTES // (1024 * 1024),
        "awards_max_mib": MAX_AWARD_IMPORT_BYTES // (1024 * 1024),
        "wide": True,
        **shown,
    }
    return render(request, "console_imports.html", context, status_code=status_code)


async def _upload(request: Request, limit: int) -> Upload:
    upload = await read_upload(request, limit=limit)
    require_csrf(request, upload.fields.get("csrf"))
    return upload


@router.get("/console/issuers/{issuer}/imports", response_class=HTMLResponse, response_model=None)
def imports_page(request: Request, issuer: str, runtime: RuntimeDep, actor: ActorDep) -> Response:
    away = signed_out(actor, console_path(issuer, "imports"))
    if away is not None:
        return away
    return _page(request, runtime, actor, issuer)


@router.post("/console/issuers/{issuer}/imports/results", response_model=None)
async def results_upload(
    request: Request, issuer: str, runtime: RuntimeDep, actor: ActorDep
) -> Response:
    away = signed_out(actor, console_path(issuer, "imports"))
    if away is not None:
        return away
    upload = await _upload(request, MAX_RESULTS_UPLOAD_BYTES)
    add_learners = upload.fields.get("add_learners") == "yes"
    try:
        report = import_results(
            runtime, actor, issuer=issuer, text=upload.text, add_learners=add_learners
        )
    except ImportRejected as rejected:
        return _page(
            request,
            runtime,
            actor,
            issuer,
            status_code=rejected.http_status,
            rejected={"file": upload.filename, "problems": rejected.problems},
        )
    imported = {"file": upload.filename, "report": report}
    return _page(request, runtime, actor, issuer, imported=imported)


@router.post("/console/issuers/{issuer}/imports/awards", response_model=None)
async def awards_upload(
    request: Request,
    issuer: str,
    runtime: RuntimeDep,
    actor: ActorDep,
) -> Response:
    away = signed_out(actor, console_path(issuer, "imports"))
    if away is not None:
        return away
    upload = await _upload(request, MAX_AWARD_IMPORT_BYTES)
    try:
        submitted = submit_in_background(
            runtime, actor, issuer=issuer, text=upload.text, source=upload.filename
        )
    except AwardImportRejected as rejected:
        return _page(
            request,
            runtime,
            actor,
            issuer,
            status_code=rejected.http_status,
            rejected={"file": upload.filename, "problems": rejected.problems},
        )
    return RedirectResponse(console_path(issuer, f"imports/{submitted.job.id}"), status_code=303)


@router.get(
    "/console/issuers/{issuer}/imports/{job}", response_class=HTMLResponse, response_model=None
)
def job_page(
    request: Request, issuer: str, job: str, runtime: RuntimeDep, actor: ActorDep
) -> Response:
    path = console_path(issuer, f"imports/{job}")
    away = signed_out(actor, path)
    if away is not None:
        return away
    detail = job_detail(runtime, actor, job, issuer=issuer)
    context = {
        "title": f"Import {detail.job.source}",
        "issuer": issuer,
        "imports": console_path(issuer, "imports"),
        "detail": detail,
        "refresh": _REFRESH_SECONDS if detail.job.status not in _FINAL else None,
    }
    return render(request, "console_job.html", context)
