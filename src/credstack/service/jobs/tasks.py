"""What the workers do, read from and recorded in credstack's own tables.

These functions are the same whichever worker runs them (a `credstack worker` on PostgreSQL's
queue, or the one in-process worker on SQLite): the queue only decides when and where they
run. Each is safe to run twice or side by side, because what was done is recorded with the
work itself: an import item's `done` mark commits with its award, an outbox row's `sent` mark
after the server accepted it, and a re-evaluation grants only what is newly met.
"""

from __future__ import annotations

from sqlalchemy import exists, select

from credstack.service.actor import Actor
from credstack.service.bulk import JobView, run_job
from credstack.service.bulk.views import PENDING
from credstack.service.mail.sender import Delivery, MailSender
from credstack.service.reevaluation import Reevaluation, reevaluate
from credstack.service.runtime import Runtime
from credstack.store.models import JobItemRow, JobRow

__all__ = [
    "WORKER",
    "deliver_outbox",
    "nightly_reevaluation",
    "pending_imports",
    "run_import",
]

WORKER = Actor.operator("worker")
"""Who a worker acts as: the installation itself, as the operator does on the command line
(the person who submitted an import was authorised when it was submitted)."""

_PASS = 100
"""`MailSender.deliver_due` takes at most this many messages a pass."""


def pending_imports(runtime: Runtime) -> list[str]:
    """Import jobs with items still to issue: new ones, and ones whose worker died."""
    with runtime.uow(write=False) as uow:
        waiting = exists().where(JobItemRow.job_id == JobRow.id, JobItemRow.state == PENDING)
        return list(
            uow.session.scalars(select(JobRow.public_id).where(waiting).order_by(JobRow.id))
        )


def run_import(runtime: Runtime, job: str) -> JobView:
    """Issue what is pending of one import job (`runner.run_job`, which claims items so that
    several workers may share a job)."""
    return run_job(runtime, WORKER, job).job


def deliver_outbox(runtime: Runtime) -> Delivery:
    """Every e-mail and webhook that is due, once each (failures wait for their backoff)."""
    sender = MailSender(runtime.units, runtime.settings)
    total = Delivery()
    while True:
        report = sender.deliver_due()
        total.sent += report.sent
        total.dropped += report.dropped
        total.retrying += report.retrying
        total.failed += report.failed
        if report.sent + report.dropped + report.retrying + report.failed < _PASS:
            return total


def nightly_reevaluation(runtime: Runtime) -> Reevaluation:
    """`credstack engine reevaluate` for every issuer, as of today in each issuer's zone."""
    return reevaluate(runtime, WORKER, issuer=None, as_of=None)
