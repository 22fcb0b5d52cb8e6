"""Running the tasks: `credstack worker`, and the worker inside `credstack serve`.

On PostgreSQL a worker is a procrastinate worker on the shared queue (`queue`). On SQLite
there is no queue and no second machine: one in-process worker (`LocalWorker`) looks in
credstack's tables every few seconds for what is due — import jobs with pending items, outbox
rows whose time has come, the nightly re-evaluation — and runs the same `tasks`. Either way a
restart finds the work again, because the tables, not the worker's memory, say what is left.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date

from procrastinate.exceptions import AlreadyEnqueued
from sqlalchemy.exc import OperationalError

from credstack.errors import CredstackError, InvalidInput
from credstack.service import clock
from credstack.service.jobs import failures, queue, tasks
from credstack.service.runtime import Runtime
from credstack.store.db import is_lock_timeout

__all__ = [
    "MAX_CONCURRENCY",
    "LocalWorker",
    "Pass",
    "run_worker",
    "running_worker",
]

log = logging.getLogger("credstack.jobs")

MAX_CONCURRENCY = 32
"""Tasks one worker runs at once; each holds a database connection while it runs."""
POLL_SECONDS = 2.0
DONE = "successful"
"""Succeeded tasks are deleted (a delivery sweep every 5 s would fill the table); what they did
is in credstack's tables, and failed ones stay for `credstack jobs list`."""


@dataclass(frozen=True)
class Pass:
    """What one pass of the in-process worker did."""

    imports: int
    delivered: int
    nightly: bool

    @property
    def idle(self) -> bool:
        return not (self.imports or self.delivered or self.nightly)


def _stopped(exc: Exception) -> CredstackError:
    return CredstackError(f"the worker stopped: {failures.reason(exc)}")


class LocalWorker:
    """SQLite's worker: two threads, one issuing imports and one delivering (and running the
    nightly re-evaluation), so a long import never holds up the mail; each makes a pass every
    few seconds and stops between passes."""

    def __init__(self, runtime: Runtime, poll_seconds: float = POLL_SECONDS) -> None:
        self.runtime = runtime
        self.poll_seconds = poll_seconds
        self.sweep_seconds = float(runtime.settings.outbox_sweep_seconds or poll_seconds)
        self.stopping = threading.Event()
        self._mail_written = threading.Event()
        """Set by a commit that queued a message (`UnitOfWorkFactory.after_outbox`)."""
        self._nightly_done: date | None = None
        self._threads = [
            threading.Thread(target=self._loop, args=(pass_,), name=name, daemon=True)
            for name, pass_ in (
                ("credstack-imports", self._imports),
                ("credstack-delivery", self._deliveries),
            )
        ]

    def _imports(self) -> int:
        imports = 0
        for job in tasks.pending_imports(self.runtime):
            if self.stopping.is_set():
                break
            tasks.run_import(self.runtime, job)
            imports += 1
        return imports

    def _deliveries(self) -> int:
        report = tasks.deliver_outbox(self.runtime)
        now = clock.now()
        if now.hour == self.runtime.settings.nightly_hour and self._nightly_done != now.date():
            tasks.nightly_reevaluation(self.runtime)
            self._nightly_done = now.date()
            return report.sent + report.dropped + 1
        return report.sent + report.dropped

    def one_pass(self) -> Pass:
        nightly_before = self._nightly_done
        imports = self._imports()
        delivered = self._deliveries()
        nightly = self._nightly_done != nightly_before
        return Pass(imports, delivered - int(nightly), nightly)

    def run_until_idle(self) -> int:
        """Passes until one finds nothing to do; how many passes did something. A pass that
        found the database locked (another process writing) is tried again; one that failed
        otherwise stops the worker, saying why (the work stays in the tables for the next)."""
        busy = 0
        while not self.stopping.is_set():
            try:
                if self.one_pass().idle:
                    break
            except OperationalError as exc:
                if not is_lock_timeout(exc):
                    raise _stopped(exc) from None
                self.stopping.wait(self.poll_seconds)
            except Exception as exc:
                raise _stopped(exc) from None
            busy += 1
        return busy

    def run_forever(self) -> None:
        self.start()
        self.stopping.wait()
        self.stop()

    def _loop(self, one_pass: Callable[[], int]) -> None:
        delivering = one_pass == self._deliveries
        while not self.stopping.is_set():
            try:
                one_pass()
            except Exception:  # the database busy or away: try again next time
                log.exception("worker pass failed")
            if delivering:  # the sweep's wait, cut short by new mail of this process
                self._mail_written.wait(self.sweep_seconds)
                self._mail_written.clear()
            else:
                self.stopping.wait(self.poll_seconds)

    def start(self) -> None:
        self.runtime.units.after_outbox = self._mail_written.set
        for thread in self._threads:
            thread.start()

    def stop(self, timeout: float = 60.0) -> None:
        self.runtime.units.after_outbox = None
        self.stopping.set()
        self._mail_written.set()
        for thread in self._threads:
            thread.join(timeout)


