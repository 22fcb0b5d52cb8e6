"""Status-list indexes stay gap-free when an import row does not use the index set aside for it.

A row's index is reserved before its credential is signed. A row that then fails, is skipped,
or takes the single-award path gives the index back to the free pool, and the next award (an
import's or a single one) takes the lowest free index first. So every index below a list's
counter is held by exactly one award, reserved for one pending row, or free; none is lost to a
settled row's reservation; and once the pool is taken the awards hold exactly 0..N-1. On both
databases; a seeded random run mixes failures, kills, resumes, retries and single awards.
"""

from __future__ import annotations

import contextlib
import random
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from credstack.service.actor import Actor
from credstack.service.awards import AlreadyHeld, grant_award
from credstack.service.bulk import Progress, retry_job, run_job, submit_award_import
from credstack.service.bulk.reservations import reserve
from credstack.service.bulk.views import DONE, FAILED, PENDING, SKIPPED
from credstack.service.people import add_learner
from credstack.service.runtime import Runtime
from credstack.service.status import LIST_SIZE, allocate_many, free
from credstack.store import migrate
from credstack.store.db import make_engine
from credstack.store.models import (
    AchievementRow,
    AchievementVersionRow,
    AwardRow,
    FreeStatusIndexRow,
    IssuerRow,
    JobItemRow,
    JobRow,
    LearnerRow,
    StatusListRow,
    StatusReservationRow,
)
from credstack.store.uow import UnitOfWork
from tests.conftest import DatabaseFactory
from tests.integration.bulk.bulk_helpers import (
    ACHIEVEMENTS,
    EXAMPLES,
    HEADER,
    northwind_runtime,
    someone_waits_on_a_lock,
)

BASE = "http://credstack.test"
# SQL Querying lapses after a year, so a learner holding an old one takes the single-award path
# and is issued a new one (the lapsed award is retired), not skipped.
CATALOG = (
    (EXAMPLES / "northwind-data-academy.yaml")
    .read_text()
    .replace("    tags: [data, sql]\n", "    tags: [data, sql]\n    validity: P1Y\n", 1)
)
BAD_SCORE = "1.234"
"""A score with three decimal places: the batch's own check refuses it after the row's index
was reserved (the file's check refuses it too, so it is written into the kept row here)."""


@pytest.fixture
def runtime(tmp_path: Path, database_url: str) -> Iterator[Runtime]:
    runtime = northwind_runtime(tmp_path, database_url, CATALOG, BASE)
    yield runtime
    runtime.close()


def _csv(rows: list[tuple[str, str, str]]) -> str:
    """Rows of (learner, achievement, date)."""
    lines = [",".join(HEADER)]
    for learner, achievement, on in rows:
        lines.append(f"{learner},{learner}@example.org,Learner {learner},{achievement},{on},,,")
    return "\n".join(lines) + "\n"


def _submit(runtime: Runtime, rows: list[tuple[str, str, str]]) -> str:
    return submit_award_import(
        runtime, Actor.operator(), issuer="northwind", text=_csv(rows), source="class.csv"
    ).job.id


def _items(runtime: Runtime) -> dict[int, int]:
    """Each item's id by its file line."""
    with runtime.uow(write=False) as uow:
        return dict(uow.session.execute(select(JobItemRow.line, JobItemRow.id)).all())


def _spoil(runtime: Runtime, item_ids: list[int]) -> None:
    """Make the items fail in their batch, after their indexes are reserved."""
    with runtime.uow() as uow:
        for item in uow.session.scalars(select(JobItemRow).where(JobItemRow.id.in_(item_ids))):
            item.payload = {**item.payload, "score": BAD_SCORE}
        uow.commit()


def _mend(runtime: Runtime) -> None:
    with runtime.uow() as uow:
        for item in uow.session.scalars(select(JobItemRow)):
            if item.payload.get("score") == BAD_SCORE:
                item.payload = {**item.payload, "score": None}
        uow.commit()


def _killed_after_reserving(runtime: Runtime, item_ids: list[int]) -> None:
    """What a batch killed after its reservation committed leaves behind (on PostgreSQL the
    reservation is its own transaction): the items' reservations, and nothing else."""
    with runtime.uow() as uow:
        issuer = uow.session.scalar(select(IssuerRow).where(IssuerRow.key == "northwind"))
        assert issuer is not None
        reserve(uow, issuer, item_ids)
        uow.commit()


def _grant(runtime: Runtime, learner: str, achievement: str, on: date) -> AwardRow | None:
    """A single award, the learner created if missing; None if already held."""
    with runtime.uow() as uow:
        issuer = uow.session.scalar(select(IssuerRow).where(IssuerRow.key == "northwind"))
        assert issuer is not None
        row = uow.learners.by_key(learner)
        if row is None:
            row = add_learner(uow, key=learner, name=f"Learner {learner}")
        try:
            award = grant_award(
                uow,
                issuer=issuer,
                learner=row,
                achievement_key=achievement,
                awarded_on=on,
                keys=runtime.keys(uow),
            )
        except AlreadyHeld:
            return None
        uow.commit()
        return award


