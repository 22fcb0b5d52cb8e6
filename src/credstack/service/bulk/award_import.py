"""Bulk issuance from a CSV file: every row checked first, then kept as a job to issue.

`submit_award_import` checks the whole file (see `award_rows`) and, if it is good (or with
`partial`, for its good rows), stores it as a job of one item per row; nothing is issued yet.
`runner.run_job` then issues the items. The job is identified by the issuer and the file's
content: submitting the same file again finds the same job (to resume or to report on), so a
finished import re-run issues nothing.

An item is issued through `awards.grant_award`, the path the engine's awards take: the award,
its signed credential, its status-list index, the audit trail and the learner's e-mail in the
outbox, all in the transaction that marks the item done.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from credstack.errors import InvalidInput, TooLarge
from credstack.limits import MAX_AWARD_IMPORT_BYTES
from credstack.service import clock
from credstack.service.actor import Actor, authorise
from credstack.service.awards import grant_award
from credstack.service.bulk.award_rows import AwardLine, RowProblem, check_rows
from credstack.service.bulk.views import PENDING, JobView, job_view
from credstack.service.keys import KeyStore
from credstack.service.people import add_learner, require_issuer
from credstack.service.runtime import Runtime
from credstack.store.many_rows import insert_many
from credstack.store.models import AwardRow, IssuerRow, JobItemRow, JobRow
from credstack.store.uow import UnitOfWork

__all__ = [
    "IMPORT_ROLES",
    "KIND",
    "AwardImportRejected",
    "Submitted",
    "issue_line",
    "job_key",
    "submit_award_import",
]

KIND = "award-import"
IMPORT_ROLES = ("admin", "registrar")
ORIGIN = "bulk"
_INSERT_CHUNK = 1000


class AwardImportRejected(InvalidInput):
    """The file had problems and a partial import was not asked for: nothing was kept."""

    def __init__(self, source: str, problems: tuple[RowProblem, ...], count: int) -> None:
        more = f" (the first {len(problems)} are listed)" if count > len(problems) else ""
        super().__init__(
            f"{source}: nothing was issued: {count} problem{'s' if count != 1 else ''}{more}; "
            "fix the file, or use a partial import to issue the good rows"
        )
        self.problems = [p.at(source) for p in problems]


@dataclass(frozen=True)
class Submitted:
    job: JobView
    new: bool
    """False when the same file was submitted before: the job is the earlier one."""
    problems: tuple[str, ...] = ()
    """With `partial`: the rows left out, as FILE:LINE: message."""
    problem_count: int = 0


def job_key(issuer: str, text: str) -> str:
    """The job's identity: the issuer and the file's content (not its name or its time)."""
    digest = hashlib.sha256(f"{KIND}\0{issuer}\0".encode())
    digest.update(text.encode("utf-8"))
    return digest.hexdigest()


def _existing(uow: UnitOfWork, key: str) -> JobRow | None:
    return uow.session.scalar(select(JobRow).where(JobRow.kind == KIND, JobRow.key == key))


def submit_award_import(
    runtime: Runtime,
    actor: Actor,
    *,
    issuer: str,
    text: str,
    source: str,
    partial: bool = False,
) -> Submitted:
    """Check every row and keep the file as a job; raise `AwardImportRejected` (keeping
    nothing) if any row is bad, unless `partial`, which keeps the good ones."""
    authorise(actor, issuer, *IMPORT_ROLES, what="issue awards in bulk")
    size = len(text.encode("utf-8"))
    if size > MAX_AWARD_IMPORT_BYTES:
        raise TooLarge(
            f"{source} is {size // (1024 * 1024)} MiB; an import may be at most "
            f"{MAX_AWARD_IMPORT_BYTES // (1024 * 1024)} MiB: split it"
        )
    key = job_key(issuer, text)
    with runtime.uow(write=False) as uow:
        where = require_issuer(uow, issuer)
        earlier = _existing(uow, key)
        if earlier is not None:
            return Submitted(job_view(uow, earlier), new=False)
        checked = check_rows(uow, where, text)
    if checked.problem_count and (not partial or not checked.lines):
        raise AwardImportRejected(source, checked.problems, checked.problem_count)
    with runtime.uow() as uow:
        where = require_issuer(uow, issuer)
        earlier = _existing(uow, key)
        if earlier is not None:  # submitted meanwhile by someone else
            return Submitted(job_view(uow, earlier), new=False)
        job = _store(uow, where, key, source, actor.label, checked.lines)
        try:
            uow.commit()
        except IntegrityError:
            uow.rollback()
            raced = _existing(uow, key)
            if raced is None:
                raise
            return Submitted(job_view(uow, raced), new=False)
        return Submitted(
            job_view(uow, job),
            new=True,
            problems=tuple(p.at(source) for p in checked.problems),
            problem_count=checked.problem_count,
        )


def _store(
    uow: UnitOfWork,
    issuer: IssuerRow,
    key: str,
    source: str,
    requested_by: str,
    lines: tuple[AwardLine, ...],
) -> JobRow:
    job = JobRow(
        public_id=str(uuid.uuid4()),
        kind=KIND,
        key=key,
        issuer_id=issuer.id,
        source=source[:300],
        requested_by=requested_by[:300],
        status=PENDING,
        total=len(lines),
        done=0,
        skipped=0,
        failed=0,
        attempts=0,
        due_at=clock.now(),
        created_at=clock.now(),
    )
    uow.session.add(job)
    uow.session.flush()
    connection = uow.session.connection()
    for start in range(0, len(lines), _INSERT_CHUNK):
        insert_many(
            connection,
            JobItemRow,
            [
                {"job_id": job.id, "line": line.line, "payload": line.payload(), "state": PENDING}
                for line in lines[start : start + _INSERT_CHUNK]
            ],
        )
    return job


def issue_line(uow: UnitOfWork, keys: KeyStore, issuer: IssuerRow, line: AwardLine) -> AwardRow:
    """Issue one row: create its learner if missing, then grant (and sign) its award."""
    learner = uow.learners.by_key(line.learner)
    if learner is None:
        learner = add_learner(uow, key=line.learner, name=line.name, email=line.email)
    return grant_award(
        uow,
        issuer=issuer,
        learner=learner,
        achievement_key=line.achievement,
        awarded_on=line.awarded_on,
        awarded_at=line.awarded_at,
        evidence=line.evidence(),
        score=line.score,
        origin=ORIGIN,
        keys=keys,
    )
