"""A program office's figures over HTTP: all sections as JSON, or one section as CSV.

Any role at the issuer may read them: the figures are counts, never a learner's own records.
The JSON is `Analytics` itself (frozen values), as `credstack analytics --json` prints it.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from credstack.http.deps import ActorDep, RuntimeDep
from credstack.http.downloads import analytics_csv
from credstack.service.analytics import Analytics, Period, analytics_json, issuer_analytics

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["analytics"])


@router.get("/issuers/{issuer}/analytics", response_model=Analytics)
def get_analytics(
    issuer: str,
    runtime: RuntimeDep,
    actor: ActorDep,
    since: date | None = None,
    until: date | None = None,
    as_of: date | None = None,
) -> Response:
    """Every section; `since`/`until` bound the period (inclusive), `as_of` judges open CE
    cycles (default today)."""
    found = issuer_analytics(
        runtime, actor, issuer=issuer, period=Period(since, until), as_of=as_of
    )
    # Sent as `credstack analytics --json` prints it (a median of whole days stays whole);
    # `Analytics` declares its shape.
    return JSONResponse(analytics_json(found.figures))


@router.get("/issuers/{issuer}/analytics/{section}.csv")
def get_analytics_csv(
    issuer: str,
    section: str,
    runtime: RuntimeDep,
    actor: ActorDep,
    since: date | None = None,
    until: date | None = None,
    as_of: date | None = None,
) -> Response:
    found = issuer_analytics(
        runtime, actor, issuer=issuer, period=Period(since, until), as_of=as_of
    )
    return analytics_csv(found.figures, issuer, section)
