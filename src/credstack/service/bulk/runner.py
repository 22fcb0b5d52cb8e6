"""Running a job: its pending items in batches, each item done exactly once.

A batch is one transaction: each item's effect (for an award import: the award, its signed
credential, its status-list index, its audit-trail entries, its e-mail in the outbox) and its
`done` mark commit together, or neither does. A process killed at any moment loses at most the
batch in flight, whose items are still `pending`; running the job again (or submitting the same
file again) issues them, and nothing twice. Status-list indexes are taken from a counter in
the same transaction or reserved for the items (see below), so a lost batch leaves no gap and
no repeat.

A batch's rows are issued together (`award_batch`): one read of its learners, one reservation
of status-list indexes, one insert per table. Items are claimed with ``SELECT ... FOR NO KEY
UPDATE SKIP LOCKED`` on PostgreSQL, so several processes may run one job side by side: a
batch's indexes are reserved in a short transaction of its own (`reservations`; a killed
batch's reservations are reused when its items are issued), it signs holding no shared lock,
and the audit trail's head is locked only from its last step to its commit. On SQLite the
write lock lets one batch in at a time.
"""

from __future__ import annotations

import gc
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import bindparam, select, update

from credstack.errors import NotFound
from credstack.service import clock
from credstack.service.actor import Actor, authorise
from credstack.service.bulk import award_batch, award_import
from credstack.service.bulk.views import (
    DONE,
    FAILED,
    PENDING,
    RUNNING,
    SKIPPED,
    JobView,
    item_counts,
    job_view,
)
from credstack.service.keys import OnceKeys
from credstack.service.runtime import Runtime
from credstack.store.models import IssuerRow, JobItemRow, JobRow
from credstack.store.uow import UnitOfWork

__all__ = ["BATCH_ROWS", "BatchPace", "Progress", "Run", "find_job", "run_job"]

BATCH_ROWS = 500
"""Items the first batch of a paced run issues and commits together (and a fixed size tests
ask for): enough that the per-batch statements cost little per row."""
BATCH_SECONDS = 1.0
"""What a paced batch aims to take. Each row adds keys at random places in several unique
indexes (public ids, the audit trail's hashes, address look-ups), so a commit writes about one
page per index per row of a small batch; rows that share a commit share those pages. At 500
rows a 100,000-row import on SQLite wrote about 37 KiB a row for 6 KiB kept, and the disk, not
the CPU, set its pace (82 s for 48 s of CPU); batches of 5,000 wrote 14-24 KiB. Longer
batches would save more, but a batch is one transaction: SQLite's other writers (the web
server's) wait for it, up to the busy timeout, and a killed run redoes it."""
MIN_BATCH_ROWS = 100
MAX_BATCH_ROWS = 5000
"""A paced batch's bounds: at least enough rows to be worth a commit, and at most what fits a
process's memory comfortably (each row's learner, award and credential are held until the
commit) whatever the machine's speed."""


@dataclass(frozen=True)
class Progress:
    """Where a run is: items settled of the job's total, and this run's pace."""

    job: str
    total: int
    settled: int
    done: int
    skipped: int
    failed: int
    seconds: float
    this_run: int
    """Items this run settled (a resumed job's earlier items are not counted in the rate)."""

    @property
    def rate(self) -> float:
        return self.this_run / self.seconds if self.seconds > 0 else 0.0


@dataclass
class BatchPace:
    """The size of a run's next batch: as many rows as the last batches' pace says take
    `BATCH_SECONDS`, so a fast machine writes big batches and a slow or busy one keeps each
    transaction short. A fixed `rows` turns the pacing off."""

    rows: int = BATCH_ROWS
    fixed: bool = False

    def settled(self, rows: int, seconds: float) -> None:
        """Learn from a batch that settled `rows` in `seconds`."""
        if self.fixed or rows < self.rows // 2:  # a last, short batch says little of the pace
            return
        per_second = rows / max(seconds, 1e-3)
        self.rows = max(MIN_BATCH_ROWS, min(MAX_BATCH_ROWS, round(per_second * BATCH_SECONDS)))


