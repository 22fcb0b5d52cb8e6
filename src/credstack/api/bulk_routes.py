"""Bulk issuance over HTTP: upload a CSV, get 202 and a job to follow.

The upload is checked whole before the answer (a bad file is 422 with one FILE:LINE problem
per row, nothing kept); the rows are then issued after the answer, in this process (the
server is the embedded installation's one worker). A job a restart interrupted is finished by
uploading the same file again or by `credstack jobs retry`.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Body, Query, Response

from credstack.api.bulk_schemas import AwardImportOut, JobOut, JobProblemOut
from credstack.errors import CredstackError
from credstack.http.deps import ActorDep, RuntimeDep
from credstack.service.actor import Actor
from credstack.service.bulk import JobView, job_detail, run_job, submit_award_import
from credstack.service.runtime import Runtime

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/issuers/{issuer}", tags=["bulk issuance"])


def _job(view: JobView, failures: list[JobProblemOut] | None = None) -> JobOut:
    fields = asdict(view)
    fields.pop("requested_by")
    fields.pop("last_error")
    return JobOut(**fields, failures=failures or [])


def _run_after_answer(runtime: Runtime, actor: Actor, job: str) -> None:
    # What went wrong is kept on the job's rows, which GET shows; no one is waiting for it here.
    with suppress(CredstackError):
        run_job(runtime, actor, job)


@router.post("/award-imports", status_code=202)
def post_award_import(
    issuer: str,
    runtime: RuntimeDep,
    actor: ActorDep,
    background: BackgroundTasks,
    response: Response,
    text: Annotated[str, Body(media_type="text/csv")],
    partial: Annotated[bool, Query(description="Issue the good rows when some are bad.")] = False,
    source: Annotated[
        str, Query(max_length=300, description="The file's name, for FILE:LINE reports.")
    ] = "upload.csv",
) -> AwardImportOut:
    """Check every row, keep the file as a job and issue it after answering (admin or
    registrar). The same file again answers the existing job."""
    submitted = submit_award_import(
        runtime, actor, issuer=issuer, text=text, source=source, partial=partial
    )
    if submitted.job.status != "done":
        background.add_task(_run_after_answer, runtime, actor, submitted.job.id)
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
