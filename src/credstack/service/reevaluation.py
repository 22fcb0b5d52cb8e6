"""The nightly re-evaluation: every learner's records through the compiled requirement trees.

Settling reacts to a new record; some changes come with no record at all (time passing, a
certification's cycle ending, records that arrived while nothing settled them). This job
catches them: for each batch of learners it closes CE cycles that are due, expires awards past
their last valid day, grants what is newly met, and queues the CE reminders due, then commits.

Memory stays bounded: learners are read in batches by id (a keyset, never all at once), each
batch in its own unit of work, so what one batch loaded is gone before the next. Most learners
meet nothing new: a batch is read as plain rows (`records.records_of`) and the compiled yes/no
checks (`domain.checks`) answer that without ORM objects or the explaining evaluator; only a
learner with something newly met is loaded in full and evaluated with explanations. Each
issuer's catalog is compiled once, when the run starts.

"Newly met" means an achievement the learner has never been awarded: a credential that was
revoked or has lapsed is earned again through a new record (settling), never by this job, so
an issuer's revocation is not undone overnight. With that, and the reminders and expiry
notices keyed in the outbox, a second run on the same day changes nothing.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from credstack.domain.checks import Check, compile_check, met_achievements
from credstack.domain.evaluator import evaluate
from credstack.domain.records import Award, Record
from credstack.domain.requirements import Requirement
from credstack.errors import Forbidden, InvalidInput
from credstack.service import ce, clock, lifecycle
from credstack.service.actor import Actor, authorise
from credstack.service.awards import grant_award
from credstack.service.engine import compile_catalog, evidence_of
from credstack.service.keys import KeyStore
from credstack.service.people import require_issuer
from credstack.service.records import Records, load_records, records_of
from credstack.service.runtime import Runtime
from credstack.store.models import IssuerRow, LearnerRow
from credstack.store.uow import UnitOfWork

__all__ = ["BATCH", "MAX_BATCH", "Reevaluation", "reevaluate"]

BATCH = 500
"""Learners per unit of work: large enough that per-batch queries are few, small enough that
a batch's rows stay a few megabytes and a SQLite writer holds the lock about a second."""
MAX_BATCH = 10_000


@dataclass(frozen=True)
class Reevaluation:
    """What one run did."""

    learners: int
    granted: int
    """Awards made because their requirements are newly met (cascades included)."""
    expired: int
    """Awards past their last valid day, now expired (the learner is told)."""
    cycles_renewed: int
    cycles_lapsed: int
    reminders_queued: int
    seconds: float

    @property
    def cycles_closed(self) -> int:
        return self.cycles_renewed + self.cycles_lapsed

    @property
    def learners_per_second(self) -> float:
        return self.learners / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class _Plan:
    """One issuer's part of the run, fixed when it starts: its day, and its issuable
    requirement trees (the engine's compiled catalog) with their compiled yes/no checks."""

    issuer: str
    day: date
    requirements: Mapping[str, Requirement]
    checks: dict[str, Check]


@dataclass
class _Tally:
    thresholds: tuple[int, ...]
    learners: int = 0
    granted: int = 0
    expired: int = 0
    renewed: int = 0
    lapsed: int = 0
    reminders: int = 0


def reevaluate(
    runtime: Runtime,
    actor: Actor,
    *,
    issuer: str | None,
    as_of: date | None,
    batch: int = BATCH,
) -> Reevaluation:
    """Re-evaluate every learner (for one issuer, or, for the operator, every issuer) as of a
    day: today in each issuer's zone unless given, and never a day still to come."""
    if not 1 <= batch <= MAX_BATCH:
        raise InvalidInput(f"batch {batch}: use 1 to {MAX_BATCH} learners")
    if issuer is None and not actor.is_operator:
        raise Forbidden("only the operator may re-evaluate every issuer at once")
    if issuer is not None:
        authorise(actor, issuer, "admin", what="re-evaluate the issuer's learners")
    started = time.perf_counter()
    with runtime.uow(write=False) as uow:
        plans = [_plan(uow, where, day) for where, day in _scope(uow, issuer, as_of)]
    tally = _Tally(runtime.settings.ce_reminder_days)
    after = 0
    while True:
        with runtime.uow() as uow:
            learners = list(
                uow.session.scalars(
                    select(LearnerRow)
                    .where(LearnerRow.id > after)
                    .order_by(LearnerRow.id)
                    .limit(batch)
                )
            )
            if not learners:
                break
            keys = runtime.keys(uow)
            for plan in plans:
                _batch(uow, keys, plan, learners, tally)
            uow.commit()
        tally.learners += len(learners)
        after = learners[-1].id
    return Reevaluation(
        learners=tally.learners,
        granted=tally.granted,
        expired=tally.expired,
        cycles_renewed=tally.renewed,
        cycles_lapsed=tally.lapsed,
        reminders_queued=tally.reminders,
        seconds=time.perf_counter() - started,
    )