@dataclass(frozen=True)
class Run:
    """A run's outcome: the job afterwards, and how long this run took over how many items."""

    job: JobView
    seconds: float
    settled: int


@contextmanager
def _long_lived_frozen() -> Iterator[None]:
    """Keep the objects that exist before the run out of the garbage collector's full passes.

    A run allocates a great many short-lived objects, so the collector's oldest generation is
    examined every few batches, and each pass walked everything the process holds (modules,
    the decoded catalog, JSON-LD contexts): some 100 ms a pass, over a third of a row's cost
    outside signing. Frozen objects are only skipped, not kept alive any longer than the run.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


IMPORT_PAGE_CACHE_KIB = 128 * 1024
"""SQLite's page cache for an import's connection (its default is 2 MiB). Each row adds keys
at random places in several unique indexes (awards', outbox messages' and learners' public
ids, the audit trail's hashes, the learners' address look-ups): once those indexes outgrow
the cache, a row costs page reads from the operating system, a tenth of a 100,000-row
import's CPU time spent in the kernel. The cache grows only as far as it is used."""


USUAL_PAGE_CACHE_KIB = 2000
"""SQLite's own default page cache (`PRAGMA cache_size = -2000`), which nothing else changes."""


def _page_cache(uow: UnitOfWork, kib: int) -> None:
    """On SQLite, let the unit's connection cache `kib` of pages. The setting is the
    connection's and is kept while the pool keeps it: an import sets `IMPORT_PAGE_CACHE_KIB` for
    each batch (a batch may get another pooled connection) and gives the usual size back at the
    end, so that the server's small requests do not keep up to 128 MiB of pages per connection
    (SQLite lets the pages beyond a lowered size go)."""
    if uow.session.get_bind().dialect.name == "sqlite":
        uow.session.connection().exec_driver_sql(f"PRAGMA cache_size = -{kib}")


def find_job(uow: UnitOfWork, public_id: str) -> JobRow:
    job = uow.session.scalar(select(JobRow).where(JobRow.public_id == public_id))
    if job is None:
        raise NotFound(f"unknown job {public_id!r} (see `credstack jobs list`)")
    return job


def _issuer_key(uow: UnitOfWork, job: JobRow) -> str:
    issuer = uow.session.get(IssuerRow, job.issuer_id) if job.issuer_id is not None else None
    if issuer is None:
        raise NotFound(f"job {job.public_id} has no issuer")
    return issuer.key


def run_job(
    runtime: Runtime,
    actor: Actor,
    job: str,
    *,
    progress: Callable[[Progress], None] | None = None,
    batch_rows: int | None = None,
) -> Run:
    """Issue the job's pending items; return the job as it stands afterwards. Batches are
    paced (`BatchPace`) unless `batch_rows` or the `import_batch_rows` setting fixes them."""
    with runtime.uow() as uow:
        row = find_job(uow, job)
        authorise(actor, _issuer_key(uow, row), *award_import.IMPORT_ROLES, what="run this job")
        if row.kind != award_import.KIND:  # pragma: no cover - the only kind so far
            raise NotFound(f"job {job} is a {row.kind}, which nothing runs yet")
        job_id, issuer_id = row.id, row.issuer_id
        if row.status != DONE:
            row.status = RUNNING
            row.attempts += 1
            row.started_at = row.started_at or clock.now()
        uow.commit()
    started, this_run = time.monotonic(), 0
    with _long_lived_frozen(), runtime.uow() as uow:
        keys = OnceKeys(uow, runtime.master, runtime.settings.base_url)
        parallel = uow.session.get_bind().dialect.name == "postgresql"
        run = award_batch.ImportRun(
            keys, runtime.settings.base_url, reserving=runtime.uow if parallel else None
        )
        fixed = batch_rows or runtime.settings.import_batch_rows
        pace = BatchPace(fixed, fixed=True) if fixed else BatchPace()
        while True:
            _page_cache(uow, IMPORT_PAGE_CACHE_KIB)
            batch_started = time.monotonic()
            settled = _batch(uow, run, job_id, issuer_id, pace.rows)
            if not settled:
                _page_cache(uow, USUAL_PAGE_CACHE_KIB)
                break
            uow.checkpoint()
            pace.settled(settled, time.monotonic() - batch_started)
            uow.session.expunge_all()  # what the batch made is in the database, not memory
            this_run += settled
            if progress is not None:
                now = uow.session.get(JobRow, job_id)
                assert now is not None
                progress(
                    Progress(
                        job=job,
                        total=now.total,
                        settled=now.done + now.skipped + now.failed,
                        done=now.done,
                        skipped=now.skipped,
                        failed=now.failed,
                        seconds=time.monotonic() - started,
                        this_run=this_run,
                    )
                )
    return Run(_finish(runtime, job_id), time.monotonic() - started, this_run)


