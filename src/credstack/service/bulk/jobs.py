"""Jobs as staff see them: the list, one job's progress, and trying failed items again."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update

from credstack.errors import Forbidden, InvalidInput, NotFound
from credstack.service.actor import Actor, authorise
from credstack.service.bulk.award_import import IMPORT_ROLES
from credstack.service.bulk.runner import find_job
from credstack.service.bulk.views import (
    FAILED,
    PENDING,
    ItemProblem,
    JobView,
    failed_items,
    job_view,
)
from credstack.service.people import require_issuer
from credstack.service.runtime import Runtime
from credstack.store.models import IssuerRow, JobItemRow, JobRow

__all__ = ["MAX_LISTED", "JobDetail", "job_detail", "list_jobs", "retry_job"]

MAX_LISTED = 500
MAX_PROBLEMS_SHOWN = 100


@dataclass(frozen=True)
class JobDetail:
    job: JobView
    problems: tuple[ItemProblem, ...]
    """The first failed items, with why (at most `MAX_PROBLEMS_SHOWN`)."""


def list_jobs(
    runtime: Runtime,
    actor: Actor,
    *,
    status: str | None = None,
    limit: int = 50,
    issuer: str | None = None,
) -> tuple[JobView, ...]:
    """The newest jobs first: all of them for the operator, else the actor's issuers' jobs;
    with `issuer`, only that issuer's (the console's imports page)."""
    if not 1 <= limit <= MAX_LISTED:
        raise InvalidInput(f"list 1 to {MAX_LISTED} jobs")
    if not actor.is_operator and actor.user_id is None:
        raise Forbidden("listing jobs needs a staff role at an issuer")
    with runtime.uow(write=False) as uow:
        query = select(JobRow).order_by(JobRow.id.desc()).limit(limit)
        if status is not None:
            query = query.where(JobRow.status == status)
        if issuer is not None:
            where = require_issuer(uow, issuer)
            authorise(actor, where.key, *IMPORT_ROLES, what="see the issuer's import jobs")
            query = query.where(JobRow.issuer_id == where.id)
        if not actor.is_operator:
            mine = [i for i in actor.issuers() if actor.may(i, *IMPORT_ROLES)]
            query = query.join(IssuerRow, IssuerRow.id == JobRow.issuer_id).where(
                IssuerRow.key.in_(mine)
            )
        return tuple(job_view(uow, row) for row in uow.session.scalars(query))


def job_detail(runtime: Runtime, actor: Actor, job: str, *, issuer: str | None = None) -> JobDetail:
    """One job and its first failed items; with `issuer`, only that issuer's job."""
    with runtime.uow(write=False) as uow:
        row = find_job(uow, job)
        view = job_view(uow, row)
        if issuer is not None and view.issuer != issuer:
            raise NotFound(f"issuer {issuer} has no job {job!r}")
        authorise(actor, view.issuer or "", *IMPORT_ROLES, what="see this job")
        return JobDetail(view, failed_items(uow, row.id, MAX_PROBLEMS_SHOWN))


def retry_job(runtime: Runtime, actor: Actor, job: str) -> JobView:
    """Put the job's failed items back to pending (skipped ones stay skipped: there was
    nothing to do); the caller then runs it (`runner.run_job`)."""
    with runtime.uow() as uow:
        row = find_job(uow, job)
        view = job_view(uow, row)
        authorise(actor, view.issuer or "", *IMPORT_ROLES, what="retry this job")
        result = uow.session.execute(
            update(JobItemRow)
            .where(JobItemRow.job_id == row.id, JobItemRow.state == FAILED)
            .values(state=PENDING, message=None)
        )
        again = int(getattr(result, "rowcount", 0) or 0)
        if again or row.status != "done":
            row.status = PENDING
            row.failed = 0
            row.finished_at = None
            row.last_error = None
        uow.commit()
        return job_view(uow, row)
