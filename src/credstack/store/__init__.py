"""Persistence: SQLAlchemy rows, repositories, migrations and the unit of work."""

from credstack.store.db import make_engine
from credstack.store.uow import UnitOfWork, UnitOfWorkFactory

__all__ = ["UnitOfWork", "UnitOfWorkFactory", "make_engine"]
