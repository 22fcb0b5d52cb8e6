"""`credstack worker`: runs the background jobs (imports, e-mail, webhooks, the nightly run)."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType
from typing import Annotated

import typer

from credstack.cli.app import app, installation, say
from credstack.service.jobs import MAX_CONCURRENCY, is_queued, run_worker

__all__ = ["worker"]


@app.command()
def worker(
    concurrency: Annotated[
        int,
        typer.Option(
            min=1, max=MAX_CONCURRENCY, help="Tasks run at once (PostgreSQL; SQLite runs one)."
        ),
    ] = 1,
    until_idle: Annotated[
        bool,
        typer.Option("--until-idle", "--once", help="Stop when nothing is left to do."),
    ] = False,
) -> None:
    """Run imports, e-mail, webhooks and the nightly re-evaluation until stopped (SIGTERM or
    Ctrl-C: the tasks in flight finish first). On PostgreSQL any number of workers on any
    number of machines share one queue; on SQLite `credstack serve` runs one itself."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    # The schema check at start-up makes alembic say which dialect it found; its warnings and
    # errors still show.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    with installation() as runtime:
        where = "the PostgreSQL queue" if is_queued(runtime) else "the SQLite database"
        say(f"credstack worker on {where}" + (" until idle" if until_idle else ""))
        stopping = threading.Event()
        if not is_queued(runtime):  # procrastinate installs its own handlers

            def stop(_signal: int, _frame: FrameType | None) -> None:
                stopping.set()

            signal.signal(signal.SIGTERM, stop)
            signal.signal(signal.SIGINT, stop)
        run_worker(runtime, concurrency=concurrency, until_idle=until_idle, stopping=stopping)
    say("credstack worker stopped")
