"""The unit of work: one transaction per use case. It commits; repositories never do.

A unit of work is a writer unless asked otherwise: on SQLite a writer takes the write lock
when it begins (see ``store.db``), so it never fails half-way for a lock another writer holds.
Read-only units (``write=False``: GET requests, reports) take no lock at all.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from types import TracebackType

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from credstack.errors import CredstackError
from credstack.store.db import WRITE_OPTION
from credstack.store.decoded import DecodedCatalog
from credstack.store.job_queue import QueuedTasks
from credstack.store.repositories import (
    Achievements,
    Assessments,
    Awards,
    CatalogLoads,
    Issuers,
    Learners,
    Records,
    SigningKeys,
    Users,
)
from credstack.store.secrets import PersonalData

__all__ = ["CHECKPOINT_PAUSE_SECONDS", "UnitOfWork", "UnitOfWorkFactory"]

_OUTBOX_WRITTEN = "credstack.outbox_written"

CHECKPOINT_PAUSE_SECONDS = 0.15
"""Longer than SQLite's longest busy-handler sleep (100 ms), so a waiting writer gets a turn."""


class UnitOfWork:
    def __init__(
        self,
        session: Session,
        personal: PersonalData | None = None,
        decoded: DecodedCatalog | None = None,
        after_outbox: Callable[[], None] | None = None,
    ) -> None:
        self.session = session
        self._personal = personal
        self._after_outbox = after_outbox
        self.decoded = decoded or DecodedCatalog()
        """Stored definitions decoded once: the runtime's, shared by its units of work."""
        self.issuers = Issuers(session)
        self.users = Users(session)
        self.learners = Learners(session)
        self.achievements = Achievements(session)
        self.assessments = Assessments(session)
        self.catalog_loads = CatalogLoads(session)
        self.awards = Awards(session)
        self.records = Records(session)
        self.signing_keys = SigningKeys(session)
        self.queued_tasks = QueuedTasks(session)

    @property
    def personal(self) -> PersonalData:
        """The keys for learners' names and addresses (derived from the master key)."""
        if self._personal is None:
            raise CredstackError("learners' personal data needs the master key, not given here")
        return self._personal

    def __enter__(self) -> UnitOfWork:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is not None:
            self.session.rollback()
        self.session.close()

    def outbox_written(self) -> None:
        """A message was queued in this transaction: its delivery is asked for once the
        transaction commits (`UnitOfWorkFactory.after_outbox`), not at the next sweep."""
        self.session.info[_OUTBOX_WRITTEN] = True

    def commit(self) -> None:
        self.session.commit()
        if self.session.info.pop(_OUTBOX_WRITTEN, False) and self._after_outbox is not None:
            self._after_outbox()

    def rollback(self) -> None:
        self.session.rollback()
        self.session.info.pop(_OUTBOX_WRITTEN, None)

    def checkpoint(self) -> None:
        """Commit what a long job has done so far and let other writers in before going on.

        SQLite has one writer at a time, and a writer waiting for the lock polls (its busy
        handler sleeps between tries): a job that committed and began again at once would take
        the lock back before any waiter woke. A short pause after the commit lets them have it.
        """
        self.session.commit()
        if self.session.get_bind().dialect.name == "sqlite":
            time.sleep(CHECKPOINT_PAUSE_SECONDS)


class UnitOfWorkFactory:
    """Makes units of work on one engine; tests bind it to a connection they roll back.

    Its units share one `DecodedCatalog` (the runtime's, or a new one per factory), so what one
    request decoded, the next one reads.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        bind: Connection | None = None,
        personal: PersonalData | None = None,
        decoded: DecodedCatalog | None = None,
    ) -> None:
        self.engine = engine
        self.personal = personal
        self.decoded = decoded or DecodedCatalog()
        self.after_outbox: Callable[[], None] | None = None
        """Called after a commit that queued a message: the job system's wake-up (its
        delivery task queued, or the in-process worker woken). It must not raise."""
        self._readers = sessionmaker(
            bind=bind or engine,
            expire_on_commit=False,
            join_transaction_mode="create_savepoint",
        )
        self._writers = sessionmaker(
            bind=bind or engine.execution_options(**{WRITE_OPTION: True}),
            expire_on_commit=False,
            join_transaction_mode="create_savepoint",
        )

    def __call__(self, *, write: bool = True) -> UnitOfWork:
        return UnitOfWork(
            (self._writers if write else self._readers)(),
            self.personal,
            self.decoded,
            self.after_outbox,
        )
