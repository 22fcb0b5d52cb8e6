"""The PostgreSQL queue: procrastinate's tasks over `tasks`, deferred, retried and scheduled.

procrastinate keeps its jobs in PostgreSQL (migration 0022_job_queue) and hands each to one
worker with ``SELECT ... FOR UPDATE SKIP LOCKED``, so any number of `credstack worker`
processes on any number of machines share the queue. A task that raises is retried with
exponential backoff (`RETRY`); one that still fails stays `failed` in `credstack jobs list`.

- `run_import(job)`: deferred when an import is submitted, with the queueing lock
  ``import:<job>`` (at most one waiting per job). A run that starts while items are pending
  defers the next one first, so an idle worker joins in and the two share the job through the
  runner's item claims; the run that finds nothing pending ends the chain. A run that fails
  withdraws its waiting joiner, so its own retry (with backoff) is the one that comes next.
- `deliver_outbox()`: when a commit queued a message (`deliver_on_commit`), after an import
  run (its awards' e-mail), and every 5 seconds (`CREDSTACK_OUTBOX_SWEEP_SECONDS`) as the
  safety net.
- `resume_work()`: every minute: imports with pending items get a run (a worker killed
  mid-job, or a defer lost after its commit), and jobs of workers that stopped sending
  heartbeats are retried.
- `nightly_reevaluation()`: daily at `CREDSTACK_NIGHTLY_HOUR` (UTC).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import Any, TypeVar

import procrastinate
import psycopg
import psycopg_pool
from procrastinate.exceptions import AlreadyEnqueued
from psycopg.abc import PQGen

from credstack.service.jobs import tasks
from credstack.service.runtime import Runtime

__all__ = [
    "DEFAULT",
    "DELIVER_EVERY_SECONDS",
    "IMPORTS",
    "RETRY",
    "conninfo",
    "defer_import",
    "deliver_on_commit",
    "is_queued",
    "queue_app",
    "sweep_cron",
]

log = logging.getLogger("credstack.jobs")
T = TypeVar("T")

RETRY = procrastinate.RetryStrategy(max_attempts=8, exponential_wait=3)
"""9 s after the first failure, then 27 s, 81 s, ... about an hour and a half in all."""
DELIVER_EVERY_SECONDS = 5
IMPORTS, DEFAULT = "imports", "default"
"""Queues: imports on their own, so a worker may keep a slot for the rest (`worker`)."""
STALLED_SECONDS = 60.0
"""A worker silent this long (heartbeats every 10 s) is taken for dead, its jobs retried."""


WAIT_WAKEUP_SECONDS = 60.0
"""How often a waiting queue connection wakes with nothing to read (psycopg's own: 0.1 s)."""


class QueueConnection(psycopg.AsyncConnection[tuple[Any, ...]]):
    """A connection of the queue's pool that sleeps while it waits.

    psycopg wakes every wait 10 times a second to notice Ctrl-C, which a blocking wait needs.
    procrastinate's LISTEN connection waits all the time, so an idle server on PostgreSQL woke
    20 times a second (two workers) for nothing: about 6 ms of CPU a second. On an event loop
    the socket's readiness, the wait's own timeout and task cancellation end the wait, and
    signals reach the loop by its wake-up descriptor, so a long interval loses nothing.
    """

    async def wait(
        self, gen: PQGen[T], interval: float = WAIT_WAKEUP_SECONDS, timeout: float | None = None
    ) -> T:
        return await super().wait(gen, max(interval, WAIT_WAKEUP_SECONDS), timeout)


def _pool(
    **kwargs: Any,
) -> psycopg_pool.AsyncConnectionPool[psycopg.AsyncConnection[tuple[Any, ...]]]:
    return psycopg_pool.AsyncConnectionPool(connection_class=QueueConnection, **kwargs)


def is_queued(runtime: Runtime) -> bool:
    """PostgreSQL has the queue; on SQLite the one in-process worker reads the tables."""
    return runtime.engine.dialect.name == "postgresql"


def conninfo(runtime: Runtime) -> str:
    """The installation's database as libpq connection string (the SQLAlchemy URL without
    its driver name)."""
    return runtime.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _lock(job: str) -> str:
    return f"import:{job}"


def queue_app(runtime: Runtime, *, max_connections: int = 4) -> procrastinate.App:
    """An app whose tasks run against `runtime`; open it (`with app.open():` to defer,
    `run_worker` to work) before use."""
    connector = procrastinate.PsycopgConnector(
        conninfo=conninfo(runtime), min_size=1, max_size=max_connections, pool_factory=_pool
    )
    app = procrastinate.App(connector=connector)

    def in_thread(body: Callable[[], T]) -> Awaitable[T]:
        # The work is blocking database I/O: off the worker's event loop.
        return asyncio.to_thread(body)

    async def defer_run(job: str) -> int | None:
        """The queued run's id; None when one is waiting already (it will take what is
        pending)."""
        try:
            return await run_import.configure(queueing_lock=_lock(job)).defer_async(job=job)
        except AlreadyEnqueued:
            return None

    @app.task(name="run_import", queue=IMPORTS, retry=RETRY)
    async def run_import(job: str) -> None:
        if job not in await in_thread(lambda: tasks.pending_imports(runtime)):
            return
        joiner = await defer_run(job)  # a second worker may join in while this one runs
        try:
            view = await in_thread(lambda: tasks.run_import(runtime, job))
        except Exception:
            # The run's retry takes the job's queueing lock back: a joiner still waiting under
            # it would refuse the retry (and would only fail the same way, deferring another).
            if joiner is not None:
                await app.job_manager.cancel_job_by_id_async(joiner, delete_job=True)
            raise
        log.info("import %s: %s, %d of %d issued", job, view.status, view.done, view.total)
        await deliver_soon()

    async def deliver_soon() -> None:
        with suppress(AlreadyEnqueued):
            await deliver_outbox.configure(queueing_lock="outbox").defer_async(timestamp=0)

    sweep = runtime.settings.outbox_sweep_seconds or DELIVER_EVERY_SECONDS

    @app.periodic(cron=sweep_cron(sweep), periodic_id="outbox")
    @app.task(name="deliver_outbox", queueing_lock="outbox", retry=RETRY)
    async def deliver_outbox(timestamp: int) -> None:
        report = await in_thread(lambda: tasks.deliver_outbox(runtime))
        if report.sent or report.any_failed:
            log.info("outbox: %s", report)

    @app.periodic(cron="* * * * *", periodic_id="resume")
    @app.task(name="resume_work", queueing_lock="resume", retry=RETRY)
    async def resume_work(timestamp: int) -> None:
        manager = app.job_manager
        for stalled in await manager.get_stalled_jobs(seconds_since_heartbeat=STALLED_SECONDS):
            log.warning("retrying job %s of a stalled worker", stalled.id)
            try:
                await manager.retry_job(stalled)
            except Exception:  # e.g. a copy waits already under its queueing lock
                log.exception("could not retry job %s", stalled.id)
        for job in await in_thread(lambda: tasks.pending_imports(runtime)):
            await defer_run(job)

    hour = runtime.settings.nightly_hour

    @app.periodic(cron=f"0 {hour} * * *", periodic_id="nightly")
    @app.task(name="nightly_reevaluation", queueing_lock="nightly", retry=RETRY)
    async def nightly_reevaluation(timestamp: int) -> None:
        done = await in_thread(lambda: tasks.nightly_reevaluation(runtime))
        log.info("nightly re-evaluation: %s", done)

    return app


def sweep_cron(seconds: int) -> str:
    """Every `seconds` (under a minute), or every whole minute that many seconds make."""
    if seconds < 60:
        return f"* * * * * */{seconds}"
    minutes = seconds // 60
    return "0 * * * *" if minutes >= 60 else f"*/{minutes} * * * *"


def deliver_on_commit(runtime: Runtime) -> None:
    """From now on a commit that queued a message also queues a `deliver_outbox` task (unless
    one waits already), so the mail of a single award goes at once, from whichever process
    wrote it; the periodic sweep stays the safety net. PostgreSQL only (SQLite's in-process
    worker is woken instead: `worker.LocalWorker`)."""
    if not is_queued(runtime):
        return

    def deliver_soon() -> None:
        try:
            with runtime.uow() as uow:
                uow.queued_tasks.defer(
                    "deliver_outbox", queue=DEFAULT, queueing_lock="outbox", args={"timestamp": 0}
                )
                uow.commit()
        except Exception:  # the message is committed: the sweep will find it
            log.exception("could not queue the delivery of a new message")

    runtime.units.after_outbox = deliver_soon


def defer_import(runtime: Runtime, job: str) -> bool:
    """Queue a run of an import job; False when one is waiting already."""
    app = queue_app(runtime, max_connections=1)
    with app.open():
        try:
            app.configure_task("run_import", queueing_lock=_lock(job)).defer(job=job)
        except AlreadyEnqueued:
            return False
    return True
