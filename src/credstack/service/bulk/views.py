"""A job as people and programs read it: what it is, how far it got, what went wrong."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from credstack.store.models import IssuerRow, JobItemRow, JobRow
from credstack.store.uow import UnitOfWork

__all__ = ["ItemProblem", "JobView", "failed_items", "item_counts", "job_view"]

PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"
SKIPPED = "skipped"
"""An item whose learner already held the achievement."""


@dataclass(frozen=True)
class ItemProblem:
    line: int
    message: str


@dataclass(frozen=True)
class JobView:
    id: str
    kind: str
    issuer: str | None
    source: str
    requested_by: str
    status: str
    total: int
    done: int
    skipped: int
    failed: int
    attempts: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    last_error: str | None

    @property
    def settled(self) -> int:
        """Items with a final state: issued, skipped or failed."""
        return self.done + self.skipped + self.failed

    @property
    def pending(self) -> int:
        return self.total - self.settled


def job_view(uow: UnitOfWork, job: JobRow) -> JobView:
    issuer = uow.session.get(IssuerRow, job.issuer_id) if job.issuer_id is not None else None
    return JobView(
        id=job.public_id,
        kind=job.kind,
        issuer=issuer.key if issuer is not None else None,
        source=job.source,
        requested_by=job.requested_by,
        status=job.status,
        total=job.total,
        done=job.done,
        skipped=job.skipped,
        failed=job.failed,
        attempts=job.attempts,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        last_error=job.last_error,
    )


def item_counts(uow: UnitOfWork, job_id: int) -> dict[str, int]:
    """Items per state, counted from the items themselves (what the job's counters mirror)."""
    rows = uow.session.execute(
        select(JobItemRow.state, func.count())
        .where(JobItemRow.job_id == job_id)
        .group_by(JobItemRow.state)
    )
    return {str(state): int(count) for state, count in rows}


def failed_items(uow: UnitOfWork, job_id: int, limit: int) -> tuple[ItemProblem, ...]:
    found = uow.session.execute(
        select(JobItemRow.line, JobItemRow.message)
        .where(JobItemRow.job_id == job_id, JobItemRow.state == FAILED)
        .order_by(JobItemRow.line)
        .limit(limit)
    )
    return tuple(ItemProblem(line, message or "") for line, message in found)
