"""job failures: why a queued task last failed, which procrastinate does not keep

Revision ID: 0028_job_failures
Revises: 0026_bulk_reservations
Create Date: 2026-12-03 19:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from credstack.store.types import UtcDateTime

revision = "0028_job_failures"
down_revision = "0026_bulk_reservations"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "job_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("queue_job", sa.BigInteger(), nullable=False),
        sa.Column("task", sa.String(length=200), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("failed_at", UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_failures")),
        sa.UniqueConstraint("queue_job", name=op.f("uq_job_failures_queue_job")),
    )


def downgrade() -> None:
    op.drop_table("job_failures")