def _scope(uow: UnitOfWork, issuer: str | None, as_of: date | None) -> list[tuple[IssuerRow, date]]:
    """The issuers re-evaluated, each with its day, fixed for the run (a run past midnight
    keeps its day): an award or a lapse dated after today would be news from the future, so
    a later `as_of` is refused."""
    issuers = [require_issuer(uow, issuer)] if issuer is not None else list(uow.issuers.all())
    return [
        (where, clock.as_of(as_of, where) if as_of is None else _past(as_of, where))
        for where in issuers
    ]


def _past(day: date, issuer: IssuerRow) -> date:
    return clock.check_day(day, "--as-of", issuer, past=True)


def _plan(uow: UnitOfWork, issuer: IssuerRow, day: date) -> _Plan:
    """Compiled once per run: a catalog published during the run is seen by the next one."""
    requirements = compile_catalog(uow, issuer).requirements
    checks = {key: compile_check(tree) for key, tree in requirements.items()}
    return _Plan(issuer.key, day, requirements, checks)


def _batch(
    uow: UnitOfWork, keys: KeyStore, plan: _Plan, learners: Sequence[LearnerRow], tally: _Tally
) -> None:
    issuer, day = require_issuer(uow, plan.issuer), plan.day
    ids = [learner.id for learner in learners]
    # Cycles first: a certification's end date is its cycle's, and closing decides between
    # renewal and lapse; only what no cycle governs lapses by its date alone.
    for closure in ce.close_due_cycles(uow, on=day, issuer=issuer, learner_ids=ids):
        if closure.renewed:
            tally.renewed += 1
        else:
            tally.lapsed += 1
    tally.expired += len(
        lifecycle.expire_ended(uow, as_of=day, issuer_id=issuer.id, learner_ids=ids)
    )
    if plan.checks:
        found = records_of(uow, ids, issuer)
        for learner in learners:
            if learner.erased_at is None and _newly_met(found[learner.id], plan.checks, day):
                records = load_records(uow, learner, issuer)
                tally.granted += _grant_newly_met(uow, keys, issuer, learner, records, plan)
    tally.reminders += len(
        ce.queue_reminders(
            uow, as_of=day, thresholds=tally.thresholds, issuer=issuer, learner_ids=ids
        )
    )


def _newly_met(records: Sequence[Record], checks: dict[str, Check], day: date) -> list[str]:
    """What the learner meets and was never awarded (by the compiled yes/no checks)."""
    ever = {r.achievement_id for r in records if isinstance(r, Award)}
    return [k for k in met_achievements(checks, records, day) if k not in ever]


def _grant_newly_met(
    uow: UnitOfWork,
    keys: KeyStore,
    issuer: IssuerRow,
    learner: LearnerRow,
    records: Records,
    plan: _Plan,
) -> int:
    """Award what the learner meets and was never awarded, until nothing more is met (an award
    made here may complete a stack)."""
    granted, looked_at = 0, set()
    while True:
        pending = [
            k for k in _newly_met(records.items, plan.checks, plan.day) if k not in looked_at
        ]
        if not pending:
            return granted
        for key in pending:
            looked_at.add(key)
            outcome = evaluate(plan.requirements[key], records.items, plan.day)
            if not outcome.met:  # pragma: no cover - the checks and the evaluator agree (tests)
                continue
            row = grant_award(
                uow,
                issuer=issuer,
                learner=learner,
                achievement_key=key,
                awarded_on=plan.day,
                evidence=evidence_of(outcome, records),
                counted=list(outcome.counted),
                evidence_refs=records.evidence(uow, outcome.counted),
                origin="automatic",
                keys=keys,
            )
            records.admit(row)
            granted += 1
