"""Earning routes from the command line: results, enrolments, attestations, courses, review.

`--by EMAIL` names the acting user, whose role at the issuer is checked (a rubric score, an
attestation and every review step need one); without it a command acts as the operator.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import typer

from credstack.cli.app import app, fail, installation, parse_date, read_text, say
from credstack.domain.records import Proctoring
from credstack.service import clock
from credstack.service.actor import Actor
from credstack.service.earning import (
    ACTIONS,
    AttemptConditions,
    ImportRejected,
    ItemResponses,
    Recorded,
    ResultInput,
    RubricScores,
    TotalScore,
    recording,
    reviewing,
)
from credstack.service.people import local_actor

__all__ = ["course_app", "program_app", "result_app", "review_app"]

result_app = typer.Typer(no_args_is_help=True, help="Assessment results: record and import.")
program_app = typer.Typer(no_args_is_help=True, help="Programs: enrol learners.")
course_app = typer.Typer(no_args_is_help=True, help="Course completions.")
review_app = typer.Typer(no_args_is_help=True, help="Quality review of achievements.")
app.add_typer(result_app, name="result")
app.add_typer(program_app, name="program")
app.add_typer(course_app, name="course")
app.add_typer(review_app, name="review")

IssuerOpt = Annotated[str, typer.Option("--issuer", help="Issuer id.")]
LearnerOpt = Annotated[str, typer.Option("--learner", help="Learner id.")]
ByOpt = Annotated[
    str | None, typer.Option("--by", help="Email of the acting user (their role is checked).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
OnOpt = Annotated[str | None, typer.Option("--on", help="Date (YYYY-MM-DD); default today.")]


def _moment(text: str | None, what: str) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        fail(f"{what} {text!r} is not an ISO 8601 date and time")
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _day(text: str | None) -> date | None:
    """An `--on` date; absent, the service takes today in the issuer's zone."""
    return None if text is None else parse_date(text, "--on")


def _show(recorded: Recorded, as_json: bool) -> None:
    if as_json:
        say(json.dumps(recorded.as_dict(), indent=2))
        return
    head = f"recorded {recorded.record_id}"
    if recorded.duplicate:
        head = f"already recorded as {recorded.record_id}: nothing changed"
    elif recorded.passed is not None and recorded.percent is not None:
        head += f" ({'passed' if recorded.passed else 'failed'}, {recorded.percent:g}%)"
    say(head)
    for made in recorded.awarded:
        say(f"awarded {made.achievement} v{made.version} (award {made.award_id})")
    for key, reasons in recorded.not_awarded.items():
        say(f"not awarded {key}: " + "; ".join(reasons))


def _result_input(
    score: float | None, answers: Path | None, rubric: list[str] | None
) -> ResultInput:
    given = [x for x in (score, answers, rubric or None) if x is not None]
    if len(given) != 1:
        fail("give exactly one of --score, --answers FILE.json or --rubric CRITERION=SCORE")
    if score is not None:
        return TotalScore(score)
    if answers is not None:
        try:
            data = json.loads(read_text(answers))
        except json.JSONDecodeError as exc:
            fail(f"{answers}: not JSON ({exc.msg}, line {exc.lineno})")
        if not isinstance(data, dict):
            fail(f"{answers}: give a JSON object of item id -> answer")
        return ItemResponses(data)
    scores: dict[str, int] = {}
    for entry in rubric or []:
        criterion, _, value = entry.partition("=")
        try:
            scores[criterion.strip()] = int(value)
        except ValueError:
            fail(f"--rubric {entry!r}: write CRITERION=SCORE with a whole-number score")
    return RubricScores(scores)


