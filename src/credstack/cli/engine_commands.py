"""Progress, degree audits and continuing education."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from credstack.cli.app import app, counted, installation, parse_date, say
from credstack.domain.audit import render_audit
from credstack.domain.quantities import json_number
from credstack.service import ce, engine
from credstack.service.explain import (
    audit_json,
    compliance_json,
    compliance_text,
    outcome_json,
    outcome_text,
)
from credstack.service.learners import profile
from credstack.service.lookup import find_achievement, find_learner

__all__ = ["AsOf", "Issuer", "Json", "ce_app"]

ce_app = typer.Typer(no_args_is_help=True, help="Continuing-education cycles.")
app.add_typer(ce_app, name="ce")

AsOf = Annotated[
    str | None,
    typer.Option("--as-of", help="Evaluate as of this date (YYYY-MM-DD; default today)."),
]
Issuer = Annotated[str | None, typer.Option("--issuer", help="Issuer id, if ambiguous.")]
Json = Annotated[bool, typer.Option("--json", help="Print JSON, as the API returns it.")]


@app.command()
def progress(
    learner: Annotated[str, typer.Argument(help="Learner id.")],
    credential: Annotated[
        str, typer.Argument(metavar="ACHIEVEMENT", help="Achievement id (issuer:id if ambiguous).")
    ],
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
        names = engine.catalog_names(uow, where)
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
        say(outcome_text(outcome, names=names))


@app.command()
def audit(
    learner: Annotated[str, typer.Argument(help="Learner id.")],
    credential: Annotated[
        str,
        typer.Argument(metavar="ACHIEVEMENT", help="A degree or other credit-based achievement."),
    ],
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
        names = engine.catalog_names(uow, where)
    say(json.dumps(audit_json(result), indent=2) if as_json else render_audit(result, names.text))


@ce_app.command("report")
def ce_report(
    learner: Annotated[str, typer.Argument(help="Learner id.")],
    credential: Annotated[
        str, typer.Argument(metavar="CERTIFICATION", help="The certification's achievement id.")
    ],
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
    for r, row in zip(due, rows, strict=True):
        say(
            f"{row['name']} ({r.learner.key})\t{r.issuer.key}:{r.achievement_key}\t"
            f"{counted(r.report.hours_needed, 'hour')} needed, "
            f"{counted(r.report.days_left, 'day')} left (cycle ends {r.report.cycle.end})"
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
            f"cycle {c.cycle.starts_on} to {c.cycle.ends_on}\t{counted(c.report.hours, 'hour')}"
            for c in closures
        ]
        uow.commit()
    for line in lines or ["no cycles due"]:
        say(line)
