"""Progress, degree audits and continuing education."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

import typer

from credstack.cli.app import app, counted, installation, parse_date, say
from credstack.domain.audit import render_audit
from credstack.domain.quantities import json_number
from credstack.service import reevaluation, renewals, standing
from credstack.service.actor import Actor
from credstack.service.explain import audit_json, compliance_json, compliance_text, outcome_text
from credstack.service.standing import Question

__all__ = ["AsOf", "Issuer", "Json", "ce_app", "engine_app"]

ce_app = typer.Typer(no_args_is_help=True, help="Continuing-education cycles.")
app.add_typer(ce_app, name="ce")
engine_app = typer.Typer(
    no_args_is_help=True, help="The stacking engine's jobs over every learner."
)
app.add_typer(engine_app, name="engine")

AsOf = Annotated[
    str | None,
    typer.Option("--as-of", help="Evaluate as of this date (YYYY-MM-DD; default today)."),
]
Issuer = Annotated[str | None, typer.Option("--issuer", help="Issuer id, if ambiguous.")]
OPERATOR = Actor.operator()
"""The CLI acts as the operator: it runs on the installation's machine, with its master key."""
Json = Annotated[bool, typer.Option("--json", help="Print JSON, as the API returns it.")]


def _question(learner: str, credential: str, issuer: str | None, as_of: str | None) -> Question:
    """The command's arguments as a question; a bad `--as-of` is a one-line error here, and
    without one the service takes today in the issuer's zone."""
    day = None if as_of is None else parse_date(as_of, "--as-of")
    return Question(learner, credential, issuer=issuer, as_of=day, as_of_name="--as-of")


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
    asked = _question(learner, credential, issuer, as_of)
    with installation() as runtime:
        found = standing.progress(runtime, OPERATOR, asked)
    if as_json:
        say(json.dumps(standing.progress_json(found), indent=2))
    else:
        say(outcome_text(found.outcome, names=found.names))


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
    asked = _question(learner, credential, issuer, as_of)
    with installation() as runtime:
        found = standing.degree_audit(runtime, OPERATOR, asked)
    result = found.audit
    say(
        json.dumps(audit_json(result), indent=2)
        if as_json
        else render_audit(result, found.names.text)
    )


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
    asked = _question(learner, credential, issuer, as_of)
    with installation() as runtime:
        report = standing.ce_report(runtime, OPERATOR, asked).report
    say(json.dumps(compliance_json(report), indent=2) if as_json else compliance_text(report))


@ce_app.command("reminders")
def ce_reminders(
    days: Annotated[int, typer.Option(help="Remind those with fewer days left than this.")] = 180,
    as_of: AsOf = None,
    as_json: Json = False,
    queue: Annotated[
        bool,
        typer.Option(
            "--queue",
            help="E-mail the reminders due at CREDSTACK_CE_REMINDER_DAYS (default 90,30,7 "
            "days before a cycle ends), each once per cycle, and list what was queued.",
        ),
    ] = False,
) -> None:
    """Certificants short of hours with fewer than DAYS days left in their cycle."""
    on = parse_date(as_of, "--as-of")
    if queue:
        _queue_reminders(on, as_json)
        return
    with installation() as runtime:
        due = renewals.reminders(runtime, OPERATOR, issuer=None, days=days, as_of=on)
    if as_json:
        rows = [
            {
                "learner": r.learner,
                "name": r.name,
                "email": r.email,
                "issuer": r.issuer,
                "achievement": r.achievement,
                "hours_needed": json_number(r.hours_needed),
                "days_left": r.days_left,
                "cycle_end": r.cycle_end.isoformat(),
            }
            for r in due
        ]
        say(json.dumps(rows, indent=2))
        return
    for r in due:
        say(
            f"{r.name} ({r.learner})\t{r.issuer}:{r.achievement}\t"
            f"{counted(r.hours_needed, 'hour')} needed, "
            f"{counted(r.days_left, 'day')} left (cycle ends {r.cycle_end})"
        )
    if not due:
        say("no reminders due")


@ce_app.command("close")
def ce_close(as_of: AsOf = None) -> None:
    """Close every cycle that ended before the date: renew the compliant, lapse the short."""
    on = parse_date(as_of, "--as-of")
    with installation() as runtime:
        closures = renewals.close_cycles(runtime, OPERATOR, issuer=None, as_of=on)
    lines = [
        f"{'renewed' if c.renewed else 'lapsed'}\taward {c.award}\t"
        f"cycle {c.starts_on} to {c.ends_on}\t{counted(c.hours, 'hour')}"
        for c in closures
    ]
    for line in lines or ["no cycles due"]:
        say(line)


def _queue_reminders(on: date, as_json: bool) -> None:
    with installation() as runtime:
        queued = renewals.queue_reminders(runtime, OPERATOR, issuer=None, as_of=on)
    if as_json:
        rows = [
            {
                "learner": q.learner,
                "issuer": q.issuer,
                "achievement": q.achievement,
                "threshold_days": q.threshold,
                "hours_needed": json_number(q.hours_needed),
                "days_left": q.days_left,
                "cycle_end": q.cycle_end.isoformat(),
            }
            for q in queued
        ]
        say(json.dumps(rows, indent=2))
        return
    for q in queued:
        say(
            f"queued\t{q.learner}\t{q.issuer}:{q.achievement}\t{q.threshold}-day reminder: "
            f"{counted(q.hours_needed, 'hour')} needed, {counted(q.days_left, 'day')} left"
        )
    say(f"{counted(len(queued), 'reminder')} queued")


@engine_app.command("reevaluate")
def engine_reevaluate(
    issuer: Annotated[
        str | None, typer.Option("--issuer", help="Only this issuer (default: every issuer).")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Re-evaluate as of this date (YYYY-MM-DD; default today)."),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            help="Processes splitting the learners (one per core; PostgreSQL only).",
        ),
    ] = 1,
    as_json: Json = False,
) -> None:
    """Every learner's records through the compiled requirements: awards newly met, expiries,
    CE cycles closed, reminders queued. Run it nightly; a second run the same day changes
    nothing."""
    day = None if as_of is None else parse_date(as_of, "--as-of")
    with installation() as runtime:
        done = reevaluation.reevaluate(runtime, OPERATOR, issuer=issuer, as_of=day, workers=workers)
    figures = {
        "learners": done.learners,
        "awards_granted": done.granted,
        "expired": done.expired,
        "cycles_closed": done.cycles_closed,
        "cycles_renewed": done.cycles_renewed,
        "cycles_lapsed": done.cycles_lapsed,
        "reminders_queued": done.reminders_queued,
        "imports_checked": done.imports_checked,
        "imports_changed": done.imports_changed,
        "imports_unchecked": done.imports_unchecked,
        "workers": done.workers,
        "seconds": round(done.seconds, 3),
        "learners_per_second": round(done.learners_per_second, 1),
    }
    if as_json:
        say(json.dumps(figures, indent=2))
        return
    say(f"learners\t{done.learners}")
    say(f"awards granted\t{done.granted}")
    say(f"expired\t{done.expired}")
    say(
        f"cycles closed\t{done.cycles_closed} "
        f"({done.cycles_renewed} renewed, {done.cycles_lapsed} lapsed)"
    )
    say(f"reminders queued\t{done.reminders_queued}")
    say(
        f"imports checked\t{done.imports_checked} "
        f"({done.imports_changed} changed, {done.imports_unchecked} could not be checked)"
    )
    say(f"workers\t{done.workers}")
    say(f"seconds\t{done.seconds:.2f}")
    say(f"learners/s\t{done.learners_per_second:.0f}")
