"""procrastinate's queue as credstack reads and changes it, and why its tasks failed.

procrastinate owns `procrastinate_jobs` (PostgreSQL only, migration 0022): these are the few
questions `credstack jobs list|retry` asks of it, in one place, beside credstack's own
`job_failures` (the reason a task last failed, which procrastinate does not keep).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from credstack.store.models import JobFailureRow

__all__ = ["QueuedTask", "QueuedTasks"]


@dataclass(frozen=True)
class QueuedTask:
    """One of procrastinate's jobs, with the reason it last failed (None when it has not)."""

    id: int
    task: str
    status: str
    """procrastinate's: todo, doing, failed, ..."""
    attempts: int
    args: dict[str, Any]
    at: datetime | None
    error: str | None


class QueuedTasks:
    """The queue's tasks and their failures; the caller commits."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def newest(self, limit: int) -> list[QueuedTask]:
        rows = self.session.execute(
            text(
                "SELECT j.id, j.task_name, j.status::text, j.attempts, j.args, "
                "coalesce(j.scheduled_at, (SELECT max(e.at) FROM procrastinate_events e "
                "WHERE e.job_id = j.id)) AS at, f.error "
                "FROM procrastinate_jobs j LEFT JOIN job_failures f ON f.queue_job = j.id "
                "ORDER BY j.id DESC LIMIT :limit"
            ),
            {"limit": limit},
        ).all()
        return [
            QueuedTask(job, task, status, attempts, args or {}, at, error)
            for job, task, status, attempts, args, at, error in rows
        ]

    def again(self, job: int) -> bool:
        """Put a failed task, or one waiting for its next try, back to run now, its attempts
        counted afresh and its failure forgotten; False when there is no such task."""
        done = self.session.execute(
            text(
                "UPDATE procrastinate_jobs SET status = 'todo', attempts = 0, "
                "scheduled_at = NULL WHERE id = :id "
                "AND (status = 'failed' OR (status = 'todo' AND attempts > 0))"
            ),
            {"id": job},
        )
        if not getattr(done, "rowcount", 0):
            return False
        self.forget(job)
        return True

    def defer(self, task: str, *, queue: str, queueing_lock: str, args: dict[str, Any]) -> None:
        """Queue `task` as procrastinate's own defer does (a `procrastinate_jobs` row, whose
        insert trigger wakes the workers), unless one holding `queueing_lock` waits already:
        that one will do the work."""
        self.session.execute(
            text(
                "INSERT INTO procrastinate_jobs (queue_name, task_name, queueing_lock, args) "
                "VALUES (:queue, :task, :lock, CAST(:args AS jsonb)) "
                "ON CONFLICT (queueing_lock) WHERE status = 'todo' DO NOTHING"
            ),
            {"queue": queue, "task": task, "lock": queueing_lock, "args": json.dumps(args)},
        )

    def failed(self, job: int, task: str, error: str, attempt: int, at: datetime) -> None:
        """Record (or replace) why `job` failed this time."""
        row = self.session.scalar(select(JobFailureRow).where(JobFailureRow.queue_job == job))
        if row is None:
            row = JobFailureRow(queue_job=job)
            self.session.add(row)
        row.task, row.error, row.attempt, row.failed_at = task, error, attempt, at
        self.session.flush()

    def forget(self, job: int) -> None:
        self.session.execute(delete(JobFailureRow).where(JobFailureRow.queue_job == job))

    def failure(self, job: int) -> JobFailureRow | None:
        return self.session.scalar(select(JobFailureRow).where(JobFailureRow.queue_job == job))
