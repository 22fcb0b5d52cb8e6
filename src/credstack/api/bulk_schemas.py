"""What the bulk-issuance endpoints answer: a job and its progress."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

__all__ = ["AwardImportOut", "JobOut", "JobProblemOut"]


class JobProblemOut(BaseModel):
    line: int
    message: str


class JobOut(BaseModel):
    id: str
    kind: str
    issuer: str | None
    source: str
    status: str
    """pending, running, done (every row settled) or failed (some rows could not be issued)."""
    total: int
    done: int
    skipped: int
    failed: int
    attempts: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    failures: list[JobProblemOut] = []
    """The first failed rows and why (on GET)."""


class AwardImportOut(BaseModel):
    job: JobOut
    new: bool
    """False when the same file was submitted before: this is that job, nothing new is issued."""
    left_out: list[str]
    """With partial=true, the bad rows left out, as FILE:LINE: message."""
    progress: str
    """Where to follow the job (GET)."""
