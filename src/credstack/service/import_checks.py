"""Imported credentials re-checked overnight: a credential from elsewhere counts only while its
issuer still stands behind it.

At import the verifier read the credential's status (from the trust directory; nothing is
fetched) and its dates. The nightly run asks again, the same way: the credential as it was
kept is verified anew by the installation's verifier, and its status check is read. Revoked or
suspended there, or past its last valid day, it stops counting toward stacks; what was already
awarded on it is flagged for the issuer's recorded decision, exactly as when an award counted
by another is revoked or lapses (`lifecycle`). When the answer cannot be had (its status list
is not in the trust directory any more, say) the last known status is kept and the failure
recorded: nothing is dropped for want of an answer.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from credstack.domain.records import AwardStatus
from credstack.service import audit_trail, lifecycle
from credstack.service.records import of_learners, record_id
from credstack.service.runtime import Runtime
from credstack.service.verification import Verifier, verifier_for
from credstack.store.models import ImportedCredentialRow, LearnerRow
from credstack.store.uow import UnitOfWork
from credstack.vc.checks import StatusFound

__all__ = ["FAILURE_CHARS", "RECHECKED", "ImportCheck", "due", "recheck_imports"]

RECHECKED = (AwardStatus.ACTIVE.value, AwardStatus.SUSPENDED.value)
"""What is asked again: a revocation or an expiry is final, a suspension may be lifted."""
FAILURE_CHARS = 500


@dataclass(frozen=True)
class ImportCheck:
    """One imported credential re-checked: its status before and after, or why it could not
    be told (then `after` is `before`)."""

    public_id: str
    learner_id: int
    before: str
    after: str
    failure: str | None = None

    @property
    def changed(self) -> bool:
        return self.before != self.after


def due(uow: UnitOfWork, learner_ids: Collection[int], span: tuple[int, int] | None = None) -> bool:
    """Whether any of these learners holds an import still to be asked about (`span`: as in
    `records.of_learners`)."""
    query = (
        select(ImportedCredentialRow.id)
        .where(
            of_learners(ImportedCredentialRow.learner_id, learner_ids, span),
            ImportedCredentialRow.status.in_(RECHECKED),
        )
        .limit(1)
    )
    return uow.session.scalar(query) is not None


def recheck_imports(
    runtime: Runtime,
    uow: UnitOfWork,
    learner_ids: Collection[int],
    *,
    now: datetime,
    span: tuple[int, int] | None = None,
) -> list[ImportCheck]:
    """Re-check the active and suspended imports of these learners, in the caller's unit of
    work; a change is recorded in the audit trail and flags what was awarded on it (`span`:
    as in `records.of_learners`)."""
    rows = list(
        uow.session.scalars(
            select(ImportedCredentialRow)
            .where(
                of_learners(ImportedCredentialRow.learner_id, learner_ids, span),
                ImportedCredentialRow.status.in_(RECHECKED),
            )
            .order_by(ImportedCredentialRow.id)
        )
    )
    if not rows:
        return []
    verifier = verifier_for(runtime, uow, now=now)
    checks: list[ImportCheck] = []
    for row in rows:
        before = row.status
        after, failure = _status(verifier, row, now)
        row.checked_at = now
        row.check_failure = failure
        if failure is None and after != before:
            row.status = after
            row.status_changed_at = now
            _changed(uow, row, before, after)
        checks.append(ImportCheck(row.public_id, row.learner_id, before, row.status, failure))
    return checks


def _status(
    verifier: Verifier, row: ImportedCredentialRow, now: datetime
) -> tuple[str, str | None]:
    """(status, None), or (the last known status, why the issuer's answer could not be had)."""
    if row.valid_until is not None and row.valid_until < now:
        return AwardStatus.EXPIRED.value, None
    data = row.compact if row.compact else json.dumps(row.credential)
    result = verifier.verify_bytes(data.encode("utf-8"))
    check = result.check("status")
    if check is None:
        return row.status, _bounded(f"its status was not checked: {result.headline}")
    if check.passed:
        return AwardStatus.ACTIVE.value, None
    # The verifier's finding (vc.status, vc.ob2): an answer, or no answer to be had.
    if check.found is StatusFound.REVOKED:
        return AwardStatus.REVOKED.value, None
    if check.found is StatusFound.SUSPENDED:
        return AwardStatus.SUSPENDED.value, None
    return row.status, _bounded(check.message)


def _bounded(text: str) -> str:
    return text if len(text) <= FAILURE_CHARS else text[: FAILURE_CHARS - 1] + "…"


def _changed(uow: UnitOfWork, row: ImportedCredentialRow, before: str, after: str) -> None:
    rid = record_id("imported", row.public_id)
    audit_trail.record(
        uow,
        action="imported.status",
        subject=rid,
        details={"from": before, "to": after, "credential": row.credential_id},
    )
    if after != AwardStatus.ACTIVE.value:
        learner = uow.session.get(LearnerRow, row.learner_id)
        assert learner is not None
        lifecycle.flag_counting(uow, learner, rid)
