"""The ``?page=N`` query of long lists, for pages and API answers alike, and the headers that
tell an API client where the other pages are. The paging itself is the read model's
(``service.paging``), so a page's size does not grow with what is behind it."""

from __future__ import annotations

from typing import Any

from fastapi import Query, Request, Response

from credstack.limits import PAGE_ITEMS
from credstack.service.paging import Pager

__all__ = ["MAX_PAGE", "PAGED", "PageNumber", "page_headers"]

# Bounded by meaning: more pages than a catalog of MAX_CATALOG_ACHIEVEMENTS can fill is noise.
MAX_PAGE = 10_000
PageNumber = Query(1, ge=1, le=MAX_PAGE, description="Which page of the list (from 1).")

PAGED: dict[int | str, dict[str, Any]] = {
    200: {
        "headers": {
            "X-Total-Count": {
                "description": f"How many there are on all pages, {PAGE_ITEMS} to a page.",
                "schema": {"type": "integer"},
            },
            "Link": {
                "description": 'RFC 8288 links to the `rel="next"` and `rel="prev"` pages, '
                "when there are.",
                "schema": {"type": "string"},
            },
        }
    },
    404: {"description": "Past the last page."},
}
"""The OpenAPI responses of a paged API list."""


def page_headers(request: Request, response: Response, pager: Pager) -> None:
    """``X-Total-Count`` and, when there are other pages, ``Link`` (``rel="next"``/``"prev"``)."""
    response.headers["X-Total-Count"] = str(pager.total)
    links = [
        f'<{request.url.include_query_params(page=number)}>; rel="{rel}"'
        for rel, number in (("next", pager.next), ("prev", pager.previous))
        if number is not None
    ]
    if links:
        response.headers["Link"] = ", ".join(links)