def _used(runtime: Runtime) -> list[int]:
    with runtime.uow(write=False) as uow:
        return sorted(
            index
            for index in uow.session.scalars(select(AwardRow.status_list_index))
            if index is not None
        )


def _free(runtime: Runtime) -> list[int]:
    with runtime.uow(write=False) as uow:
        return sorted(uow.session.scalars(select(FreeStatusIndexRow.status_list_index)))


def _reserved(runtime: Runtime) -> list[int]:
    with runtime.uow(write=False) as uow:
        return sorted(uow.session.scalars(select(StatusReservationRow.status_list_index)))


def _counter(runtime: Runtime) -> int:
    with runtime.uow(write=False) as uow:
        found = uow.session.scalar(
            select(StatusListRow.next_index).where(StatusListRow.list_key == "revocation-1")
        )
        return int(found or 0)


def _assert_accounted(runtime: Runtime) -> None:
    """Every index below the counter is held by one award, reserved for one pending row, or
    free; no index is two of these, and none is held twice."""
    used, free, reserved = _used(runtime), _free(runtime), _reserved(runtime)
    assert len(set(used)) == len(used), f"an index is held twice: {used}"
    assert sorted(used + free + reserved) == list(range(_counter(runtime)))
    with runtime.uow(write=False) as uow:
        held = uow.session.scalars(
            select(JobItemRow.state)
            .join(StatusReservationRow, StatusReservationRow.item_id == JobItemRow.id)
            .distinct()
        ).all()
    assert set(held) <= {PENDING}, f"a settled row still holds a reservation: {held}"


def _states(runtime: Runtime) -> dict[int, str]:
    with runtime.uow(write=False) as uow:
        return dict(uow.session.execute(select(JobItemRow.line, JobItemRow.state)).all())


def test_a_row_that_fails_after_its_reservation_leaves_no_gap(runtime: Runtime) -> None:
    job = _submit(runtime, [(f"l{i}", "sql-querying", "2026-05-04") for i in range(4)])
    items = _items(runtime)
    _spoil(runtime, [items[3]])  # the file's second row

    finished = run_job(runtime, Actor.operator(), job, batch_rows=1).job
    assert (finished.done, finished.failed) == (3, 1)
    assert _states(runtime)[3] == FAILED
    # The failed row's index went to the next row, not to a hole kept for a retry.
    assert _used(runtime) == [0, 1, 2] == list(range(_counter(runtime)))
    assert _free(runtime) == _reserved(runtime) == []

    # The next award of any kind takes the free index.
    award = _grant(runtime, "outsider", "data-visualisation", date(2026, 5, 6))
    assert award is not None and award.status_list_index == 3

    _mend(runtime)
    retry_job(runtime, Actor.operator(), job)
    assert run_job(runtime, Actor.operator(), job).job.failed == 0
    assert _used(runtime) == [0, 1, 2, 3, 4] == list(range(_counter(runtime)))
    _assert_accounted(runtime)


def test_a_failed_batch_gives_its_indexes_to_the_next_award(runtime: Runtime) -> None:
    job = _submit(runtime, [(f"l{i}", ACHIEVEMENTS[i % 3], "2026-05-04") for i in range(3)])
    _spoil(runtime, [_items(runtime)[2]])  # one bad row fails its whole batch
    finished = run_job(runtime, Actor.operator(), job).job
    assert (finished.done, finished.failed) == (0, 3)
    assert (_used(runtime), _free(runtime), _reserved(runtime)) == ([], [0, 1, 2], [])

    award = _grant(runtime, "outsider", "sql-querying", date(2026, 5, 6))
    assert award is not None and award.status_list_index == 0
    _mend(runtime)
    retry_job(runtime, Actor.operator(), job)
    assert run_job(runtime, Actor.operator(), job).job.done == 3
    assert _used(runtime) == [0, 1, 2, 3] == list(range(_counter(runtime)))
    assert _free(runtime) == _reserved(runtime) == []


