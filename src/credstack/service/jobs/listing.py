"""`credstack jobs list|retry` over every kind of job, in one list.

Three places hold jobs, and each stays the record of its own kind: import jobs (`jobs`,
`job_items`), deliveries that failed (the outbox's `last_error`: retrying after a backoff, or
given up on), and, on PostgreSQL, the queue's own tasks (procrastinate's `procrastinate_jobs`:
waiting, running, retrying after a failure, or failed after its retries; succeeded ones are
deleted by the workers), each with the reason it last failed (`failures`).
Only the operator sees the outbox and the queue, which hold every issuer's work.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from credstack.errors import Forbidden, InvalidInput, NotFound
from credstack.service import clock
from credstack.service.actor import Actor
from credstack.service.bulk import JobView, list_jobs, retry_job
from credstack.service.jobs import queue
from credstack.service.mail import outbox
from credstack.service.runtime import Runtime
from credstack.store.models import OutboxMessageRow

__all__ = [
    "MAX_LISTED",
    "OUTBOX_PREFIX",
    "QUEUE_PREFIX",
    "Retried",
    "WorkItem",
    "list_work",
    "retry_work",
]

MAX_LISTED = 500
OUTBOX_PREFIX = "outbox-"
QUEUE_PREFIX = "queue-"
RETRYING = "retrying"
_QUEUE_STATES = {"todo": "pending", "doing": "running", "succeeded": "done"}


@dataclass(frozen=True)
class WorkItem:
    """One line of `jobs list`: an import job (`job` set) or a delivery or a queued task."""

    id: str
    kind: str
    state: str
    attempts: int
    last_error: str | None
    when: datetime
    job: JobView | None = None


@dataclass(frozen=True)
class Retried:
    """`jobs retry`: an import job put back (the caller runs or queues it), or the id of a
    delivery or task queued again."""

    id: str
    job: JobView | None = None


def _deliveries(runtime: Runtime, limit: int) -> list[WorkItem]:
    with runtime.uow(write=False) as uow:
        rows = uow.session.scalars(
            select(OutboxMessageRow)
            .where(
                OutboxMessageRow.last_error.is_not(None),
                OutboxMessageRow.status.in_((outbox.PENDING, outbox.FAILED)),
            )
            .order_by(OutboxMessageRow.due_at.desc())
            .limit(limit)
        )
        return [
            WorkItem(
                id=OUTBOX_PREFIX + row.public_id,
                kind=row.kind if row.kind == "webhook" else f"mail:{row.kind}",
                state=RETRYING if row.status == outbox.PENDING else outbox.FAILED,
                attempts=row.attempts,
                last_error=row.last_error,
                when=row.due_at,
            )
            for row in rows
        ]


def _queued(runtime: Runtime, limit: int) -> list[WorkItem]:
    if not queue.is_queued(runtime):
        return []
    with runtime.uow(write=False) as uow:
        tasks = uow.queued_tasks.newest(limit)
    items = []
    for task in tasks:
        name = f"{task.task}({task.args['job']})" if "job" in task.args else task.task
        state = _QUEUE_STATES.get(task.status, task.status)
        if task.status == "todo" and task.attempts:
            state = RETRYING  # waiting for its next try after a failure
        items.append(
            WorkItem(
                id=f"{QUEUE_PREFIX}{task.id}",
                kind=name,
                state=state,
                attempts=task.attempts,
                last_error=task.error,
                when=task.at or clock.now(),
            )
        )
    return items


def list_work(
    runtime: Runtime, actor: Actor, *, state: str | None = None, limit: int = 50
) -> tuple[WorkItem, ...]:
    """Newest first, at most `limit`: import jobs for anyone who may import, and for the
    operator also failed deliveries and the queue's tasks."""
    if not 1 <= limit <= MAX_LISTED:
        raise InvalidInput(f"list 1 to {MAX_LISTED} jobs")
    items = [
        WorkItem(j.id, j.kind, j.status, j.attempts, j.last_error, j.created_at, j)
        for j in list_jobs(runtime, actor, status=state, limit=limit)
    ]
    if actor.is_operator:
        items += _deliveries(runtime, limit) + _queued(runtime, limit)
    if state is not None:
        items = [i for i in items if i.state == state]
    items.sort(key=lambda i: i.when, reverse=True)
    return tuple(items[:limit])


def retry_work(runtime: Runtime, actor: Actor, work: str, *, queue_import: bool = False) -> Retried:
    """Try again now: an import job's failed items (run by the caller, or with `queue_import`
    by a worker), a delivery (its attempts counted afresh), or a queued task that failed or
    waits to retry (its attempts counted afresh, its recorded failure forgotten)."""
    if work.startswith(OUTBOX_PREFIX):
        _operator_only(actor)
        with runtime.uow() as uow:
            done = uow.session.execute(
                update(OutboxMessageRow)
                .where(
                    OutboxMessageRow.public_id == work.removeprefix(OUTBOX_PREFIX),
                    OutboxMessageRow.status.in_((outbox.PENDING, outbox.FAILED)),
                )
                .values(status=outbox.PENDING, due_at=clock.now(), attempts=0)
            )
            if not getattr(done, "rowcount", 0):
                raise NotFound(f"no delivery {work!r} to try again (see `credstack jobs list`)")
            uow.commit()
        return Retried(work)
    if work.startswith(QUEUE_PREFIX) and queue.is_queued(runtime):
        _operator_only(actor)
        number = work.removeprefix(QUEUE_PREFIX)
        if not number.isdigit() or len(number) > 18:
            raise NotFound(f"unknown job {work!r} (see `credstack jobs list`)")
        with runtime.uow() as uow:
            try:
                again = uow.queued_tasks.again(int(number))
            except IntegrityError:  # its queueing lock: the same task waits already
                raise InvalidInput(f"{work}: the same task is queued already") from None
            if not again:
                raise NotFound(f"no failed or retrying job {work!r} (see `credstack jobs list`)")
            uow.commit()
        return Retried(work)
    job = retry_job(runtime, actor, work)
    if queue_import and job.pending and queue.is_queued(runtime):
        queue.defer_import(runtime, job.id)
    return Retried(work, job)


def _operator_only(actor: Actor) -> None:
    if not actor.is_operator:
        raise Forbidden("only the operator retries deliveries and queued tasks")
