"""Progress, degree audits, continuing education and award decisions."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from credstack.cli.app import app, installation, parse_date, say
from credstack.domain.audit import render_audit
from credstack.domain.quantities import json_number, show
from credstack.service import ce, engine, lifecycle
from credstack.service.explain import (
    audit_json,
    compliance_json,
    compliance_text,
    outcome_json,
    outcome_text,
)
from credstack.service.learners import profile
from credstack.service.lookup import find_achievement, find_award, find_learner

__all__ = ["award_app", "ce_app"]

ce_app = typer.Typer(no_args_is_help=True, help="Continuing-education cycles.")
award_app = typer.Typer(no_args_is_help=True, help="Awards: revoke, decide on flags, history.")
app.add_typer(ce_app, name="ce")
app.add_typer(award_app, name="award")

AsOf = Annotated[
    str | None,
    typer.Option("--as-of", help="Evaluate as of this date (YYYY-MM-DD; default today)."),
]
Issuer = Annotated[str | None, typer.Option("--issuer", help="Issuer id, if ambiguous.")]
Json = Annotated[bool, typer.Option("--json", help="Print JSON, as the API returns it.")]


@app.command()
def progress(
    learner: Annotated[str, typer.Argument(help="Learner id.")],
    credential: Annotated[str, typer.Argument(help="Achievement id (issuer:id if ambiguous).")],
    issuer: Issuer = None,
    as_of: AsOf = None,
    as_json: Json = False,
) -> None:
    """What is met, what is missing, and why, for one learner and one achievement."""
    with installation() as runtime, runtime.uow() as uow:
        who = find_learner(uow, learner)
        where, key = find_achievement(uow, credential, issuer)
        on = parse_date(as_of, "--as-of", where)
        outcome = engine.progress(uow, learner=who, issuer=where, achievement_key=key, as_of=on)
    if as_json:
        say(
            json.dumps(
                {
                    "learner": learner,
                    "issuer": where.key,
                    "achievement": key,
                    "as_of": on.isoformat(),
                    "outcome": outcome_json(outcome),
                },
                indent=2,
            )
        )
    else:
        say(outcome_text(outcome))


@app.command()
def audit(
    learner: Annotated[str, typer.Argument(help="Learner id.")],
    credential: Annotated[str, typer.Argument(help="A degree or other credit-based achievement.")],
    issuer: Issuer = None,
    as_of: AsOf = None,
    as_json: Json = False,
) -> None:
    """The degree audit: which credits came from where, which did not count and why."""
    with installation() as runtime, runtime.uow() as uow:
        who = find_learner(uow, learner)
        where, key = find_achievement(uow, credential, issuer)
        on = parse_date(as_of, "--as-of", where)
        _outcome, result = engine.audit(
            uow, learner=who, issuer=where, achievement_key=key, as_of=on
        )
    say(json.dumps(audit_json(result), indent=2) if as_json else render_audit(result))


@ce_app.command("report")
def ce_report(
    learner: Annotated[str, typer.Argument(help="Learner id.")],
    credential: Annotated[str, typer.Argument(help="The certification.")],
    issuer: Issuer = None,
    as_of: AsOf = None,
    as_json: Json = False,
) -> None:
    """Counted hours per category, short by, days left in the cycle."""
    with installation() as runtime, runtime.uow() as uow:
        who = find_learner(uow, learner)
        where, key = find_achievement(uow, credential, issuer)
        on = parse_date(as_of, "--as-of", where)
        report = ce.report_for(uow, learner=who, issuer=where, achievement_key=key, as_of=on)
    say(json.dumps(compliance_json(report), indent=2) if as_json else compliance_text(report))


@ce_app.command("reminders")
def ce_reminders(
    days: Annotated[int, typer.Option(help="Remind those with fewer days left than this.")] = 180,
    as_of: AsOf = None,
    as_json: Json = False,
) -> None:
    """Certificants short of hours with fewer than DAYS days left in their cycle."""
    on = parse_date(as_of, "--as-of")
    with installation() as runtime, runtime.uow() as uow:
        due = ce.reminders(uow, as_of=on, days=days)
        rows = []
        for r in due:
            person = profile(uow, r.learner)
            rows.append(
                {
                    "learner": r.learner.key,
                    "name": person.name,
                    "email": person.email,
                    "issuer": r.issuer.key,
                    "achievement": r.achievement_key,
                    "hours_needed": json_number(r.report.hours_needed),
                    "days_left": r.report.days_left,
                    "cycle_end": r.report.cycle.end.isoformat(),
                }
            )
    if as_json:
        say(json.dumps(rows, indent=2))
        return
    for row in rows:
        say(
            f"{row['learner']}\t{row['issuer']}:{row['achievement']}\t"
            f"{row['hours_needed']} hours needed, {row['days_left']} days left "
            f"(cycle ends {row['cycle_end']})"
        )
    if not rows:
        say("no reminders due")


@ce_app.command("close")
def ce_close(as_of: AsOf = None) -> None:
    """Close every cycle that ended before the date: renew the compliant, lapse the short."""
    on = parse_date(as_of, "--as-of")
    with installation() as runtime, runtime.uow() as uow:
        closures = ce.close_due_cycles(uow, on=on)
        lines = [
            f"{'renewed' if c.renewed else 'lapsed'}\taward {c.award.public_id}\t"
            f"cycle {c.cycle.starts_on} to {c.cycle.ends_on}\t{show(c.report.hours)} hours"
            for c in closures
        ]
        uow.commit()
    for line in lines or ["no cycles due"]:
        say(line)


@award_app.command("revoke")
def award_revoke(
    award: Annotated[str, typer.Argument(help="Award id.")],
    reason: Annotated[str, typer.Option(help="Why (recorded, and shown to verifiers).")],
) -> None:
    """Revoke an award; awards built on it are flagged for the issuer's decision."""
    with installation() as runtime, runtime.uow() as uow:
        row = find_award(uow, award)
        flagged = lifecycle.revoke_award(uow, row, reason=reason)
        ids = [f.public_id for f in flagged]
        uow.commit()
    say(f"revoked {award}")
    for public_id in ids:
        say(f"flagged {public_id} for review (it counted the revoked award)")


@award_app.command("decide")
def award_decide(
    award: Annotated[str, typer.Argument(help="A flagged award's id.")],
    decision: Annotated[str, typer.Argument(help="keep or revoke.")],
    reason: Annotated[str, typer.Option(help="The recorded reason.")],
) -> None:
    """Keep or revoke an award flagged because something it counted was revoked or lapsed."""
    with installation() as runtime, runtime.uow() as uow:
        lifecycle.decide_flag(uow, find_award(uow, award), decision=decision, reason=reason)
        uow.commit()
    say(f"{award}: {decision}")