def test_a_resumed_row_that_is_now_held_gives_back_its_reservation(runtime: Runtime) -> None:
    """Killed after reserving; the learner is given the achievement meanwhile; resumed, the
    row is skipped, and its index is the next award's."""
    job = _submit(
        runtime, [("ana", "sql-querying", "2026-05-04"), ("bo", "sql-querying", "2026-05-04")]
    )
    items = _items(runtime)
    _killed_after_reserving(runtime, [items[2], items[3]])
    assert _reserved(runtime) == [0, 1]
    given = _grant(runtime, "ana", "sql-querying", date(2026, 5, 5))
    assert given is not None and given.status_list_index == 2

    finished = run_job(runtime, Actor.operator(), job).job
    assert (finished.done, finished.skipped) == (1, 1)
    assert _states(runtime) == {2: SKIPPED, 3: DONE}
    assert (_used(runtime), _free(runtime), _reserved(runtime)) == ([1, 2], [0], [])

    award = _grant(runtime, "cy", "sql-querying", date(2026, 5, 6))
    assert award is not None and award.status_list_index == 0
    assert _used(runtime) == [0, 1, 2] == list(range(_counter(runtime)))


def test_a_resumed_row_on_the_single_award_path_uses_a_reserved_index(runtime: Runtime) -> None:
    """Killed after reserving; the learner's old, lapsed award is found on resuming, so the row
    is issued by the single-award path (which retires the lapsed one): it takes the index
    reserved for it rather than a fresh one."""
    job = _submit(
        runtime, [("ana", "sql-querying", "2026-05-04"), ("bo", "sql-querying", "2026-05-04")]
    )
    items = _items(runtime)
    _killed_after_reserving(runtime, [items[2], items[3]])
    lapsed = _grant(runtime, "ana", "sql-querying", date(2024, 1, 10))  # valid to 2025-01-09
    assert lapsed is not None and lapsed.status_list_index == 2

    finished = run_job(runtime, Actor.operator(), job).job
    assert (finished.done, finished.skipped, finished.failed) == (2, 0, 0)
    with runtime.uow(write=False) as uow:
        ana = uow.session.scalars(
            select(AwardRow.status_list_index)
            .join(LearnerRow, LearnerRow.id == AwardRow.learner_id)
            .where(LearnerRow.key == "ana", AwardRow.origin == "bulk")
        ).all()
    assert ana == [0]
    assert _used(runtime) == [0, 1, 2] == list(range(_counter(runtime)))
    assert _free(runtime) == _reserved(runtime) == []


class _Killed(Exception):
    """Raised from a run's progress report: the run stops there, as a killed process would."""


def _run_killed_after(runtime: Runtime, job: str, rows: int, batches: int) -> None:
    """Run the job and stop it after `batches` committed batches (if it gets that far)."""
    seen = 0

    def report(_: Progress) -> None:
        nonlocal seen
        seen += 1
        if seen == batches:
            raise _Killed

    with contextlib.suppress(_Killed):
        run_job(runtime, Actor.operator(), job, progress=report, batch_rows=rows)


STEPS = ("run", "run", "run", "kill", "fail", "fail", "single", "single", "outsider", "retry")


@pytest.mark.parametrize("seed", [3, 14, 2026])
def test_random_failures_kills_resumes_and_single_awards_leave_no_gap(
    runtime: Runtime, seed: int
) -> None:
    rng = random.Random(seed)
    rows = [(f"p{i:02d}", rng.choice(ACHIEVEMENTS), "2026-05-04") for i in range(40)]
    job = _submit(runtime, rows)
    items = _items(runtime)
    outsiders = 0
    for _ in range(30):
        pending = [i for i, state in _item_states(runtime).items() if state == PENDING]
        step = rng.choice(STEPS)
        if step == "run":  # some batches commit, then the process dies
            _run_killed_after(runtime, job, rng.randint(1, 6), rng.randint(1, 3))
        elif step == "kill" and pending:  # it dies just after its batch's reservation
            _killed_after_reserving(runtime, rng.sample(pending, min(len(pending), 6)))
        elif step == "fail" and pending:
            _spoil(runtime, rng.sample(pending, min(len(pending), rng.randint(1, 3))))
        elif step == "single":  # the learner of a row is given its achievement meanwhile
            learner, achievement, _ = rng.choice(rows)
            _grant(runtime, learner, achievement, date(2026, 5, 5))
        elif step == "outsider":
            outsiders += 1
            _grant(runtime, f"outsider-{outsiders}", rng.choice(ACHIEVEMENTS), date(2026, 5, 5))
        elif step == "retry":
            _mend(runtime)
            retry_job(runtime, Actor.operator(), job)
        _assert_accounted(runtime)

    _mend(runtime)
    retry_job(runtime, Actor.operator(), job)
    finished = run_job(runtime, Actor.operator(), job).job
    assert finished.failed == 0 and finished.done + finished.skipped == len(items)
    _assert_accounted(runtime)
    assert _reserved(runtime) == []
    with runtime.uow(write=False) as uow:
        per_pair = uow.session.execute(
            select(AwardRow.learner_id, AchievementRow.key)
            .join(
                AchievementVersionRow, AchievementVersionRow.id == AwardRow.achievement_version_id
            )
            .join(AchievementRow, AchievementRow.id == AchievementVersionRow.achievement_id)
        ).all()
    assert len(per_pair) == len(set(per_pair)), "a learner holds an achievement twice"

    # Whatever is still free is taken by the next awards, lowest first.
    free = _free(runtime)
    for n, index in enumerate(free):
        award = _grant(runtime, f"late-{n}", "sql-querying", date(2026, 5, 6))
        assert award is not None and award.status_list_index == index
    assert _used(runtime) == list(range(_counter(runtime)))
    assert _free(runtime) == []


