"""The ``?page=N`` query of public lists; the paging itself is the read model's
(``service.paging``), so a page's size does not grow with the catalog behind it."""

from __future__ import annotations

from fastapi import Query

__all__ = ["PageNumber"]

# Bounded by meaning: more pages than a catalog of MAX_CATALOG_ACHIEVEMENTS can fill is noise.
PageNumber = Query(1, ge=1, le=10_000, description="Which page of the list (from 1).")
