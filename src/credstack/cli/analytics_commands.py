"""`credstack analytics ISSUER`: a program office's figures, as text, JSON or one CSV section."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

import typer

from credstack.cli.app import app, fail, installation, say
from credstack.service.actor import Actor
from credstack.service.analytics import (
    SECTIONS,
    Period,
    analytics_json,
    csv_text,
    issuer_analytics,
    table,
)

__all__ = ["analytics_command"]


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{option}: {value!r} is not a date (YYYY-MM-DD)")


@app.command("analytics")
def analytics_command(
    issuer: Annotated[str, typer.Argument(help="Issuer id, e.g. ccrb.")],
    as_json: Annotated[bool, typer.Option("--json", help="All sections as JSON.")] = False,
    section: Annotated[
        str | None, typer.Option(help=f"One section: {', '.join(SECTIONS)}.")
    ] = None,
    as_csv: Annotated[bool, typer.Option("--csv", help="The --section as CSV.")] = False,
    since: Annotated[str | None, typer.Option(help="Period start, YYYY-MM-DD.")] = None,
    until: Annotated[str | None, typer.Option(help="Period end, YYYY-MM-DD.")] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Judge open CE cycles on (default today).")
    ] = None,
) -> None:
    """Enrolments, credentials issued, pass rates, stacking funnels, time to stack, CE."""
    if as_csv and section is None:
        fail("--csv needs --section")
    if section is not None and section not in SECTIONS:
        fail(f"no analytics section {section!r}; one of: {', '.join(SECTIONS)}")
    period = Period(_day(since, "--since"), _day(until, "--until"))
    on = _day(as_of, "--as-of")
    with installation() as runtime:
        figures = issuer_analytics(
            runtime, Actor.operator(), issuer=issuer, period=period, as_of=on
        ).figures
    if as_json:
        say(json.dumps(analytics_json(figures), indent=2))
        return
    for name in SECTIONS if section is None else (section,):
        if as_csv:
            typer.echo(csv_text(figures, name), nl=False)
            continue
        header, rows = table(figures, name)
        say(f"# {name}")
        say("\t".join(header))
        for row in rows:
            say("\t".join("" if cell is None else str(cell) for cell in row))
