"""The nightly re-evaluation: every learner's records through the compiled requirement trees.

Settling reacts to a new record; some changes come with no record at all (time passing, a
certification's cycle ending, records that arrived while nothing settled them). This job
catches them: for each batch of learners it closes CE cycles that are due, expires awards past
their last valid day, grants what is newly met, and queues the CE reminders due, then commits.

Memory stays bounded: learners are read in batches by id (a keyset, never all at once), each
batch in its own units of work, so what one batch loaded is gone before the next. Most learners
meet nothing new: a batch is read as plain rows (`records.records_of`, five queries, names
looked up once a run) and the compiled yes/no checks (`domain.checks`) answer that without ORM
objects or the explaining evaluator, in a read-only unit of work; only a batch with something
to do (someone newly meeting something, a cycle or an award at its end, an import to re-check)
takes a writer, and only a learner with something newly met is loaded in full and evaluated
with explanations. Each issuer's catalog is compiled once, when the run starts; `workers`
processes may split the learners by id.

Imported credentials are re-checked first in each batch (`service.import_checks`): one its
issuer revoked stops counting before anything is awarded on it.

"Newly met" means an achievement the learner has never been awarded: a credential that was
revoked or has lapsed is earned again through a new record (settling), never by this job, so
an issuer's revocation is not undone overnight. With that, and the reminders and expiry
notices keyed in the outbox, a second run on the same day changes nothing.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import exists, func, select

from credstack.domain.checks import Check, compile_check, met_achievements
from credstack.domain.evaluator import evaluate
from credstack.domain.records import Award, AwardStatus, Record
from credstack.domain.requirements import Requirement, assessment_readers
from credstack.errors import Forbidden, InvalidInput
from credstack.service import audit_trail, ce, clock, import_checks, lifecycle
from credstack.service.actor import Actor, authorise
from credstack.service.awards import grant_award
from credstack.service.engine import compile_catalog, evidence_of
from credstack.service.keys import KeyStore, OnceKeys
from credstack.service.people import require_issuer
from credstack.service.records import (
    RecordNames,
    Records,
    load_records,
    of_learners,
    records_of,
)
from credstack.service.runtime import Runtime
from credstack.service.status import allocate_many, free
from credstack.store.models import (
    AchievementRow,
    AchievementVersionRow,
    AssessmentRow,
    AssessmentVersionRow,
    AwardRow,
    CeCycleRow,
    IssuerRow,
    LearnerRow,
)
from credstack.store.uow import UnitOfWork

__all__ = ["BATCH", "MAX_BATCH", "MAX_WORKERS", "Reevaluation", "reevaluate"]

BATCH = 500
"""Learners per unit of work: large enough that per-batch queries are few, small enough that
a batch's rows stay a few megabytes and a SQLite writer holds the lock about a second."""
MAX_BATCH = 10_000
MAX_WORKERS = 64
"""Processes: one per core is the point; more than a large machine's cores is a typo."""


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
    imports_checked: int = 0
    """Imported credentials whose status was asked again (`service.import_checks`)."""
    imports_changed: int = 0
    """... whose status changed (revoked, suspended, expired, or a suspension lifted)."""
    imports_unchecked: int = 0
    """... whose status could not be told this time: the last known one is kept."""
    workers: int = 1
    """Processes that ran it (one on SQLite, whatever was asked)."""

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
    readers: dict[str, frozenset[str]]
    """For each assessment or rubric key, the achievements whose requirements read its
    attempts (`records_of` leaves out attempts only achievements already awarded read)."""


@dataclass(frozen=True)
class _ToDo:
    """One issuer's work in a batch, as the batch's read found it: who may be awarded
    something, and whether any of its learners has an open cycle near or past its end
    (`cycles`) or an active award past its last valid day (`ended`). The writing unit of
    work looks for cycles and ended awards only where the read saw some, as a batch the read
    found nothing in is not written at all (a change made between the two is the next run's).
    """

    candidates: list[int]
    cycles: bool = True
    ended: bool = True


_ONLY_IMPORTS = _ToDo([])
"""A batch written for its imports alone: everything is looked for, as before."""


@dataclass
class _Tally:
    thresholds: tuple[int, ...]
    learners: int = 0
    granted: int = 0
    expired: int = 0
    renewed: int = 0
    lapsed: int = 0
    reminders: int = 0
    imports_checked: int = 0
    imports_changed: int = 0
    imports_unchecked: int = 0

    def add(self, other: _Tally) -> None:
        self.imports_checked += other.imports_checked
        self.imports_changed += other.imports_changed
        self.imports_unchecked += other.imports_unchecked
        self.learners += other.learners
        self.granted += other.granted
        self.expired += other.expired
        self.renewed += other.renewed
        self.lapsed += other.lapsed
        self.reminders += other.reminders


