"""jobs: background work (bulk issuance first) with per-item state, identified by content

Revision ID: 0014_bulk_jobs
Revises: 0013_learner_sessions
Create Date: 2026-12-03 09:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import credstack.store.types

revision = "0014_bulk_jobs"
down_revision = "0013_learner_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("issuer_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("requested_by", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("due_at", credstack.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("created_at", credstack.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("started_at", credstack.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", credstack.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["issuer_id"],
            ["issuers.id"],
            name=op.f("fk_jobs_issuer_id_issuers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
        sa.UniqueConstraint("public_id", name=op.f("uq_jobs_public_id")),
        sa.UniqueConstraint("kind", "key", name="uq_jobs_kind_key"),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index("ix_jobs_status_due", ["status", "due_at"], unique=False)
    op.create_table(
        "job_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("award_id", sa.Integer(), nullable=True),
        sa.Column("message", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["award_id"],
            ["awards.id"],
            name=op.f("fk_job_items_award_id_awards"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["jobs.id"],
            name=op.f("fk_job_items_job_id_jobs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_items")),
        sa.UniqueConstraint("job_id", "line", name="uq_job_items_job_line"),
    )
    with op.batch_alter_table("job_items", schema=None) as batch_op:
        batch_op.create_index("ix_job_items_job_state", ["job_id", "state"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("job_items", schema=None) as batch_op:
        batch_op.drop_index("ix_job_items_job_state")
    op.drop_table("job_items")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_jobs_status_due")
    op.drop_table("jobs")
