"""Awards: list them, read one's history, revoke, suspend or reinstate one, decide on a
flagged one."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC
from enum import StrEnum
from typing import Annotated

import typer

from credstack.cli.app import app, installation, say
from credstack.service.award_decisions import decide_flagged, reinstate, revoke, suspend
from credstack.service.award_records import MAX_PAGE, AwardPage, award_history_of, find_awards
from credstack.service.people import local_actor

__all__ = ["award_app"]

award_app = typer.Typer(
    no_args_is_help=True,
    help="Awards: list, history, revoke, suspend, reinstate, decide on flagged awards.",
)
app.add_typer(award_app, name="award")


class State(StrEnum):
    active = "active"
    flagged = "flagged"
    expired = "expired"
    suspended = "suspended"
    revoked = "revoked"


class Decision(StrEnum):
    keep = "keep"
    revoke = "revoke"


AwardId = Annotated[str, typer.Argument(metavar="AWARD", help="Award id (see `award list`).")]
By = Annotated[
    str | None,
    typer.Option(
        "--by",
        help="Email of the acting user (needs the admin role; recorded in the history).",
    ),
]
Json = Annotated[bool, typer.Option("--json", help="Print JSON.")]


@award_app.command("list")
def award_list(
    issuer: Annotated[
        str | None, typer.Option(help="Only this issuer's awards (issuer id).")
    ] = None,
    learner: Annotated[str | None, typer.Option(help="Only this learner's (learner id).")] = None,
    achievement: Annotated[
        str | None,
        typer.Option(help="Only awards of this achievement (issuer:id, or id with --issuer)."),
    ] = None,
    state: Annotated[
        State | None,
        typer.Option(help="Only awards in this state (flagged: waiting for a decision)."),
    ] = None,
    page: Annotated[int, typer.Option(min=1, help="Page number, from 1.")] = 1,
    per_page: Annotated[int, typer.Option(min=1, max=MAX_PAGE, help="Awards per page.")] = 50,
    as_json: Json = False,
) -> None:
    """Awards, oldest first: id, state, date, achievement and learner, filtered and paged."""
    with installation() as runtime:
        found = find_awards(
            runtime,
            issuer=issuer,
            learner=learner,
            achievement=achievement,
            state=state.value if state is not None else None,
            page=page,
            per_page=per_page,
        )
    if as_json:
        say(json.dumps(_page_json(found), indent=2))
        return
    for award in found.awards:
        until = f"valid until {award.valid_until}" if award.valid_until else "no end date"
        say(
            f"{award.public_id}\t{award.state}\t{award.awarded_on}\t"
            f"{award.achievement_name} ({award.issuer_key}:{award.achievement_key} "
            f"v{award.version}), {until}\t{award.learner_name} ({award.learner_key})"
        )
    say(_page_line(found, page))


def _page_json(found: AwardPage) -> dict[str, object]:
    return {
        "total": found.total,
        "offset": found.offset,
        "limit": found.limit,
        "awards": [
            {
                **asdict(a),
                "awarded_on": a.awarded_on.isoformat(),
                "valid_until": a.valid_until.isoformat() if a.valid_until else None,
            }
            for a in found.awards
        ],
    }


def _page_line(found: AwardPage, page: int) -> str:
    if found.total == 0:
        return "no awards match"
    if not found.awards:
        return f"page {page} is past the last award ({found.total} match)"
    first, last = found.offset + 1, found.offset + len(found.awards)
    line = f"awards {first} to {last} of {found.total}"
    return line + (f"; next: --page {page + 1}" if last < found.total else "")


@award_app.command("history")
def award_history_command(award: AwardId, as_json: Json = False) -> None:
    """Every change of the award, oldest first: when, what, who and why."""
    with installation() as runtime:
        events = award_history_of(runtime, award)
    if as_json:
        say(
            json.dumps(
                [{**asdict(e), "at": e.at.isoformat(timespec="seconds")} for e in events],
                indent=2,
            )
        )
        return
    for event in events:
        when = event.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        why = f": {event.reason}" if event.reason else ""
        say(f"{when}\t{event.kind}\tby {event.actor}{why}")


Reason = Annotated[
    str,
    typer.Option(
        help="Why; recorded, shown to verifiers of the credential and by `award history`."
    ),
]
Why = Annotated[
    str,
    typer.Option(
        "--reason", help="Why; recorded, sent to the learner and shown by `award history`."
    ),
]


@award_app.command("revoke")
def award_revoke(award: AwardId, reason: Reason, by: By = None) -> None:
    """Revoke an award; awards built on it are flagged for the issuer's decision."""
    with installation() as runtime:
        revoked = revoke(runtime, local_actor(runtime, by), award, reason=reason)
    say(f"revoked {award}")
    for public_id in revoked.flagged:
        say(f"flagged {public_id} for review (it counted the revoked award)")


@award_app.command("suspend")
def award_suspend(award: AwardId, reason: Why, by: By = None) -> None:
    """Suspend an active award until it is reinstated: verifiers are told it is not valid;
    awards built on it are flagged for the issuer's decision."""
    with installation() as runtime:
        suspended = suspend(runtime, local_actor(runtime, by), award, reason=reason)
    say(f"suspended {award}")
    for public_id in suspended.flagged:
        say(f"flagged {public_id} for review (it counted the suspended award)")


@award_app.command("reinstate")
def award_reinstate(award: AwardId, reason: Why, by: By = None) -> None:
    """Lift a suspended award's suspension (a revoked award stays revoked)."""
    with installation() as runtime:
        reinstated = reinstate(runtime, local_actor(runtime, by), award, reason=reason)
    say(f"reinstated {award}")
    for public_id in reinstated.cleared:
        say(f"cleared the flag on {public_id} (its support is whole again)")


@award_app.command("decide")
def award_decide(
    award: AwardId,
    decision: Annotated[Decision, typer.Argument(help="keep or revoke.")],
    reason: Annotated[str, typer.Option(help="The recorded reason.")],
    by: By = None,
) -> None:
    """Keep or revoke an award flagged because something it counted was revoked or lapsed."""
    with installation() as runtime:
        decide_flagged(
            runtime, local_actor(runtime, by), award, decision=decision.value, reason=reason
        )
    say(f"{award}: {'kept' if decision is Decision.keep else 'revoked'}")