_ITEMS = JobItemRow.__table__.c
_MARK_ITEM = (
    update(JobItemRow)
    .where(_ITEMS.id == bindparam("item"))
    .values(
        state=bindparam("new_state"), award_id=bindparam("award"), message=bindparam("new_message")
    )
)


def _batch(
    uow: UnitOfWork, run: award_batch.ImportRun, job_id: int, issuer_id: int | None, rows: int
) -> int:
    """Issue up to one batch of pending items in the unit's transaction; how many settled."""
    # The three columns an item is issued from, not ORM objects: nothing changes them.
    items = uow.session.execute(
        select(JobItemRow.id, JobItemRow.line, JobItemRow.payload)
        .where(JobItemRow.job_id == job_id, JobItemRow.state == PENDING)
        .order_by(JobItemRow.line)
        .limit(rows)
        # NO KEY UPDATE: the reservation's own transaction may still reference the items.
        .with_for_update(skip_locked=True, key_share=True)
    ).all()
    if not items:
        return 0
    issuer = uow.session.get(IssuerRow, issuer_id)
    if issuer is None:
        raise NotFound("the job's issuer no longer exists")
    outcomes = award_batch.issue_chunk(uow, run, issuer, items)
    counts: Counter[str] = Counter(outcome.state for outcome in outcomes.values())
    # One Core executemany by primary key, not an ORM change per item (nor the ORM's bulk
    # update): the items are dropped from the session after the commit, so nothing reads the
    # loaded objects again.
    uow.session.connection().execute(
        _MARK_ITEM,
        [
            {
                "item": item_id,
                "new_state": outcome.state,
                "award": outcome.award_id,
                "new_message": outcome.message[:500] if outcome.message is not None else None,
            }
            for item_id, outcome in outcomes.items()
        ],
    )
    uow.session.execute(
        update(JobRow)
        .where(JobRow.id == job_id)
        .values(
            done=JobRow.done + counts[DONE],
            skipped=JobRow.skipped + counts[SKIPPED],
            failed=JobRow.failed + counts[FAILED],
        )
    )
    return sum(counts.values())


def _finish(runtime: Runtime, job_id: int) -> JobView:
    """Settle the job's state from its items: done, failed, or still running elsewhere."""
    with runtime.uow() as uow:
        job = uow.session.get(JobRow, job_id)
        assert job is not None
        counts = item_counts(uow, job_id)
        job.done, job.skipped = counts.get(DONE, 0), counts.get(SKIPPED, 0)
        job.failed = counts.get(FAILED, 0)
        if counts.get(PENDING, 0) == 0 and job.status != DONE:
            job.status = FAILED if job.failed else DONE
            job.finished_at = clock.now()
            job.last_error = f"{job.failed} items failed" if job.failed else None
        uow.commit()
        return job_view(uow, job)
