"""The analytics page of an issuer: figures, SVG charts, tables and CSV downloads.

Staff sign in once for all pages (``web.auth``: a session behind an HttpOnly cookie); a
visitor who is not signed in is sent to ``/signin`` (the e-mail link) and back. Scripts may send
``Authorization: Bearer`` instead (``http.deps.ActorDep`` reads both). Either way the caller
needs a role at the issuer, exactly as for the API's analytics, and the CSV links here are
authorised the same way. Both only read, in a read-only unit of work; a token's "last used"
is `ActorDep`'s own short write, skipped when the database is busy.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from credstack.http.deps import ActorDep, RuntimeDep
from credstack.http.downloads import analytics_csv as csv_download
from credstack.service.actor import ActorKind
from credstack.service.analytics import SECTIONS, Analytics, Period, issuer_analytics, table
from credstack.web.analytics_charts import bar_chart
from credstack.web.page import PageRoute, render

__all__ = ["router"]

router = APIRouter(include_in_schema=False, route_class=PageRoute)


def _path(issuer: str) -> str:
    return f"/issuers/{issuer}/analytics"


def _query(since: date | None, until: date | None, as_of: date | None) -> str:
    given = (("since", since), ("until", until), ("as_of", as_of))
    return urlencode({k: v.isoformat() for k, v in given if v is not None})


def _charts(figures: Analytics) -> dict[str, Any]:
    months: dict[str, int] = {}
    for row in figures.issued:
        months[row.month] = months.get(row.month, 0) + row.count
    return {
        "new_learners": bar_chart(
            "chart-new",
            "New learners by month of first activity",
            [(m.month, m.count) for m in figures.enrolments.new_by_month],
        ),
        "issued": bar_chart("chart-issued", "Credentials issued per month", sorted(months.items())),
        "pass_rates": bar_chart(
            "chart-pass",
            "Pass rate per assessment (all attempts)",
            [(r.assessment, 100 * (r.pass_rate or 0.0)) for r in figures.pass_rates],
            unit="%",
            scale_max=100,
        ),
        "funnels": [
            bar_chart(
                f"chart-funnel-{i}",
                f"{f.name}: learners meeting at least k of {f.needed} requirements",
                [
                    *((f"{s.parts}+ of {f.needed}", s.at_least) for s in f.steps),
                    ("completed", f.completed),
                ],
            )
            for i, f in enumerate(figures.funnels)
        ],
        "time_to_stack": bar_chart(
            "chart-time",
            "Median days from first microcredential to the stacked credential",
            [(r.name, r.median_days) for r in figures.time_to_stack if r.median_days is not None],
            unit=" d",
        ),
        "ce": bar_chart(
            "chart-ce",
            "CE compliance rate of closed cycles, by certification and end year",
            [
                (f"{r.certification} {r.end_year}", 100 * r.compliance_rate)
                for r in figures.ce_compliance
                if r.compliance_rate is not None
            ],
            unit="%",
            scale_max=100,
        ),
    }


@router.get("/issuers/{issuer}/analytics", response_model=None)
def analytics_page(
    request: Request,
    issuer: str,
    runtime: RuntimeDep,
    actor: ActorDep,
    since: date | None = None,
    until: date | None = None,
    as_of: date | None = None,
) -> Response:
    query = _query(since, until, as_of)
    if actor.kind is ActorKind.ANONYMOUS:
        here = _path(issuer) + (f"?{query}" if query else "")
        return RedirectResponse(f"/signin?next={quote(here, safe='')}", status_code=303)
    found = issuer_analytics(
        runtime, actor, issuer=issuer, period=Period(since, until), as_of=as_of
    )
    figures = found.figures
    suffix = f"?{query}" if query else ""
    return render(
        request,
        "analytics.html",
        {
            "title": f"Analytics of {found.issuer_name}",
            "wide": True,
            "issuer": {"name": found.issuer_name},
            "a": figures,
            "charts": _charts(figures),
            "tables": {s: table(figures, s) for s in SECTIONS},
            "csv": {s: f"{_path(issuer)}/{s}.csv{suffix}" for s in SECTIONS},
        },
    )


@router.get("/issuers/{issuer}/analytics/{section}.csv")
def analytics_csv(
    issuer: str,
    section: str,
    runtime: RuntimeDep,
    actor: ActorDep,
    since: date | None = None,
    until: date | None = None,
    as_of: date | None = None,
) -> Response:
    """The page's download links: the same CSV as the API's, authorised by the page's cookie."""
    found = issuer_analytics(
        runtime, actor, issuer=issuer, period=Period(since, until), as_of=as_of
    )
    return csv_download(found.figures, issuer, section)