@result_app.command("record")
def result_record(
    issuer: IssuerOpt,
    learner: LearnerOpt,
    assessment: Annotated[str, typer.Option(help="Assessment id.")],
    score: Annotated[float | None, typer.Option(help="Total from a test platform.")] = None,
    answers: Annotated[
        Path | None, typer.Option(help="JSON file of item id -> answer (scored by credstack).")
    ] = None,
    rubric: Annotated[
        list[str] | None, typer.Option(help="CRITERION=SCORE, once per rubric criterion.")
    ] = None,
    sat_at: Annotated[str | None, typer.Option(help="When (ISO 8601); default now.")] = None,
    proctoring: Annotated[
        Proctoring, typer.Option(help="How the attempt was supervised.")
    ] = Proctoring.NONE,
    proctored_by: Annotated[str | None, typer.Option(help="Who proctored.")] = None,
    identity_method: Annotated[
        str | None, typer.Option(help="How identity was verified, e.g. government-id.")
    ] = None,
    identity_verified_by: Annotated[str | None, typer.Option(help="Who verified it.")] = None,
    identity_verified_at: Annotated[str | None, typer.Option(help="When (ISO 8601).")] = None,
    attempt_id: Annotated[str | None, typer.Option(help="The test platform's attempt id.")] = None,
    by: ByOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record one attempt, pass or fail, and award whatever it completes."""
    result = _result_input(score, answers, rubric)
    conditions = AttemptConditions(
        sat_at=_moment(sat_at, "--sat-at") or clock.now(),
        proctoring=proctoring,
        proctored_by=proctored_by,
        identity_method=identity_method,
        identity_verified_by=identity_verified_by,
        identity_verified_at=_moment(identity_verified_at, "--identity-verified-at"),
    )
    with installation() as runtime:
        recorded = recording.record_result(
            runtime,
            local_actor(runtime, by),
            issuer=issuer,
            learner=learner,
            assessment=assessment,
            result=result,
            conditions=conditions,
            attempt_id=attempt_id,
        )
    _show(recorded, as_json)


@result_app.command("import")
def result_import(
    file: Annotated[Path, typer.Argument(help="CSV export of a test platform ('-': stdin).")],
    issuer: IssuerOpt,
    partial: Annotated[
        bool, typer.Option("--partial", help="Keep the good rows when some are bad.")
    ] = False,
    add_learners: Annotated[
        bool, typer.Option("--add-learners", help="Create unknown learners (learner_name).")
    ] = False,
    by: ByOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import results; without --partial one bad row rejects the file and nothing is kept."""
    text = read_text(file)
    with installation() as runtime:
        try:
            report = recording.import_results(
                runtime,
                local_actor(runtime, by),
                issuer=issuer,
                text=text,
                partial=partial,
                add_learners=add_learners,
            )
        except ImportRejected as exc:
            typer.echo(f"error: {exc.message.splitlines()[0]}", err=True)
            for problem in exc.problems:
                typer.echo(f"error: {problem}", err=True)
            raise typer.Exit(1) from None
    if as_json:
        say(json.dumps(report.as_dict(), indent=2))
        return
    awards = sum(len(r.awarded) for _, r in report.recorded)
    say(
        f"recorded {len(report.recorded)} rows, skipped {len(report.skipped)} already recorded, "
        f"{len(report.problems)} problems; {awards} awards made"
    )
    for row_problem in report.problems:
        typer.echo(f"error: {row_problem}", err=True)


@program_app.command("enrol")
def program_enrol(
    learners: Annotated[list[str], typer.Argument(help="Learner ids.")],
    issuer: IssuerOpt,
    program: Annotated[str, typer.Option(help="Program id, e.g. management-program.")],
    on: OnOpt = None,
    by: ByOpt = None,
) -> None:
    """Enrol learners in a program, so the program's mentors may attest for them."""
    with installation() as runtime:
        recording.enrol(
            runtime,
            local_actor(runtime, by),
            issuer=issuer,
            learners=learners,
            program=program,
            enrolled_on=_day(on),
        )
    say(f"enrolled {', '.join(learners)} in {program} at {issuer}")


@app.command("attest")
def attest_command(
    issuer: IssuerOpt,
    learner: LearnerOpt,
    program: Annotated[str, typer.Option(help="The program the mentor and learner are in.")],
    achievement: Annotated[str, typer.Option(help="The achievement (skill) attested to.")],
    statement: Annotated[str, typer.Option(help="What the learner can do, in your words.")],
    by: Annotated[str, typer.Option("--by", help="Email of the attesting mentor.")],
    on: OnOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """A mentor attests a learner's skill; only a mentor of the program may."""
    with installation() as runtime:
        recorded = recording.attest(
            runtime,
            local_actor(runtime, by),
            issuer=issuer,
            learner=learner,
            program=program,
            achievement=achievement,
            statement=statement,
            attested_on=_day(on),
        )
    _show(recorded, as_json)


@course_app.command("complete")
def course_complete(
    issuer: IssuerOpt,
    learner: LearnerOpt,
    provider: Annotated[str, typer.Option(help="Training provider id.")],
    course: Annotated[str, typer.Option(help="Course id.")],
    hours: Annotated[str, typer.Option(help="Training hours completed (e.g. 7.5).")],
    on: OnOpt = None,
    grade: Annotated[str | None, typer.Option(help="Letter grade, if graded.")] = None,
    credits: Annotated[str | None, typer.Option(help="Credits, if credit-bearing.")] = None,
    external_id: Annotated[
        str | None, typer.Option(help="The provider's completion id (re-recording is a no-op).")
    ] = None,
    by: ByOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record a course completion and award whatever it completes."""
    with installation() as runtime:
        recorded = recording.record_course_completion(
            runtime,
            local_actor(runtime, by),
            issuer=issuer,
            learner=learner,
            provider=provider,
            course=course,
            hours=hours,
            completed_on=_day(on),
            grade=grade,
            credits=credits,
            external_id=external_id,
        )
    _show(recorded, as_json)


def _review_step(action: str) -> None:
    def command(
        issuer: Annotated[str, typer.Argument(help="Issuer id.")],
        achievement: Annotated[str, typer.Argument(help="Achievement id.")],
        by: Annotated[str, typer.Option("--by", help="Email of the acting user.")],
        comment: Annotated[str | None, typer.Option(help="Comment for the record.")] = None,
        version: Annotated[int | None, typer.Option(help="Version (default: the newest).")] = None,
    ) -> None:
        with installation() as runtime:
            step = reviewing.take_review_step(
                runtime,
                local_actor(runtime, by),
                issuer=issuer,
                achievement=achievement,
                action=action,
                comment=comment,
                version=version,
            )
        say(f"{step.achievement} v{step.version}: {step.from_status} -> {step.to_status}")

    verb = ACTIONS[action]
    command.__doc__ = (
        f"{action.capitalize()}: {verb.from_status} -> {verb.to_status} "
        f"({' or '.join(verb.roles)})."
        if verb.from_status
        else f"Comment on the version under review ({' or '.join(verb.roles)})."
    )
    review_app.command(action)(command)


for _action in ACTIONS:
    _review_step(_action)


@review_app.command("report")
def review_report(
    issuer: Annotated[str, typer.Argument(help="Issuer id.")],
    achievement: Annotated[str, typer.Argument(help="Achievement id.")],
    version: Annotated[int | None, typer.Option(help="Version (default: the newest).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """The quality report: definition checks and, from 30 candidates, item statistics."""
    with installation() as runtime:
        report = reviewing.quality_report(
            runtime, Actor.operator(), issuer=issuer, achievement=achievement, version=version
        )
    if as_json:
        say(json.dumps(report.as_dict(), indent=2))
        return
    say(
        f"{report.achievement} v{report.version} ({report.type}, {report.status}): "
        f"{report.met} of {len(report.checks)} checks met"
    )
    for check in report.checks:
        say(f"[{check.status}] {check.title}: {check.detail}")
    for stats in report.statistics:
        say(
            f"{stats.assessment} v{stats.version}: {stats.candidates} candidates, "
            f"mean {stats.mean:.2f}, SD {stats.sd:.2f}, pass rate {stats.pass_rate:.0%}"
        )
        for item in stats.items:
            rpb = "n/a" if item.point_biserial is None else f"{item.point_biserial:.2f}"
            say(f"  {item.item}: difficulty {item.difficulty:.2f}, point-biserial {rpb}")
        for flag in stats.flags:
            say(f"  flag {flag}")


@review_app.command("history")
def review_history(
    issuer: Annotated[str, typer.Argument(help="Issuer id.")],
    achievement: Annotated[str, typer.Argument(help="Achievement id.")],
) -> None:
    """Every review step, oldest first, with its comment."""
    with installation() as runtime:
        steps = reviewing.review_history(
            runtime, Actor.operator(), issuer=issuer, achievement=achievement
        )
    for step in steps:
        note = f" -- {step.comment}" if step.comment else ""
        say(
            f"{step.at}\tv{step.version}\t{step.action}\t{step.from_status} -> "
            f"{step.to_status}\t{step.by or '-'}{note}"
        )


@review_app.command("policy")
def review_policy(
    issuer: Annotated[str, typer.Argument(help="Issuer id.")],
    required: Annotated[
        bool, typer.Option("--required/--not-required", help="Review new versions first?")
    ],
    by: ByOpt = None,
) -> None:
    """Whether newly loaded versions must pass review before anything is issued from them."""
    with installation() as runtime:
        reviewing.set_review_policy(
            runtime, local_actor(runtime, by), issuer=issuer, required=required
        )
    say(f"{issuer}: review {'required' if required else 'not required'} for new versions")
