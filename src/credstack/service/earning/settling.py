"""Record, then settle: the step every earning route ends with.

A result, an attestation and a course completion are each kept as a row, then the stacking
engine settles what that one new record makes possible, and the learner is told what followed.
Doing it in one place keeps the three routes from drifting apart (one settling on the day,
another on the instant, a third forgetting the dependants nothing can be issued from).
"""

from __future__ import annotations

from datetime import date, datetime

from credstack.service.earning.recorded import Recorded, summarise
from credstack.service.engine import settle
from credstack.service.evidence import EvidenceRef, RecordRow
from credstack.service.keys import IssuerKeys
from credstack.store.models import IssuerRow, LearnerRow
from credstack.store.uow import UnitOfWork

__all__ = ["record_then_settle"]


def record_then_settle(
    uow: UnitOfWork,
    keys: IssuerKeys,
    row: RecordRow,
    *,
    learner: LearnerRow,
    issuer: IssuerRow,
    at: datetime | None = None,
    as_of: date | None = None,
    unissued: dict[str, tuple[str, ...]] | None = None,
    passed: bool | None = None,
    percent: float | None = None,
) -> Recorded:
    """Keep `row`, then award whatever it completes, all in the caller's unit of work.

    `at` is the instant of the event (an attempt) and `as_of` its day (an attestation, a
    completion): see `engine.settle`. `unissued` names the dependants that no published version
    could have awarded, so the answer can say why nothing followed.
    """
    uow.session.add(row)
    uow.session.flush()
    record = EvidenceRef.of(row).id
    settlement = settle(
        uow, keys, learner=learner, issuer=issuer, trigger=record, at=at, as_of=as_of
    )
    return summarise(uow, record, settlement, unissued=unissued, passed=passed, percent=percent)
