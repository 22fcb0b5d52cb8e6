"""Issuers' figures as last computed, served again while nothing they are read from changed.

(Also the quality report's item statistics, `ItemStatisticsCache`, kept the same way.)

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
from collections.abc import Callable, Hashable
from datetime import date
from typing import TYPE_CHECKING, Generic, TypeVar

from sqlalchemy import func, select

from credstack.store.models import AnalyticsChangeRow, IssuerRow
from credstack.store.uow import UnitOfWork

if TYPE_CHECKING:  # the runtime's caches import this module, and analytics imports the runtime
    from credstack.service.analytics.figures import Analytics, Period
    from credstack.service.earning.quality import AssessmentStatistics

__all__ = ["FigureCache", "ItemStatisticsCache", "MarkedCache", "change_mark"]

Question = TypeVar("Question", bound=Hashable)
Value = TypeVar("Value")

ITEM_STATISTICS_ENTRIES = 256
"""Forms' statistics kept per runtime (a few kilobytes each); the least recently used go."""

FIGURE_CACHE_ENTRIES = 256
"""Figures kept per runtime (a few kilobytes each): an issuer's page, its CSV links and a
handful of periods, for many issuers; the least recently used go first."""


def change_mark(uow: UnitOfWork, issuer: IssuerRow) -> int:
    """The issuer's mark now: 0 until something its figures read from is first written; one
    statement, so it sees a transaction that absorbed others' rows wholly or not at all."""
    found = uow.session.scalar(
        select(func.sum(AnalyticsChangeRow.changes)).where(
            AnalyticsChangeRow.issuer_id == issuer.id
        )
    )
    return int(found or 0)


class MarkedCache(Generic[Question, Value]):
    """Values computed from an issuer's records, each kept under the issuer's change mark and
    the question asked, bounded by `entries` (the least recently used go first)."""

    def __init__(self, entries: int) -> None:
        self._entries = entries
        self._items: OrderedDict[tuple[int, int, Question], Value] = OrderedDict()
        self._lock = threading.Lock()

    def get(
        self, uow: UnitOfWork, issuer: IssuerRow, question: Question, compute: Callable[[], Value]
    ) -> Value:
        """The value kept for this mark and question, else ``compute()``'s, then kept."""
        key = (issuer.id, change_mark(uow, issuer), question)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        made = compute()
        with self._lock:
            self._items[key] = made
            self._items.move_to_end(key)
            while len(self._items) > self._entries:
                self._items.popitem(last=False)
        return made

    def __len__(self) -> int:
        return len(self._items)


class FigureCache(MarkedCache[tuple[date | None, date | None, date], "Analytics"]):
    def __init__(self, entries: int = FIGURE_CACHE_ENTRIES) -> None:
        super().__init__(entries)

    def figures(
        self,
        uow: UnitOfWork,
        issuer: IssuerRow,
        period: Period,
        as_of: date,
        compute: Callable[[], Analytics],
    ) -> Analytics:
        """The figures kept for this mark and question, else ``compute()``'s, then kept."""
        return self.get(uow, issuer, (period.start, period.end, as_of), compute)


class ItemStatisticsCache(MarkedCache[int, tuple["AssessmentStatistics | None", str]]):
    """Each assessment form's item statistics and the quality report's line about them, by
    assessment version, under its issuer's change mark (the form's attempts are recorded at its
    issuer). They read every candidate's first attempt, so they cost more as candidates come;
    a new attempt, a regrading or an erasure moves the mark and the next report computes them
    again. None while too few candidates have sat the form."""

    def __init__(self, entries: int = ITEM_STATISTICS_ENTRIES) -> None:
        super().__init__(entries)
