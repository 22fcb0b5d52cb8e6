"""Two workers' batches with rows of one new learner (PostgreSQL: SQLite has one writer).

Worker A's batch creates the learner and has not committed when worker B's batch, holding
another row of the same learner, creates it too. B must wait for A and then issue its row to
the learner A made, not end its run on the learners' unique key.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from sqlalchemy import func, select

from credstack.config import Settings
from credstack.service.actor import Actor
from credstack.service.bulk import submit_award_import
from credstack.service.bulk.award_batch import ImportRun, Outcome, issue_chunk
from credstack.service.bulk.views import DONE
from credstack.service.catalog import load_catalog
from credstack.service.keys import KeyStore
from credstack.service.people import add_issuer
from credstack.service.runtime import Runtime, initialise
from credstack.store.models import AwardRow, IssuerRow, JobItemRow, LearnerRow
from tests.conftest import DatabaseFactory
from tests.integration.bulk.bulk_helpers import EXAMPLES, someone_waits_on_a_lock

BASE = "http://credstack.test"
ROWS = (
    "learner,email,name,achievement,date\n"
    "ana,ana@example.org,Ana Ruiz,sql-querying,2026-05-04\n"
    "ana,ana@example.org,Ana Ruiz,data-visualisation,2026-05-05\n"
)


def test_a_batch_uses_the_learner_a_concurrent_batch_created(tmp_path: Path) -> None:
    factory = DatabaseFactory("postgresql", tmp_path)
    try:
        runtime = initialise(
            Settings(data_dir=tmp_path, database_url=factory.create(), base_url=BASE)
        )
        try:
            _race(runtime)
        finally:
            runtime.close()
    finally:
        factory.drop_all()


def _chunk(runtime: Runtime, line: int, outcomes: dict[int, Outcome]) -> None:
    """Issue the item of file line `line` in a transaction of its own, as a worker's batch."""
    with runtime.uow() as uow:
        issuer = uow.session.scalar(select(IssuerRow).where(IssuerRow.key == "northwind"))
        item = uow.session.scalar(select(JobItemRow).where(JobItemRow.line == line))
        assert issuer is not None and item is not None
        run = ImportRun(KeyStore(uow, runtime.master, BASE), BASE, reserving=runtime.uow)
        outcomes.update(issue_chunk(uow, run, issuer, [item]))
        uow.commit()


def _race(runtime: Runtime) -> None:
    with runtime.uow() as uow:
        add_issuer(
            uow, runtime.keys(uow), key="northwind", name="Northwind", kind="training-provider"
        )
        catalog = (EXAMPLES / "northwind-data-academy.yaml").read_text()
        load_catalog(uow, issuer_key="northwind", text=catalog, source="northwind.yaml")
        uow.commit()
    submit_award_import(runtime, Actor.operator(), issuer="northwind", text=ROWS, source="a.csv")

    first: dict[int, Outcome] = {}
    second: dict[int, Outcome] = {}
    failures: list[BaseException] = []
    with runtime.uow() as uow:  # worker A: its batch creates Ana and has not committed
        issuer = uow.session.scalar(select(IssuerRow).where(IssuerRow.key == "northwind"))
        item = uow.session.scalar(select(JobItemRow).where(JobItemRow.line == 2))
        assert issuer is not None and item is not None
        run = ImportRun(KeyStore(uow, runtime.master, BASE), BASE, reserving=runtime.uow)
        first.update(issue_chunk(uow, run, issuer, [item]))

        def worker_b() -> None:
            try:
                _chunk(runtime, 3, second)
            except BaseException as exc:  # reported below, on the test's thread
                failures.append(exc)

        thread = threading.Thread(target=worker_b)
        thread.start()
        deadline = time.monotonic() + 60
        while not someone_waits_on_a_lock(runtime):  # B's insert of Ana waits for A
            assert thread.is_alive(), f"B did not wait for A: {failures or second}"
            assert time.monotonic() < deadline, "B never reached the learner insert"
            time.sleep(0.05)
        uow.commit()
    thread.join(timeout=60)
    assert not thread.is_alive()
    assert not failures, failures
    assert [o.state for o in first.values()] == [DONE]
    assert [o.state for o in second.values()] == [DONE], second
    with runtime.uow(write=False) as uow:
        learners = uow.session.scalars(select(LearnerRow).where(LearnerRow.key == "ana")).all()
        assert len(learners) == 1
        awards = uow.session.scalars(
            select(AwardRow).where(AwardRow.learner_id == learners[0].id)
        ).all()
        assert sorted(a.id for a in awards) == sorted(
            o.award_id for o in (*first.values(), *second.values()) if o.award_id is not None
        )
        assert sorted(a.status_list_index for a in awards) == [0, 1]
        assert uow.session.scalar(select(func.count()).select_from(LearnerRow)) == 1
