"""Verification off the event loop: a pool of worker processes and a time budget per request.

Canonicalising and checking a signature is CPU work; done inside an ``async`` route it held
the event loop, so one costly request made every other one (``/healthz`` included) wait.
Worker *threads* were measured and were not enough: they hold the GIL, and ``/healthz`` took
0.4 s while four costly verifications ran. Worker *processes* leave the server's own process
free (``/healthz`` in milliseconds; docs/benchmarks.md). Each worker opens its own runtime
(engine, master key) from the server's settings once, then verifies with its own session.

A request whose verification has not finished within its budget is answered 503; the worker
finishes the abandoned verification, which the bounds in ``credstack.limits`` keep to seconds.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import gc
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import date
from functools import partial
from typing import TypeVar

from credstack.config import Settings
from credstack.errors import Overloaded
from credstack.limits import VERIFY_WORKERS, WORKER_NICENESS
from credstack.service.group_view import GroupReport, group_view
from credstack.service.imports import verify_import
from credstack.service.runtime import Runtime, open_runtime
from credstack.service.verification import Verifier, report_json, verifier_for
from credstack.vc.result import VerificationResult

__all__ = [
    "award_result",
    "bytes_report",
    "bytes_result",
    "group_result",
    "off_loop",
    "pooled",
    "shutdown",
    "url_report",
    "url_result",
    "warm_up",
]

_T = TypeVar("_T")
_PARENT_CHECK_SECONDS = 1.0
_pool: ProcessPoolExecutor | None = None
_size = [VERIFY_WORKERS]  # this server process's share (`serve --workers N` divides the cores)
_starting: list[Future[None]] = []  # one per worker: done once that worker has started
_runtimes: dict[Settings, Runtime] = {}  # in each worker: one runtime per installation


def _executor(settings: Settings) -> ProcessPoolExecutor:
    global _pool
    if _pool is None:
        # spawn, not fork: the server has threads (and database connections) a fork would copy.
        _pool = ProcessPoolExecutor(
            _size[0],
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(settings, os.getpid()),
        )
        _starting.extend(_pool.submit(_noop) for _ in range(_size[0]))
    return _pool


def _discard_pool() -> None:
    global _pool
    if _pool is not None:
        _pool.shutdown(wait=False, cancel_futures=True)
    _pool = None
    _starting.clear()


def _start_worker(settings: Settings, server: int) -> None:
    """Runs once in each worker before it takes any task, so no request pays for it."""
    threading.Thread(target=_exit_with, args=(server,), daemon=True).start()
    # Workers run at a lower priority, so that on a busy machine the server process that
    # answers every other request (and /healthz) is scheduled before verification work.
    os.nice(WORKER_NICENESS)
    # One trivial verification loads what the verifier imports lazily (schemas, contexts).
    # If it fails, the first real task fails the same way and says why; the pool stays usable.
    with contextlib.suppress(Exception):
        _in_worker(settings, _ready)


def _exit_with(server: int) -> None:
    """End this worker once the server that started it is gone.

    A server stopped without its shutdown running (killed, or a test's server torn down) left
    its workers waiting for tasks forever: about 130 MB each, two per server start.
    """
    while os.getppid() == server:
        time.sleep(_PARENT_CHECK_SECONDS)
    os._exit(0)


def shutdown() -> None:
    """Stop the workers (the server's shutdown): they finish nothing more.

    They are ended at once, as an orphaned worker ends itself, and the pool is then waited
    for, so that it lets go of its queues' named semaphores now. Left to the process's exit
    they leaked: uvicorn re-raises the SIGTERM it stopped on, so a `serve --workers N` process
    died of the signal without multiprocessing's exit finalizers, and the resource tracker
    warned of leaked semaphores. Waiting for the workers to end themselves instead took tens
    of seconds on a busy machine: they run at a lower priority.
    """
    global _pool
    pool, _pool = _pool, None
    _starting.clear()
    if pool is None:
        return
    for worker in list(pool._processes.values()):  # no public way before Python 3.14
        worker.terminate()
    pool.shutdown(wait=True, cancel_futures=True)  # quick: nothing is left to wait for
    del pool
    gc.collect()  # the broken-off workers' errors hold the queues in reference cycles


def _noop() -> None:
    return None


def _in_worker(settings: Settings, work: Callable[[Verifier], _T]) -> _T:
    runtime = _runtimes.get(settings)
    if runtime is None:
        runtime = _runtimes[settings] = open_runtime(settings)
    # Read-only: verifying never writes, and on SQLite a writer's unit of work would take the
    # write lock for each verification, one worker (and every writer) waiting for the next.
    with runtime.uow(write=False) as uow:
        return work(verifier_for(runtime, uow))


async def off_loop(settings: Settings, work: Callable[[Verifier], _T]) -> _T:
    """``work(verifier)`` in a worker process; Overloaded past ``settings.verify_time_budget``.

    ``work`` must be picklable: a module-level function, or a ``functools.partial`` of one.
    """
    pool = _executor(settings)
    # A worker's start (seconds of imports on a busy machine) is not the request's fault: the
    # budget starts once a worker is up (only started workers take tasks).
    starting = [asyncio.wrap_future(f) for f in _starting if not f.done()]
    if starting:
        await asyncio.wait(starting)
    loop = asyncio.get_running_loop()
    future = loop.run_in_executor(pool, _in_worker, settings, work)
    try:
        return await asyncio.wait_for(future, settings.verify_time_budget)
    except BrokenProcessPool:
        _discard_pool()
        raise Overloaded("a verification worker stopped; try again (new ones start)") from None
    except TimeoutError:
        raise Overloaded(
            f"the verification did not finish within {settings.verify_time_budget:g} s (the "
            "server may be busy); try again later, or send a smaller credential"
        ) from None


def _in_pool(settings: Settings, work: Callable[[Verifier], _T]) -> _T:
    """``off_loop`` for a caller already off the event loop (a use case in a worker thread):
    the same pool, the same budget, answered by blocking this thread only."""
    pool = _executor(settings)
    concurrent.futures.wait(list(_starting))
    future = pool.submit(_in_worker, settings, work)
    try:
        return future.result(timeout=settings.verify_time_budget)
    except BrokenProcessPool:
        _discard_pool()
        raise Overloaded("a verification worker stopped; try again (new ones start)") from None
    except TimeoutError:
        future.cancel()
        raise Overloaded(
            f"the verification did not finish within {settings.verify_time_budget:g} s (the "
            "server may be busy); try again later, or send a smaller credential"
        ) from None


def pooled(settings: Settings) -> Callable[[bytes, str], VerificationResult]:
    """A `service.imports.Verify` that verifies in the worker pool: what an import or upsert
    is given is as hostile as what `POST /api/v1/verify` is given, so it gets the same bounds
    and time budget, and its CPU work stays out of the server's process."""

    def verify(data: bytes, email: str) -> VerificationResult:
        return _in_pool(settings, partial(verify_import, settings, data, email))

    return verify


def _ready(verifier: Verifier) -> None:
    verifier.verify_bytes(b'{"@context": []}')


def warm_up(settings: Settings, workers: int = VERIFY_WORKERS) -> None:
    """Start ``workers`` verification processes now (importing credstack takes seconds), not on
    the first request; a pool started again after a worker died has as many."""
    _size[0] = workers
    _executor(settings)


# The work routes hand to off_loop: module-level, so partials of them pickle.


def bytes_result(data: bytes, email: str | None, verifier: Verifier) -> VerificationResult:
    return verifier.verify_bytes(data, email=email)


def bytes_report(data: bytes, email: str | None, verifier: Verifier) -> bytes:
    """`bytes_result` as the API answers it (`report_json`): a few kilobytes come back from
    the worker instead of the whole result, the credential included, to unpickle."""
    return report_json(verifier.verify_bytes(data, email=email))


def url_report(url: str, email: str | None, verifier: Verifier) -> bytes:
    return report_json(verifier.verify_url(url, email=email))


def award_result(public_id: str, verifier: Verifier) -> VerificationResult | None:
    """One of our own credentials by its public id; None if it is not (or no longer) here."""
    award = verifier.uow.awards.by_public_id(public_id) if verifier.uow is not None else None
    if award is None or award.credential is None:
        return None
    return verifier.verify_award(award)


def url_result(url: str, email: str | None, verifier: Verifier) -> VerificationResult:
    return verifier.verify_url(url, email=email)


def group_result(
    items: list[bytes], today: date, email: str | None, verifier: Verifier
) -> GroupReport:
    return group_view(verifier, items, today, email=email)
