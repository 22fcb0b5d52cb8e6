"""`credstack audit-trail`: list the audit trail and verify its hash chain.

The group is not `audit` because `credstack audit LEARNER DEGREE` is the degree audit.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from credstack.cli.app import app, fail, installation, say
from credstack.service import trail
from credstack.service.actor import Actor

__all__ = ["trail_app"]

trail_app = typer.Typer(no_args_is_help=True, help="The append-only, hash-chained audit trail.")
app.add_typer(trail_app, name="audit-trail")


@trail_app.command("verify")
def trail_verify() -> None:
    """Walk the chain from the first event; exit 1 at the first broken link."""
    with installation() as runtime:
        report = trail.verify(runtime, Actor.operator())
    if report.broken is not None:
        fail(f"audit trail broken at event {report.broken.seq}: {report.broken.why}")
    say(f"{report.count} events, chain intact")


@trail_app.command("list")
def trail_list(
    after: Annotated[int, typer.Option(min=0, help="Show events after this sequence number.")] = 0,
    limit: Annotated[int, typer.Option(min=1, max=100_000, help="At most this many.")] = 100,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Events in order: sequence number, time, actor, action, subject, details."""
    with installation() as runtime:
        found = trail.entries(runtime, Actor.operator(), after=after, limit=limit)
    for entry in found:
        fields = {
            "seq": entry.seq,
            "at": entry.at.isoformat(),
            "actor": entry.actor,
            "action": entry.action,
            "subject": entry.subject,
            "details": entry.details,
            "hash": entry.hash,
        }
        if as_json:
            say(json.dumps(fields, sort_keys=True))
        else:
            details = json.dumps(entry.details, sort_keys=True)
            say(
                f"{entry.seq}\t{fields['at']}\t{entry.actor}\t{entry.action}\t{entry.subject}\t"
                f"{details}"
            )