def reevaluate(
    runtime: Runtime,
    actor: Actor,
    *,
    issuer: str | None,
    as_of: date | None,
    batch: int = BATCH,
    workers: int = 1,
) -> Reevaluation:
    """Re-evaluate every learner (for one issuer, or, for the operator, every issuer) as of a
    day: today in each issuer's zone unless given, and never a day still to come.

    With `workers` above 1 the learners are split by id into that many ranges, each run by a
    process of its own (forked, so the compiled catalog is shared); the figures are summed.
    On SQLite the run stays in one process: it has one writer, and a worker signing a batch's
    awards would hold the lock past the other's patience.
    """
    if not 1 <= batch <= MAX_BATCH:
        raise InvalidInput(f"batch {batch}: use 1 to {MAX_BATCH} learners")
    if not 1 <= workers <= MAX_WORKERS:
        raise InvalidInput(f"workers {workers}: use 1 to {MAX_WORKERS} processes")
    if issuer is None and not actor.is_operator:
        raise Forbidden("only the operator may re-evaluate every issuer at once")
    if issuer is not None:
        authorise(actor, issuer, "admin", what="re-evaluate the issuer's learners")
    started = time.perf_counter()
    if runtime.engine.dialect.name == "sqlite":
        workers = 1
    with runtime.uow(write=False) as uow:
        plans = [_plan(uow, where, day) for where, day in _scope(uow, issuer, as_of)]
        ranges = _ranges(uow, workers)
    job = _Job(runtime, plans, batch)
    tally = job.run(ranges[0]) if len(ranges) == 1 else _in_processes(job, ranges)
    return Reevaluation(
        learners=tally.learners,
        granted=tally.granted,
        expired=tally.expired,
        cycles_renewed=tally.renewed,
        cycles_lapsed=tally.lapsed,
        reminders_queued=tally.reminders,
        seconds=time.perf_counter() - started,
        imports_checked=tally.imports_checked,
        imports_changed=tally.imports_changed,
        imports_unchecked=tally.imports_unchecked,
        workers=len(ranges),
    )