class _QueueThread:
    """A procrastinate worker on its own event loop in a thread of the server."""

    def __init__(self, runtime: Runtime) -> None:
        self.app = queue.queue_app(runtime)
        self._recording = failures.recording(runtime)
        self._loop = asyncio.new_event_loop()
        self._task: asyncio.Task[None] | None = None
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._run, name="credstack-queue", daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._work())
        except Exception:
            log.exception("the server's queue worker stopped")
        finally:
            self._started.set()
            self._loop.close()

    async def _work(self) -> None:
        async with self.app.open_async():
            self._task = asyncio.current_task()
            self._started.set()
            # One worker for imports and one for the rest, so a long import never holds up
            # the mail of a server that runs alone.
            workers = [
                self.app.run_worker_async(
                    name=f"serve-{queue_name}",
                    queues=[queue_name],
                    install_signal_handlers=False,
                    delete_jobs=DONE,
                    worker_middleware=[self._recording],
                )
                for queue_name in (queue.IMPORTS, queue.DEFAULT)
            ]
            with suppress(asyncio.CancelledError):
                await asyncio.gather(*workers)

    def start(self) -> None:
        self._thread.start()
        self._started.wait(30)  # set once open, or when opening failed (then logged)

    def stop(self, timeout: float = 60.0) -> None:
        task = self._task
        if task is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(task.cancel)  # procrastinate stops gracefully
        self._thread.join(timeout)


@contextmanager
def running_worker(runtime: Runtime) -> Iterator[None]:
    """The server's worker for as long as it serves: a procrastinate worker sharing the
    queue on PostgreSQL (alongside any `credstack worker`), the in-process one on SQLite."""
    background: LocalWorker | _QueueThread = (
        _QueueThread(runtime) if queue.is_queued(runtime) else LocalWorker(runtime)
    )
    queue.deliver_on_commit(runtime)
    background.start()
    try:
        yield
    finally:
        background.stop()


def run_worker(
    runtime: Runtime,
    *,
    concurrency: int = 1,
    until_idle: bool = False,
    stopping: threading.Event | None = None,
) -> None:
    """`credstack worker`: work until stopped (SIGTERM or SIGINT: the tasks in flight
    finish first), or with `until_idle` until nothing is left to do."""
    if not 1 <= concurrency <= MAX_CONCURRENCY:
        raise InvalidInput(f"concurrency {concurrency}: use 1 to {MAX_CONCURRENCY}")
    if not queue.is_queued(runtime):
        local = LocalWorker(runtime)
        if stopping is not None:
            local.stopping = stopping
        if until_idle:
            local.run_until_idle()
        else:
            local.run_forever()
        return
    app = queue.queue_app(runtime, max_connections=concurrency + 2)
    if until_idle:
        # A worker that stops when idle would not wait for the periodic tasks: queue what they
        # would find now.
        with app.open():
            for name in ("resume_work", "deliver_outbox"):
                with suppress(AlreadyEnqueued):
                    app.configure_task(name).defer(timestamp=0)
    app.run_worker(
        concurrency=concurrency,
        wait=not until_idle,
        delete_jobs=DONE,
        worker_middleware=[failures.recording(runtime)],
    )
