"""One job system for bulk issuance, e-mail, webhooks and the nightly re-evaluation.

`tasks` is the work, on credstack's tables (the exactly-once record of what was done);
`queue` puts it on procrastinate's PostgreSQL queue (when and where it runs); `worker` runs
it: `credstack worker`, and the server's own worker (in-process on SQLite); `listing` is
`credstack jobs list|retry` over every kind.
"""

from credstack.service.jobs.background import submit_in_background
from credstack.service.jobs.listing import Retried, WorkItem, list_work, retry_work
from credstack.service.jobs.queue import defer_import, deliver_on_commit, is_queued
from credstack.service.jobs.worker import MAX_CONCURRENCY, run_worker, running_worker

__all__ = [
    "MAX_CONCURRENCY",
    "Retried",
    "WorkItem",
    "defer_import",
    "deliver_on_commit",
    "is_queued",
    "list_work",
    "retry_work",
    "run_worker",
    "running_worker",
    "submit_in_background",
]