def _ranges(uow: UnitOfWork, workers: int) -> list[tuple[int, int | None]]:
    """Learner id ranges (after, up to) of about equal numbers of learners, one per worker."""
    total = uow.session.scalar(select(func.count()).select_from(LearnerRow)) or 0
    if workers == 1 or total < workers:
        return [(0, None)]
    bounds = [0]
    for part in range(1, workers):
        bound = uow.session.scalar(
            select(LearnerRow.id).order_by(LearnerRow.id).offset(total * part // workers - 1)
        )
        assert bound is not None
        bounds.append(bound)
    return [
        (after, bounds[i + 1] if i + 1 < len(bounds) else None) for i, after in enumerate(bounds)
    ]


_FORKED: _Job | None = None
"""The job a forked worker runs: inherited by fork, never pickled (compiled checks are
closures)."""


def _in_processes(job: _Job, ranges: list[tuple[int, int | None]]) -> _Tally:
    global _FORKED
    _FORKED = job
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(len(ranges), mp_context=context) as pool:
            parts = list(pool.map(_forked_run, ranges))
    finally:
        _FORKED = None
    total = _Tally(job.runtime.settings.ce_reminder_days)
    for part in parts:
        total.add(part)
    return total


def _forked_run(bounds: tuple[int, int | None]) -> _Tally:  # pragma: no cover - in a child
    job = _FORKED
    assert job is not None
    # The parent's pooled connections must not be shared: this process opens its own.
    job.runtime.engine.dispose(close=False)
    return job.run(bounds)


@dataclass
class _Job:
    runtime: Runtime
    plans: list[_Plan]
    batch: int

    def _recheck(
        self, uow: UnitOfWork, ids: list[int], span: tuple[int, int], tally: _Tally
    ) -> list[int]:
        """Re-check the batch's imports; the learners whose imports changed status."""
        checks = import_checks.recheck_imports(self.runtime, uow, ids, now=clock.now(), span=span)
        tally.imports_checked += len(checks)
        tally.imports_changed += sum(1 for c in checks if c.changed)
        tally.imports_unchecked += sum(1 for c in checks if c.failure is not None)
        return sorted({c.learner_id for c in checks if c.changed})

    def run(self, bounds: tuple[int, int | None]) -> _Tally:
        """Learners with ids in (after, up to], batch by batch. Each batch is read without the
        write lock (SQLite has one writer: two workers read side by side) and decided; only a
        batch with something to do is written, in a unit of work of its own."""
        after, upto = bounds
        tally = _Tally(self.runtime.settings.ce_reminder_days)
        names: RecordNames | None = None
        while True:
            with self.runtime.uow(write=False) as uow:
                query = select(LearnerRow.id, LearnerRow.erased_at).where(LearnerRow.id > after)
                if upto is not None:
                    query = query.where(LearnerRow.id <= upto)
                learners = uow.session.execute(
                    query.order_by(LearnerRow.id).limit(self.batch)
                ).all()
                if not learners:
                    return tally
                ids = [row.id for row in learners]
                span = (after, ids[-1])  # every learner in it is in the batch
                names = RecordNames(uow) if names is None else names.bind(uow)
                work = [
                    (plan, _to_do(uow, plan, learners, span, names, tally)) for plan in self.plans
                ]
                imports = import_checks.due(uow, ids, span)
            if imports or any(todo is not None for _plan, todo in work):
                with self.runtime.uow() as uow:
                    # Unsealed once for the batch, not once per credential signed.
                    keys = OnceKeys(uow, self.runtime.master, self.runtime.settings.base_url)
                    # Imports first: one that stopped counting must not complete a stack now,
                    # and one whose suspension was lifted may (its holder is looked at in full).
                    changed = self._recheck(uow, ids, span, tally) if imports else []
                    for plan, todo in work:
                        _batch(uow, keys, plan, ids, span, todo or _ONLY_IMPORTS, changed, tally)
                    uow.commit()
            tally.learners += len(learners)
            after = ids[-1]


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
    return _Plan(issuer.key, day, requirements, checks, assessment_readers(requirements))


def _to_do(
    uow: UnitOfWork,
    plan: _Plan,
    learners: Sequence[Any],
    span: tuple[int, int],
    names: RecordNames,
    tally: _Tally,
) -> _ToDo | None:
    """Who in the batch may be awarded something (by the compiled checks) and what time
    passing asks of it, or None when the batch has nothing to do for this issuer: nobody
    newly meets anything, and no cycle is due, no award has ended and no cycle is near
    enough its end for a reminder (by query)."""
    issuer = require_issuer(uow, plan.issuer)
    ids = [row.id for row in learners]
    candidates: list[int] = []
    if plan.checks:
        found = records_of(uow, ids, issuer, names, span=span, readers=plan.readers)
        candidates = [
            row.id
            for row in learners
            if row.erased_at is None and _newly_met(found[row.id], plan.checks, plan.day)
        ]
    cycles, ended = _dated_work(uow, plan, issuer.id, span, tally.thresholds)
    if candidates or cycles or ended:
        return _ToDo(candidates, cycles, ended)
    return None


def _dated_work(
    uow: UnitOfWork,
    plan: _Plan,
    issuer_id: int,
    span: tuple[int, int],
    thresholds: tuple[int, ...],
) -> tuple[bool, bool]:
    """Whether any of these learners has a cycle open near or past its end, and whether any
    has an active award of the issuer past its last valid day: what time passing alone
    changes (one statement)."""
    horizon = plan.day + timedelta(days=max(thresholds, default=0))
    cycles = (
        select(CeCycleRow.id)
        .join(AwardRow, CeCycleRow.award_id == AwardRow.id)
        .where(
            CeCycleRow.status == "open",
            CeCycleRow.ends_on <= horizon,
            AwardRow.issuer_id == issuer_id,
            of_learners(AwardRow.learner_id, (), span),
        )
    )
    ended = select(AwardRow.id).where(
        AwardRow.issuer_id == issuer_id,
        of_learners(AwardRow.learner_id, (), span),
        AwardRow.status == AwardStatus.ACTIVE,
        AwardRow.valid_until.is_not(None),
        AwardRow.valid_until < plan.day,
    )
    found = uow.session.execute(select(exists(cycles), exists(ended))).one()
    return bool(found[0]), bool(found[1])


def _batch(
    uow: UnitOfWork,
    keys: KeyStore,
    plan: _Plan,
    ids: list[int],
    span: tuple[int, int],
    todo: _ToDo,
    changed: list[int],
    tally: _Tally,
) -> None:
    """One issuer's part of a batch with work, in the batch's writing unit of work.

    The batch's learners are read by their id range `span` (as `records_of` reads them), not
    by a list of 500 ids: a statement the driver and the server prepare once for the run.
    Cycles are closed and reminded of, and ended awards expired, only when the batch's read
    saw some (`todo`), or, for reminders, when this batch made or renewed a certification."""
    issuer, day = require_issuer(uow, plan.issuer), plan.day
    # Cycles first: a certification's end date is its cycle's, and closing decides between
    # renewal and lapse; only what no cycle governs lapses by its date alone.
    touched = {*todo.candidates, *changed}
    # Held to the end of the batch: closing a cycle and each grant look at the learner's
    # records and its achievement, which name catalog rows (an expiry looks at the learner's
    # records only when something counted the award: `lifecycle.flag_dependants`).
    held = _catalog_rows(uow, issuer.id) if todo.cycles or touched else []
    closed = granted = 0
    # A renewal makes a certification current again, which may complete what stacks on it:
    # its holder is looked at in full even when the batch's checks ran before it.
    if todo.cycles:
        for closure in ce.close_due_cycles(uow, on=day, issuer=issuer, learner_ids=ids, span=span):
            touched.add(closure.award.learner_id)
            closed += 1
            if closure.renewed:
                tally.renewed += 1
            else:
                tally.lapsed += 1
    if todo.ended:
        ended = lifecycle.expire_ended(
            uow, as_of=day, issuer_id=issuer.id, learner_ids=ids, span=span
        )
        tally.expired += len(ended)
    if plan.checks and touched:
        # The grants' audit events are appended together when the batch's grants are done
        # (nothing in them rolls back a savepoint after recording one: a failure fails the
        # batch's whole unit of work).
        with audit_trail.deferred(uow):
            for learner_id in sorted(touched):
                learner = uow.session.get(LearnerRow, learner_id)
                if learner is None or learner.erased_at is not None:
                    continue
                records = load_records(uow, learner, issuer)
                granted += _grant_newly_met(uow, keys, issuer, learner, records, plan)
        tally.granted += granted
    # An award made or renewed here opens a cycle, which a short one may bring near its end.
    if todo.cycles or closed or granted:
        tally.reminders += len(
            ce.queue_reminders(
                uow,
                as_of=day,
                thresholds=tally.thresholds,
                issuer=issuer,
                learner_ids=ids,
                span=span,
            )
        )
    del held


def _catalog_rows(uow: UnitOfWork, issuer_id: int) -> list[object]:
    """The issuer's achievements and assessments with all their versions, read in four
    queries and held by the caller for the batch: the session's identity map holds rows
    weakly, so without this each learner's records (`load_records`, for a grant or for an
    expiry's dependants) and each credential read the achievement versions, achievements
    and assessments they name again, one query each (by id, `session.get`)."""
    achievements = list(
        uow.session.scalars(select(AchievementRow).where(AchievementRow.issuer_id == issuer_id))
    )
    assessments = list(
        uow.session.scalars(select(AssessmentRow).where(AssessmentRow.issuer_id == issuer_id))
    )
    versions: list[object] = [
        *uow.session.scalars(
            select(AchievementVersionRow).where(
                AchievementVersionRow.achievement_id.in_([a.id for a in achievements])
            )
        ),
        *uow.session.scalars(
            select(AssessmentVersionRow).where(
                AssessmentVersionRow.assessment_id.in_([a.id for a in assessments])
            )
        ),
    ]
    return [*achievements, *assessments, *versions]


def _newly_met(records: Sequence[Record], checks: dict[str, Check], day: date) -> list[str]:
    """What the learner meets and was never awarded (by the compiled yes/no checks)."""
    ever = {r.achievement_id for r in records if isinstance(r, Award)}
    return met_achievements(checks, records, day, skip=ever)


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
        # Their status-list indexes are taken together: one lock of the issuer's list, one
        # read of its free pool and one write of its counter for all of them (the lock is
        # held to the batch's commit either way), in the order a grant at a time took them.
        indexes = [(row.id, index) for row, index in allocate_many(uow, issuer, len(pending))]
        for key, status_index in zip(pending, indexes, strict=True):
            looked_at.add(key)
            outcome = evaluate(plan.requirements[key], records.items, plan.day)
            if not outcome.met:  # pragma: no cover - the checks and the evaluator agree (tests)
                free(uow, [status_index])  # back to the pool: the next award takes it first
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
                status_index=status_index,
            )
            records.admit(row)
            granted += 1
