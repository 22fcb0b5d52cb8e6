"""Public lists in pages, so a page's size does not grow with the catalog behind it.

A 250,000-achievement catalog once made an issuer page take 40 s and weigh 23 MB; lists on
public pages now show ``PAGE_ITEMS`` entries at a time, selected with ``?page=N``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from fastapi import Query

from credstack.errors import NotFound
from credstack.limits import PAGE_ITEMS

__all__ = ["PageNumber", "Pager", "paginate"]

_T = TypeVar("_T")

# Bounded by meaning: more pages than a catalog of MAX_CATALOG_ACHIEVEMENTS can fill is noise.
PageNumber = Query(1, ge=1, le=10_000, description="Which page of the list (from 1).")


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


def paginate(items: Sequence[_T], page: int) -> tuple[list[_T], Pager]:
    """The items on ``page`` (from 1); NotFound past the last page of a non-empty list."""
    pages = max(1, -(-len(items) // PAGE_ITEMS))
    if page > pages:
        raise NotFound(f"there is no page {page}; the list has {pages}")
    start = (page - 1) * PAGE_ITEMS
    return list(items[start : start + PAGE_ITEMS]), Pager(page, pages, len(items))
