"""email changes: a learner's new address, waiting for the link mailed to it

Revision ID: 0023_email_changes
Revises: 0022_job_queue
Create Date: 2026-12-03 16:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import credstack.store.types

revision = "0023_email_changes"
down_revision = "0022_job_queue"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "email_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("token_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("email_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", credstack.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", credstack.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("used_at", credstack.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learners.id"],
            name=op.f("fk_email_changes_learner_id_learners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_changes")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_email_changes_token_hash")),
    )
    with op.batch_alter_table("email_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_email_changes_learner_id"), ["learner_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("email_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_email_changes_learner_id"))
    op.drop_table("email_changes")
