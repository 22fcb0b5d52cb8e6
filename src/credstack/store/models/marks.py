"""Change marks: a per-issuer counter that says its analytics figures may have changed.

The database's own triggers (migration ``0030_analytics_marks``) bump an issuer's mark in the
same transaction as any insert, update or delete of a row its figures are read from, so a
writer added later cannot forget to. A reader that finds the mark unchanged may serve figures
it computed before; no row refers to an issuer here, so deleting one never trips a key.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer
from sqlalchemy.orm import Mapped, mapped_column

from credstack.store.models.base import Base

__all__ = ["AnalyticsMarkRow"]


class AnalyticsMarkRow(Base):
    __tablename__ = "analytics_marks"
    issuer_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
