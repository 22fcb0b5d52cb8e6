"""Whether the installation can serve: the database answers, and at which schema revision.

The composition root asks here rather than reaching into the store itself, so the one place
that knows how to ping the database and read its revision is the service layer.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text

from credstack.service.runtime import Runtime
from credstack.store import migrate
from credstack.store.db import is_lock_timeout

__all__ = ["Health", "health", "is_busy"]


@dataclass(frozen=True)
class Health:
    database: str
    """The dialect's name ("sqlite", "postgresql")."""
    schema_revision: str | None


def health(runtime: Runtime) -> Health:
    """Ping the database (an error propagates: a dead database is not "ok")."""
    with runtime.engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    return Health(runtime.engine.dialect.name, migrate.current_revision(runtime.engine))


def is_busy(exc: BaseException) -> bool:
    """A lock that could not be had in time: "busy, retry", not a server bug."""
    return is_lock_timeout(exc)
