"""Submitting an import to run in the background: checked and kept now, issued by a worker."""

from __future__ import annotations

from credstack.service.actor import Actor
from credstack.service.bulk import Submitted, submit_award_import
from credstack.service.jobs import queue
from credstack.service.runtime import Runtime

__all__ = ["submit_in_background"]


def submit_in_background(
    runtime: Runtime,
    actor: Actor,
    *,
    issuer: str,
    text: str,
    source: str,
    partial: bool = False,
) -> Submitted:
    """`submit_award_import`, then a run is queued: on PostgreSQL a `run_import` task for any
    worker; on SQLite the in-process worker (`credstack serve` or `credstack worker`) finds the
    job's pending items on its next pass. The commit comes first, so a worker never looks for a
    job that is not there; a queueing lost after it is found by the workers' minutely sweep."""
    submitted = submit_award_import(
        runtime, actor, issuer=issuer, text=text, source=source, partial=partial
    )
    if submitted.job.pending and queue.is_queued(runtime):
        queue.defer_import(runtime, submitted.job.id)
    return submitted
