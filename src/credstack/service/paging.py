"""Long lists in pages, so what a read returns does not grow with the catalog behind it.

A 250,000-achievement catalog once made an issuer page take 40 s and weigh 23 MB; read models
for public lists now carry ``PAGE_ITEMS`` entries at a time and a `Pager` saying where they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from credstack.errors import NotFound
from credstack.limits import PAGE_ITEMS

__all__ = ["Page", "Pager", "paginate", "window"]

_T = TypeVar("_T")


@dataclass(frozen=True)
class Pager:
    page: int
    pages: int
    total: int

    @property
    def previous(self) -> int | None:
        return self.page - 1 if self.page > 1 else None

    @property
    def next(self) -> int | None:
        return self.page + 1 if self.page < self.pages else None


@dataclass(frozen=True)
class Page(Generic[_T]):
    """One page of a list and where it is among the others."""

    items: tuple[_T, ...]
    pager: Pager


def paginate(items: Sequence[_T], page: int) -> tuple[list[_T], Pager]:
    """The items on ``page`` (from 1); NotFound past the last page of a non-empty list."""
    pages = max(1, -(-len(items) // PAGE_ITEMS))
    if page > pages:
        raise NotFound(f"there is no page {page}; the list has {pages}")
    start = (page - 1) * PAGE_ITEMS
    return list(items[start : start + PAGE_ITEMS]), Pager(page, pages, len(items))


def window(total: int, page: int) -> tuple[int, Pager]:
    """Where ``page`` (from 1) starts among ``total`` rows counted in the database, for a read
    that pages in SQL (``OFFSET``/``LIMIT``) rather than loading the list; NotFound as above."""
    pages = max(1, -(-total // PAGE_ITEMS))
    if page > pages:
        raise NotFound(f"there is no page {page}; the list has {pages}")
    return (page - 1) * PAGE_ITEMS, Pager(page, pages, total)
