"""Showing a long job's progress: a rich bar on a terminal, plain periodic lines otherwise.

Progress goes to standard error, so standard output carries only the result (`--json`
stays parseable while the bar runs); a log or a pipe gets one line every `PLAIN_EVERY_SECONDS`.
"""

from __future__ import annotations

import sys
import time
from types import TracebackType

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from credstack.service.bulk import Progress as JobProgress

__all__ = ["PLAIN_EVERY_SECONDS", "ProgressDisplay"]

PLAIN_EVERY_SECONDS = 5.0


def _eta(progress: JobProgress) -> str:
    left = progress.total - progress.settled
    if progress.rate <= 0:
        return "unknown"
    seconds = round(left / progress.rate)
    return f"{seconds // 60} min {seconds % 60} s" if seconds >= 60 else f"{seconds} s"


def plain_line(progress: JobProgress) -> str:
    share = 100 * progress.settled // progress.total if progress.total else 100
    return (
        f"{progress.settled}/{progress.total} rows ({share}%), {progress.rate:.0f} rows/s, "
        f"ETA {_eta(progress)}"
    )


class ProgressDisplay:
    """Call it with each `Progress`; use it as a context manager around the run."""

    def __init__(self, label: str, *, terminal: bool | None = None) -> None:
        self._label = label
        self._terminal = sys.stderr.isatty() if terminal is None else terminal
        self._bar: Progress | None = None
        self._task: TaskID | None = None
        self._last_line = 0.0

    def __enter__(self) -> ProgressDisplay:
        if self._terminal:
            self._bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]:.0f} rows/s"),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=False,
            )
            self._bar.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._bar.stop()

    def __call__(self, progress: JobProgress) -> None:
        if self._bar is not None:
            if self._task is None:
                self._task = self._bar.add_task(
                    self._label, total=progress.total, completed=progress.settled, rate=0.0
                )
            self._bar.update(self._task, completed=progress.settled, rate=progress.rate)
            return
        moment = time.monotonic()
        if moment - self._last_line >= PLAIN_EVERY_SECONDS or progress.settled == progress.total:
            self._last_line = moment
            typer.echo(f"{self._label}: {plain_line(progress)}", err=True)
