"""The unit of work: one transaction per use case. It commits; repositories never do."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from credstack.errors import CredstackError
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

__all__ = ["UnitOfWork", "UnitOfWorkFactory"]


class UnitOfWork:
    def __init__(self, session: Session, personal: PersonalData | None = None) -> None:
        self.session = session
        self._personal = personal
        self.issuers = Issuers(session)
        self.users = Users(session)
        self.learners = Learners(session)
        self.achievements = Achievements(session)
        self.assessments = Assessments(session)
        self.catalog_loads = CatalogLoads(session)
        self.awards = Awards(session)
        self.records = Records(session)
        self.signing_keys = SigningKeys(session)

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

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()


class UnitOfWorkFactory:
    """Makes units of work on one engine; tests bind it to a connection they roll back."""

    def __init__(
        self,
        engine: Engine,
        *,
        bind: Connection | None = None,
        personal: PersonalData | None = None,
    ) -> None:
        self.engine = engine
        self.personal = personal
        self._sessions = sessionmaker(
            bind=bind or engine,
            expire_on_commit=False,
            join_transaction_mode="create_savepoint",
        )

    def __call__(self) -> UnitOfWork:
        return UnitOfWork(self._sessions(), self.personal)
