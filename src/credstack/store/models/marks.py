"""Change marks: what says an issuer's analytics figures may have changed.

The database's own triggers (migration ``0032_change_marks``) add a row, or add to one, in
``analytics_changes`` in the same transaction as any insert, update or delete of a row an
issuer's figures are read from, so a writer added later cannot forget to. The issuer's mark is
the sum of its rows' ``changes``: it grows with every committed writing transaction, so a
reader that finds it unchanged may serve figures it computed before.

On PostgreSQL each writing transaction adds its own row (``tx`` is its transaction id), so no
writer waits for another; it absorbs committed rows as it goes, so an issuer has few. On
SQLite, one writer at a time, each issuer has one row (``tx`` 0). No row refers to an issuer
here, so deleting one never trips a key.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer
from sqlalchemy.orm import Mapped, mapped_column

from credstack.store.models.base import Base

__all__ = ["AnalyticsChangeRow"]


class AnalyticsChangeRow(Base):
    __tablename__ = "analytics_changes"
    __table_args__ = ({"sqlite_with_rowid": False},)
    issuer_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    tx: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    changes: Mapped[int] = mapped_column(BigInteger)
