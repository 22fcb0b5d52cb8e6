"""The figures as tables (one per section, for CSV) and as JSON, shared by API, page and CLI."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict
from typing import Any

from credstack.errors import NotFound
from credstack.service.analytics.figures import Analytics

__all__ = ["SECTIONS", "Table", "analytics_json", "csv_text", "table"]

Cell = str | int | float | None
Table = tuple[tuple[str, ...], list[tuple[Cell, ...]]]

SECTIONS = (
    "enrolments",
    "new-learners",
    "issued",
    "pass-rates",
    "funnels",
    "time-to-stack",
    "ce-compliance",
)


def _enrolments(a: Analytics) -> Table:
    e = a.enrolments
    rows: list[tuple[Cell, ...]] = [
        ("any", e.learners),
        ("attempted", e.attempted),
        ("enrolled", e.enrolled),
        ("completed_course", e.completed_course),
        ("awarded", e.awarded),
    ]
    return ("activity", "learners"), rows


def _new_learners(a: Analytics) -> Table:
    return ("month", "learners"), [(m.month, m.count) for m in a.enrolments.new_by_month]


def _issued(a: Analytics) -> Table:
    return ("month", "type", "count"), [(r.month, r.type, r.count) for r in a.issued]


def _pass_rates(a: Analytics) -> Table:
    header = (
        "assessment",
        "attempts",
        "passes",
        "pass_rate",
        "first_attempts",
        "first_attempt_passes",
        "first_attempt_pass_rate",
    )
    rows: list[tuple[Cell, ...]] = [
        (
            r.assessment,
            r.attempts,
            r.passes,
            r.pass_rate,
            r.first_attempts,
            r.first_attempt_passes,
            r.first_attempt_pass_rate,
        )
        for r in a.pass_rates
    ]
    return header, rows


def _funnels(a: Analytics) -> Table:
    """One row per "k of n parts" step, then a "completed" row (its two counts are equal)."""
    rows: list[tuple[Cell, ...]] = []
    for f in a.funnels:
        n = f.needed
        rows.extend((f.achievement, f"{s.parts} of {n}", s.exactly, s.at_least) for s in f.steps)
        rows.append((f.achievement, "completed", f.completed, f.completed))
    return ("achievement", "stage", "learners_exactly", "learners_at_least"), rows


def _time_to_stack(a: Analytics) -> Table:
    header = ("achievement", "learners", "median_days", "min_days", "max_days")
    rows: list[tuple[Cell, ...]] = [
        (r.achievement, r.learners, r.median_days, r.min_days, r.max_days) for r in a.time_to_stack
    ]
    return header, rows


def _ce(a: Analytics) -> Table:
    header = (
        "certification",
        "end_year",
        "closed_compliant",
        "closed_lapsed",
        "compliance_rate",
        "open",
        "open_compliant_now",
    )
    rows: list[tuple[Cell, ...]] = [
        (
            r.certification,
            r.end_year,
            r.closed_compliant,
            r.closed_lapsed,
            r.compliance_rate,
            r.open,
            r.open_compliant_now,
        )
        for r in a.ce_compliance
    ]
    return header, rows


_TABLES = {
    "enrolments": _enrolments,
    "new-learners": _new_learners,
    "issued": _issued,
    "pass-rates": _pass_rates,
    "funnels": _funnels,
    "time-to-stack": _time_to_stack,
    "ce-compliance": _ce,
}


def table(figures: Analytics, section: str) -> Table:
    make = _TABLES.get(section)
    if make is None:
        raise NotFound(f"no analytics section {section!r}; one of: {', '.join(SECTIONS)}")
    return make(figures)


def csv_text(figures: Analytics, section: str) -> str:
    """RFC 4180 CSV with a header row; an empty cell means "no figure" (nothing to divide)."""
    header, rows = table(figures, section)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(["" if cell is None else cell for cell in row] for row in rows)
    return out.getvalue()


def analytics_json(figures: Analytics) -> dict[str, Any]:
    data = asdict(figures)
    data["period"] = {
        "start": figures.period.start.isoformat() if figures.period.start else None,
        "end": figures.period.end.isoformat() if figures.period.end else None,
    }
    data["as_of"] = figures.as_of.isoformat()
    return data
