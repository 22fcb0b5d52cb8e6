"""File downloads the API and the pages both send (they never import each other)."""

from __future__ import annotations

from fastapi.responses import Response

from credstack.service.analytics import Analytics, csv_text

__all__ = ["analytics_csv"]


def analytics_csv(figures: Analytics, issuer: str, section: str) -> Response:
    """One analytics section as a CSV attachment named after the issuer and the section."""
    return Response(
        csv_text(figures, section),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{issuer}-{section}.csv"'},
    )
