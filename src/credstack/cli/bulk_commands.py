"""`credstack award import` (bulk issuance from CSV) and `credstack jobs list|retry` (every
kind of background job)."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from credstack.cli.app import app, installation, read_text, say
from credstack.cli.award_commands import award_app
from credstack.cli.progress import ProgressDisplay
from credstack.service.actor import Actor
from credstack.service.bulk import (
    AwardImportRejected,
    JobView,
    Run,
    job_detail,
    run_job,
    submit_award_import,
)
from credstack.service.jobs import WorkItem, list_work, retry_work, submit_in_background
from credstack.service.people import local_actor
from credstack.service.runtime import Runtime

__all__ = ["jobs_app"]

jobs_app = typer.Typer(
    no_args_is_help=True, help="Background jobs (imports, deliveries, queued tasks): list, retry."
)
app.add_typer(jobs_app, name="jobs")

By = Annotated[
    str | None,
    typer.Option(
        "--by", help="Email of the acting user (needs the admin or registrar role at the issuer)."
    ),
]
Json = Annotated[bool, typer.Option("--json", help="Print a JSON summary.")]


class JobState(StrEnum):
    pending = "pending"
    running = "running"
    retrying = "retrying"
    done = "done"
    failed = "failed"


@award_app.command("import")
def award_import(
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help="CSV: learner, email, name, achievement, date; optional score, evidence_url, "
            "narrative ('-': stdin).",
        ),
    ],
    issuer: Annotated[str, typer.Option(help="The issuing issuer (issuer id).")],
    partial: Annotated[
        bool, typer.Option("--partial", help="Issue the good rows when some are bad.")
    ] = False,
    background: Annotated[
        bool,
        typer.Option("--background", help="Only check and queue the rows; a worker issues them."),
    ] = False,
    by: By = None,
    as_json: Json = False,
) -> None:
    """Issue awards in bulk. Every row is checked first (a bad one stops the import with
    nothing issued, unless --partial); re-running the same file resumes it or issues nothing."""
    text = read_text(file)
    source = "stdin" if str(file) == "-" else str(file)
    submit = submit_in_background if background else submit_award_import
    with installation() as runtime:
        actor = local_actor(runtime, by)
        try:
            submitted = submit(
                runtime, actor, issuer=issuer, text=text, source=source, partial=partial
            )
        except AwardImportRejected as exc:
            for problem in exc.problems:
                typer.echo(f"error: {problem}", err=True)
            typer.echo(f"error: {exc.message}", err=True)
            raise typer.Exit(1) from None
        for problem in submitted.problems:
            typer.echo(f"left out: {problem}", err=True)
        before = submitted.job
        if not submitted.new:
            typer.echo(
                f"{source} was submitted before as job {before.id} ({before.status}, "
                f"{before.done} of {before.total} issued)",
                err=True,
            )
        if background:
            _queued(before, submitted.problem_count, as_json)
            return
        after = _run(runtime, actor, before, source)
        _report(runtime, actor, before, after, submitted.problem_count, as_json)


def _queued(job: JobView, left_out: int, as_json: bool) -> None:
    if as_json:
        say(
            json.dumps(
                {
                    "job": job.id,
                    "status": job.status,
                    "rows": job.total,
                    "pending": job.pending,
                    "left_out": left_out,
                },
                indent=2,
            )
        )
        return
    say(
        f"job {job.id}: {job.status}; {job.pending} of {job.total} rows queued for a worker"
        + (f", left out {left_out} bad rows" if left_out else "")
        + " (`credstack jobs list`)"
    )


def _run(runtime: Runtime, actor: Actor, job: JobView, label: str) -> Run:
    if job.pending == 0 and job.status == "done":
        return Run(job, 0.0, 0)
    with ProgressDisplay(label) as display:
        return run_job(runtime, actor, job.id, progress=display)


def _report(
    runtime: Runtime, actor: Actor, before: JobView, run: Run, left_out: int, as_json: bool
) -> None:
    after, seconds = run.job, run.seconds
    issued = after.done - before.done
    summary: dict[str, Any] = {
        "job": after.id,
        "status": after.status,
        "rows": after.total,
        "issued": issued,
        "issued_before": before.done,
        "skipped": after.skipped,
        "failed": after.failed,
        "left_out": left_out,
        "seconds": round(seconds, 3),
        "rate": round(run.settled / seconds, 1) if seconds > 0 else 0.0,
    }
    if as_json:
        say(json.dumps(summary, indent=2))
    else:
        say(
            f"job {after.id}: {after.status}; issued {issued} of {after.total} rows"
            + (f" ({before.done} issued before)" if before.done else "")
            + f", skipped {after.skipped} (already held), failed {after.failed}"
            + (f", left out {left_out} bad rows" if left_out else "")
            + (f" in {seconds:.1f} s ({summary['rate']:.0f} rows/s)" if seconds > 0 else "")
        )
    if after.failed:
        detail = job_detail(runtime, actor, after.id)
        for problem in detail.problems:
            typer.echo(f"failed: {after.source}:{problem.line}: {problem.message}", err=True)
        typer.echo(
            f"error: {after.failed} rows failed: `credstack jobs retry {after.id}`", err=True
        )
        raise typer.Exit(1)


def _job_json(job: JobView) -> dict[str, Any]:
    out = asdict(job)
    for name in ("created_at", "started_at", "finished_at"):
        out[name] = out[name].isoformat() if out[name] is not None else None
    return out


def _work_json(item: WorkItem) -> dict[str, Any]:
    if item.job is not None:
        return _job_json(item.job)
    out = asdict(item)
    del out["job"]
    out["when"] = item.when.isoformat()
    return out


def _work_line(item: WorkItem) -> str:
    when = item.when.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    job = item.job
    if job is not None:
        return (
            f"{job.id}\t{job.kind}\t{job.status}\t{job.done}/{job.total} issued, "
            f"{job.skipped} skipped, {job.failed} failed\t{job.issuer}\t{job.source}\t{when}"
        )
    return (
        f"{item.id}\t{item.kind}\t{item.state}\t{item.attempts} attempts\t"
        f"{item.last_error or '-'}\t{when}"
    )


@jobs_app.command("list")
def jobs_list(
    status: Annotated[JobState | None, typer.Option(help="Only jobs in this state.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="At most this many.")] = 50,
    by: By = None,
    as_json: Json = False,
) -> None:
    """Jobs, newest first: imports (id, kind, state, progress, issuer, source), and for the
    operator deliveries that failed and the queue's tasks (id, kind, state, attempts, error)."""
    with installation() as runtime:
        work = list_work(
            runtime,
            local_actor(runtime, by),
            state=status.value if status is not None else None,
            limit=limit,
        )
    if as_json:
        say(json.dumps([_work_json(w) for w in work], indent=2))
        return
    if not work:
        say("no jobs")
    for item in work:
        say(_work_line(item))


@jobs_app.command("retry")
def jobs_retry(
    job: Annotated[str, typer.Argument(metavar="JOB", help="Job id (see `jobs list`).")],
    background: Annotated[
        bool, typer.Option("--background", help="Queue an import for a worker.")
    ] = False,
    by: By = None,
    as_json: Json = False,
) -> None:
    """Try a job again: an import's failed rows (and its pending ones, e.g. after a crash),
    a delivery now, or a failed queued task."""
    with installation() as runtime:
        actor = local_actor(runtime, by)
        retried = retry_work(runtime, actor, job, queue_import=background)
        before = retried.job
        if before is None:
            if as_json:
                say(json.dumps({"job": retried.id, "status": "pending"}, indent=2))
            else:
                say(f"{retried.id}: queued again")
            return
        if background:
            _queued(before, 0, as_json)
            return
        after = _run(runtime, actor, before, before.source)
        _report(runtime, actor, before, after, 0, as_json)
