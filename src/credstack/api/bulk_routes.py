"""Bulk issuance over HTTP: upload a CSV, get 202 and a job to follow.

The upload is checked whole before the answer (a bad file is 422 with one FILE:LINE problem
per row, nothing kept); the rows are then issued after the answer by the workers
(`service/jobs`: the server's own, and any `credstack worker`). A job a restart interrupted is
found again by the workers, from its pending rows.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Body, Query, Response

from credstack.api.bulk_schemas import AwardImportOut, JobOut, JobProblemOut
from credstack.http.deps import ActorDep, RuntimeDep
from credstack.service.bulk import JobView, job_detail
from credstack.service.jobs import submit_in_background

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/issuers/{issuer}", tags=["bulk issuance"])


def _job(view: JobView, failures: list[JobProblemOut] | None = None) -> JobOut:
    fields = asdict(view)
    fields.pop("requested_by")
    fields.pop("last_error")
    return JobOut(**fields, failures=failures or [])


@router.post("/award-imports", status_code=202)
def post_award_import(
    issuer: str,
    runtime: RuntimeDep,
    actor: ActorDep,
    response: Response,
    text: Annotated[str, Body(media_type="text/csv")],
    partial: Annotated[bool, Query(description="Issue the good rows when some are bad.")] = False,
    source: Annotated[
        str, Query(max_length=300, description="The file's name, for FILE:LINE reports.")
    ] = "upload.csv",
) -> AwardImportOut:
    """Check every row, keep the file as a job and issue it after answering (admin or
    registrar). The same file again answers the existing job."""
    submitted = submit_in_background(
        runtime, actor, issuer=issuer, text=text, source=source, partial=partial
    )
    progress = f"/api/v1/issuers/{issuer}/award-imports/{submitted.job.id}"
    response.headers["Location"] = progress
    return AwardImportOut(
        job=_job(submitted.job),
        new=submitted.new,
        left_out=list(submitted.problems),
        progress=progress,
    )


@router.get("/award-imports/{job}")
def get_award_import(issuer: str, job: str, runtime: RuntimeDep, actor: ActorDep) -> JobOut:
    """The job's progress, and its first failed rows with why."""
    detail = job_detail(runtime, actor, job, issuer=issuer)
    return _job(detail.job, [JobProblemOut(**asdict(p)) for p in detail.problems])
