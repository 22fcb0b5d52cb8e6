"""A program office's figures over HTTP: all sections as JSON, or one section as CSV.

Any role at the issuer may read them: the figures are counts, never a learner's own records.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from credstack.http.deps import CallerDep, UowDep
from credstack.service import clock
from credstack.service.analytics import Period, analytics, analytics_json, csv_text
from credstack.service.people import ROLES, require_issuer, require_role

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["analytics"])


@router.get("/issuers/{issuer}/analytics")
def get_analytics(
    issuer: str,
    uow: UowDep,
    caller: CallerDep,
    since: date | None = None,
    until: date | None = None,
    as_of: date | None = None,
) -> dict[str, Any]:
    """Every section; `since`/`until` bound the period (inclusive), `as_of` judges open CE
    cycles (default today)."""
    require_role(caller, issuer, *ROLES)
    where = require_issuer(uow, issuer)
    figures = analytics(uow, where, period=Period(since, until), as_of=clock.as_of(as_of, where))
    return analytics_json(figures)


@router.get("/issuers/{issuer}/analytics/{section}.csv")
def get_analytics_csv(
    issuer: str,
    section: str,
    uow: UowDep,
    caller: CallerDep,
    since: date | None = None,
    until: date | None = None,
    as_of: date | None = None,
) -> Response:
    require_role(caller, issuer, *ROLES)
    where = require_issuer(uow, issuer)
    figures = analytics(uow, where, period=Period(since, until), as_of=clock.as_of(as_of, where))
    return Response(
        csv_text(figures, section),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{issuer}-{section}.csv"'},
    )
