"""Issuers' figures as last computed, served again while nothing they are read from changed.

Computing an issuer's figures reads every one of its records (and judges every open CE
cycle), so its cost grows with its learners; the page and the API would pay it on every
request. A result is kept under the issuer's change mark (the sum of its `AnalyticsChangeRow`s,
which the database's triggers add to in the writing transaction, whichever process writes)
together with the question (period, day judged). The mark is read before the records, so
figures can only be kept under a mark older than what they saw, never newer: a change is
served at the next request, by every runtime sharing the database.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from credstack.store.models import AnalyticsChangeRow, IssuerRow
from credstack.store.uow import UnitOfWork

if TYPE_CHECKING:  # the runtime's caches import this module, and analytics imports the runtime
    from credstack.service.analytics.figures import Analytics, Period

__all__ = ["FigureCache", "change_mark"]

FIGURE_CACHE_ENTRIES = 256
"""Figures kept per runtime (a few kilobytes each): an issuer's page, its CSV links and a
handful of periods, for many issuers; the least recently used go first."""

_Key = tuple[int, int, date | None, date | None, date]


def change_mark(uow: UnitOfWork, issuer: IssuerRow) -> int:
    """The issuer's mark now: 0 until something its figures read from is first written; one
    statement, so it sees a transaction that absorbed others' rows wholly or not at all."""
    found = uow.session.scalar(
        select(func.sum(AnalyticsChangeRow.changes)).where(
            AnalyticsChangeRow.issuer_id == issuer.id
        )
    )
    return int(found or 0)


class FigureCache:
    def __init__(self, entries: int = FIGURE_CACHE_ENTRIES) -> None:
        self._entries = entries
        self._items: OrderedDict[_Key, Analytics] = OrderedDict()
        self._lock = threading.Lock()

    def figures(
        self,
        uow: UnitOfWork,
        issuer: IssuerRow,
        period: Period,
        as_of: date,
        compute: Callable[[], Analytics],
    ) -> Analytics:
        """The figures kept for this mark and question, else ``compute()``'s, then kept."""
        key = (issuer.id, change_mark(uow, issuer), period.start, period.end, as_of)
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found
        made = compute()
        with self._lock:
            self._items[key] = made
            self._items.move_to_end(key)
            while len(self._items) > self._entries:
                self._items.popitem(last=False)
        return made

    def __len__(self) -> int:
        return len(self._items)
