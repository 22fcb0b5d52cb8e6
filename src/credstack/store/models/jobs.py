"""Background jobs and their items: a bulk import is a job whose items are the file's rows.

A job is identified by what it does (`kind` plus `key`, for an import the SHA-256 of the
issuer and the file's content), so asking for the same work again finds the job already there
instead of doing it twice. Each item carries its own state and is marked done in the same
transaction as its effect (the award, its credential, its status-list index, its e-mail), so
a job killed at any moment resumes where the last commit left it.

The columns a queue needs are here already (`status`, `due_at`, `attempts`, `last_error`): a
queue library or `credstack worker` processes can claim jobs by them later without a new table.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from credstack.store.models.base import Base
from credstack.store.types import JsonDoc, UtcDateTime, utcnow

__all__ = ["JobFailureRow", "JobItemRow", "JobRow", "StatusReservationRow"]


class JobRow(Base):
    """One job: `pending` until a run takes it, `running`, then `done` (every item settled)
    or `failed` (some items could not be done; `credstack jobs retry` tries them again)."""

    __tablename__ = "jobs"
    __table_args__ = (
        UniqueConstraint("kind", "key", name="uq_jobs_kind_key"),
        Index("ix_jobs_status_due", "status", "due_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(36), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(64))
    """What identifies the work: the same work asked for twice is the same job."""
    issuer_id: Mapped[int | None] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(300))
    """Where the work came from, for people (a file's name)."""
    requested_by: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class JobItemRow(Base):
    """One unit of a job (a row of an imported file): `pending`, then `done` (with what it
    made), `skipped` (nothing to do, e.g. the award is already held) or `failed`."""

    __tablename__ = "job_items"
    __table_args__ = (
        UniqueConstraint("job_id", "line", name="uq_job_items_job_line"),
        Index("ix_job_items_job_state", "job_id", "state"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"))
    line: Mapped[int] = mapped_column(Integer)
    """The item's line in its file, so every report can say FILE:LINE."""
    payload: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    state: Mapped[str] = mapped_column(String(10), default="pending")
    award_id: Mapped[int | None] = mapped_column(ForeignKey("awards.id", ondelete="SET NULL"))
    message: Mapped[str | None] = mapped_column(String(500))


class StatusReservationRow(Base):
    """A status-list index set aside for an item before its credential is signed.

    The index is inside the signed credential, so it is taken before signing; it is taken in a
    short transaction of its own (the status list is locked only that long) and kept here, so
    a process killed before the item commits leaves the index to whoever issues the item next
    instead of leaving a gap. Removed when the item is done.
    """

    __tablename__ = "status_reservations"
    __table_args__ = (
        UniqueConstraint(
            "status_list_id", "status_list_index", name="uq_status_reservations_list_index"
        ),
    )
    item_id: Mapped[int] = mapped_column(
        ForeignKey("job_items.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    status_list_id: Mapped[int] = mapped_column(ForeignKey("status_lists.id"))
    status_list_index: Mapped[int] = mapped_column(Integer)


class JobFailureRow(Base):
    """Why a task on the PostgreSQL queue last failed: procrastinate keeps a job's status and
    attempts but no error, so the worker's wrapper writes one here (the exception's type and
    message, bounded, never a traceback); the task's success or a retry removes it."""

    __tablename__ = "job_failures"
    id: Mapped[int] = mapped_column(primary_key=True)
    queue_job: Mapped[int] = mapped_column(BigInteger, unique=True)
    """procrastinate's job id (`queue-N` in `credstack jobs list`)."""
    task: Mapped[str] = mapped_column(String(200))
    error: Mapped[str] = mapped_column(String(500))
    attempt: Mapped[int] = mapped_column(Integer)
    failed_at: Mapped[datetime] = mapped_column(UtcDateTime)
