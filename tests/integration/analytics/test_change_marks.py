"""The change marks never make one writer wait for another: on PostgreSQL two transactions
writing two issuers' records in opposite orders both commit (a shared counter row per issuer
deadlocked them), two writers of one issuer's records do not wait for each other, and every
committed writing transaction still moves the mark exactly once, however the writers' rows
are absorbed. An issuer's change log stays a few rows long."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from credstack.config import Settings
from credstack.service.analytics_cache import change_mark
from credstack.service.keys import KeyStore
from credstack.service.runtime import Runtime, initialise
from credstack.store import migrate
from credstack.store.db import make_engine
from credstack.store.models import AnalyticsChangeRow, EnrolmentRow, IssuerRow, LearnerRow
from tests.stories.driver import Story

BASE = "https://credstack.test"
ONLY_POSTGRES = [pytest.param("postgresql", marks=pytest.mark.postgres)]
WAIT_LIMIT = "3s"
"""A writer that would wait longer for a lock fails instead (the old design's writers waited
until the other committed; a deadlock is found after PostgreSQL's one second)."""


@pytest.fixture
def runtime(tmp_path: Path, database_url: str) -> Iterator[Runtime]:
    settings = Settings(data_dir=tmp_path / "data", database_url=database_url, base_url=BASE)
    runtime = initialise(settings)
    try:
        with runtime.uow() as uow:
            story = Story(uow, KeyStore(uow, runtime.master, BASE))
            story.load("northwind-data-academy.yaml", "clinical-research-board.yaml")
            for learner in ("ana", "bo"):
                story.learner(learner)
            uow.commit()
        yield runtime
    finally:
        runtime.close()


def _ids(runtime: Runtime) -> dict[str, int]:
    with runtime.uow(write=False) as uow:
        rows = uow.session.execute(select(IssuerRow.key, IssuerRow.id)).all()
        people = uow.session.execute(select(LearnerRow.key, LearnerRow.id)).all()
        return dict(rows) | dict(people)


def _marks(runtime: Runtime) -> dict[str, int]:
    with runtime.uow(write=False) as uow:
        issuers = uow.session.scalars(select(IssuerRow)).all()
        return {issuer.key: change_mark(uow, issuer) for issuer in issuers}


def _rows(runtime: Runtime, issuer: str) -> int:
    with runtime.uow(write=False) as uow:
        return int(
            uow.session.scalar(
                select(func.count())
                .select_from(AnalyticsChangeRow)
                .where(AnalyticsChangeRow.issuer_id == _ids(runtime)[issuer])
            )
            or 0
        )


class Writer:
    """One transaction on a connection of its own, which fails rather than wait long."""

    def __init__(self, runtime: Runtime) -> None:
        self.session = Session(runtime.engine)
        if runtime.engine.dialect.name == "postgresql":
            self.session.execute(text(f"SET LOCAL lock_timeout = '{WAIT_LIMIT}'"))
        self.ids = _ids(runtime)

    def enrol(self, issuer: str, program: str, learner: str = "ana") -> None:
        """A new row of the issuer's records (it conflicts with no other row)."""
        self.session.add(
            EnrolmentRow(
                issuer_id=self.ids[issuer],
                program=program,
                learner_id=self.ids[learner],
                enrolled_on=date(2026, 3, 1),
            )
        )
        self.session.flush()

    def commit(self) -> None:
        self.session.commit()
        self.session.close()


def _in_threads(*steps: Callable[[threading.Barrier], None]) -> list[BaseException]:
    barrier = threading.Barrier(len(steps), timeout=30)
    failures: list[BaseException] = []

    def run(step: Callable[[threading.Barrier], None]) -> None:
        try:
            step(barrier)
        except BaseException as failure:  # reported by the test, not lost in the thread
            failures.append(failure)
            barrier.abort()

    threads = [threading.Thread(target=run, args=(step,)) for step in steps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return failures


@pytest.mark.parametrize("backend", ONLY_POSTGRES)
def test_two_transactions_writing_two_issuers_in_opposite_orders_both_commit(
    runtime: Runtime,
) -> None:
    before = _marks(runtime)

    def writes(first: str, then: str) -> Callable[[threading.Barrier], None]:
        def step(barrier: threading.Barrier) -> None:
            writer = Writer(runtime)
            writer.enrol(first, f"{first}-then-{then}")
            barrier.wait()  # each holds its first issuer's change before writing the other's
            writer.enrol(then, f"{first}-then-{then}")
            writer.commit()

        return step

    assert _in_threads(writes("northwind", "ccrb"), writes("ccrb", "northwind")) == []
    after = _marks(runtime)
    assert after["northwind"] == before["northwind"] + 2
    assert after["ccrb"] == before["ccrb"] + 2


@pytest.mark.parametrize("backend", ONLY_POSTGRES)
def test_two_writers_of_one_issuer_do_not_wait_for_each_other(runtime: Runtime) -> None:
    """One connection, two transactions interleaved: a wait would fail at the lock limit (or
    hang the test at the second write, which the limit prevents)."""
    earlier = Writer(runtime)
    earlier.enrol("northwind", "earlier")
    earlier.commit()
    before = _marks(runtime)["northwind"]

    first, second = Writer(runtime), Writer(runtime)
    first.enrol("northwind", "first")  # absorbs the earlier transaction's row, holding it
    second.enrol("northwind", "second")  # skips that row: no wait
    second.enrol("northwind", "second", learner="bo")
    second.commit()
    assert _marks(runtime)["northwind"] == before + 1
    first.enrol("northwind", "first", learner="bo")
    first.commit()
    assert _marks(runtime)["northwind"] == before + 2


def test_every_writing_transaction_moves_the_mark_once_and_the_log_stays_short(
    runtime: Runtime,
) -> None:
    before = _marks(runtime)
    for n in range(20):
        writer = Writer(runtime)
        writer.enrol("northwind", f"program-{n}")
        writer.enrol("northwind", f"program-{n}", learner="bo")
        writer.commit()
    after = _marks(runtime)
    if runtime.engine.dialect.name == "postgresql":
        assert after["northwind"] == before["northwind"] + 20
    else:  # a per-row trigger: once per row written
        assert after["northwind"] == before["northwind"] + 40
    assert after["ccrb"] == before["ccrb"]
    assert _rows(runtime, "northwind") <= 2


def test_the_upgrade_keeps_every_issuers_mark_and_the_downgrade_gives_it_back(
    database_url: str,
) -> None:
    """Figures a running server keeps stay valid across the upgrade: the marks carry over."""
    engine = make_engine(database_url)
    try:
        migrate.upgrade(engine, "0031_free_indexes")
        with Session(engine) as session:
            for key in ("northwind", "ccrb"):
                session.add(IssuerRow(key=key, name=key.title(), kind="training-provider"))
                session.flush()
            session.execute(text("UPDATE issuers SET name = name || '!'"))
            session.commit()
        old = "SELECT i.key, m.version FROM analytics_marks m JOIN issuers i ON i.id = m.issuer_id"
        new = (
            "SELECT i.key, sum(c.changes) FROM analytics_changes c "
            "JOIN issuers i ON i.id = c.issuer_id GROUP BY i.key"
        )
        with engine.connect() as connection:
            before = dict(connection.execute(text(old)).all())
        assert set(before) == {"northwind", "ccrb"}
        assert all(mark >= 1 for mark in before.values())

        migrate.upgrade(engine)
        with engine.connect() as connection:
            assert dict(connection.execute(text(new)).all()) == before
        migrate.downgrade(engine, "0031_free_indexes")
        with engine.connect() as connection:
            assert dict(connection.execute(text(old)).all()) == before
    finally:
        engine.dispose()