def _item_states(runtime: Runtime) -> dict[int, str]:
    with runtime.uow(write=False) as uow:
        return dict(uow.session.execute(select(JobItemRow.id, JobItemRow.state)).all())


def test_the_upgrade_frees_the_indexes_that_settled_rows_kept(database_url: str) -> None:
    """Earlier versions left a failed or skipped row's reservation behind: the migration that
    brings the free pool puts those indexes in it; a pending row keeps its own."""
    engine = make_engine(database_url)
    try:
        migrate.upgrade(engine, "0030_analytics_marks")
        with Session(engine) as session:
            issuer = IssuerRow(key="northwind", name="Northwind", kind="training-provider")
            session.add(issuer)
            session.flush()
            revocation = StatusListRow(
                issuer_id=issuer.id,
                list_key="revocation-1",
                purpose="revocation",
                size=LIST_SIZE,
                next_index=3,
                bits=bytes(LIST_SIZE // 8),
            )
            job = JobRow(
                public_id=str(uuid.uuid4()),
                kind="award-import",
                key="k",
                issuer_id=issuer.id,
                source="class.csv",
                requested_by="operator",
            )
            session.add_all([revocation, job])
            session.flush()
            items = [
                JobItemRow(job_id=job.id, line=line, payload={}, state=state)
                for line, state in ((2, FAILED), (3, SKIPPED), (4, PENDING))
            ]
            session.add_all(items)
            session.flush()
            session.add_all(
                StatusReservationRow(
                    item_id=item.id, status_list_id=revocation.id, status_list_index=index
                )
                for index, item in enumerate(items)
            )
            session.commit()
        migrate.upgrade(engine)
        with Session(engine) as session:
            free = session.scalars(select(FreeStatusIndexRow.status_list_index)).all()
            reserved = session.execute(
                select(JobItemRow.state, StatusReservationRow.status_list_index).join(
                    JobItemRow, JobItemRow.id == StatusReservationRow.item_id
                )
            ).all()
        assert sorted(free) == [0, 1]
        assert [tuple(row) for row in reserved] == [(PENDING, 2)]
    finally:
        engine.dispose()


def test_two_allocations_take_the_free_indexes_one_after_the_other(tmp_path: Path) -> None:
    """PostgreSQL: while one transaction takes free indexes, another waits for it, then takes
    the rest of the pool and the counter's next; no index is taken twice."""
    factory = DatabaseFactory("postgresql", tmp_path)
    try:
        runtime = northwind_runtime(tmp_path, factory.create(), CATALOG, BASE)
        try:
            _allocate_side_by_side(runtime)
        finally:
            runtime.close()
    finally:
        factory.drop_all()


def _northwind(uow: UnitOfWork) -> IssuerRow:
    issuer = uow.session.scalar(select(IssuerRow).where(IssuerRow.key == "northwind"))
    assert issuer is not None
    return issuer


def _allocate_side_by_side(runtime: Runtime) -> None:
    with runtime.uow() as uow:  # indexes 0-3 handed out, then 0-2 left unused
        handed = allocate_many(uow, _northwind(uow), 4)
        free(uow, [(row.id, index) for row, index in handed[:3]])
        uow.commit()
    first: list[int] = []
    second: list[int] = []
    failures: list[BaseException] = []

    def other() -> None:
        try:
            with runtime.uow() as uow:
                second.extend(index for _, index in allocate_many(uow, _northwind(uow), 3))
                uow.commit()
        except BaseException as exc:  # reported below, on the test's thread
            failures.append(exc)

    with runtime.uow() as uow:
        first.extend(index for _, index in allocate_many(uow, _northwind(uow), 2))
        thread = threading.Thread(target=other)
        thread.start()
        deadline = time.monotonic() + 60
        while not someone_waits_on_a_lock(runtime):
            assert thread.is_alive(), f"the other allocation did not wait: {failures or second}"
            assert time.monotonic() < deadline, "the other allocation never reached the lock"
            time.sleep(0.05)
        uow.commit()
    thread.join(timeout=60)
    assert not thread.is_alive() and not failures, failures
    assert (first, second) == ([0, 1], [2, 4, 5])
    assert _free(runtime) == [] and _counter(runtime) == 6
