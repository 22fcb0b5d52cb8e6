"""Why a task on the PostgreSQL queue failed, kept for `credstack jobs list`.

procrastinate records that a task failed (and retries it) but not why; the reason was only in
the worker's log. Every job a worker runs passes through `recording`, which writes the
exception's type and message (one line, bounded, with any URL's user and password cut out,
never a traceback) to `job_failures`, and removes it once the task succeeds on a later try.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from procrastinate import JobContext
from sqlalchemy.exc import DBAPIError

from credstack.service import clock
from credstack.service.runtime import Runtime

__all__ = ["MAX_REASON", "reason", "recording"]

log = logging.getLogger("credstack.jobs")

MAX_REASON = 500
"""Characters of a reason: the exception's first words say what went wrong."""
_USERINFO = re.compile(r"(\b[a-z][a-z0-9+.-]*://)[^/\s@]*@", re.IGNORECASE)


def reason(exc: BaseException) -> str:
    """`Type: message` on one line, at most `MAX_REASON` characters, without URL userinfo
    (a database URL's password, say). A database error is the driver's own message: not
    SQLAlchemy's, which quotes the statement and its parameters (a learner's sealed data)."""
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        said = (
            f"{type(exc.orig).__name__}: {str(exc.orig).splitlines()[0] if str(exc.orig) else ''}"
        )
    else:
        said = f"{type(exc).__name__}: {exc}"
    text = " ".join(said.split())
    text = _USERINFO.sub(r"\1…@", text)
    return text if len(text) <= MAX_REASON else text[: MAX_REASON - 1] + "…"


def _failed(runtime: Runtime, job: int, task: str, why: str, attempt: int) -> None:
    with runtime.uow() as uow:
        uow.queued_tasks.failed(job, task[:200], why, attempt, clock.now())
        uow.commit()


def _succeeded(runtime: Runtime, job: int) -> None:
    with runtime.uow() as uow:
        uow.queued_tasks.forget(job)
        uow.commit()


Middleware = Callable[[Callable[[], Awaitable[Any]], JobContext, Any], Awaitable[Any]]


def recording(runtime: Runtime) -> Middleware:
    """A procrastinate worker middleware: every job runs inside it."""

    async def middleware(
        call_next: Callable[[], Awaitable[Any]], context: JobContext, _worker: Any
    ) -> Any:
        job = context.job
        try:
            result = await call_next()
        except Exception as exc:
            if job.id is not None:
                why = reason(exc)
                try:
                    await asyncio.to_thread(
                        _failed, runtime, job.id, job.task_name, why, job.attempts + 1
                    )
                except Exception:  # the database away: the log still has it
                    log.exception("could not record why job %s failed", job.id)
            raise
        if job.attempts and job.id is not None:  # a later try succeeded
            await asyncio.to_thread(_succeeded, runtime, job.id)
        return result

    return middleware
