"""learner sessions: a page session belongs to a staff member or to a learner

Revision ID: 0013_learner_sessions
Revises: 0012_mail_outbox
Create Date: 2026-12-03 09:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_learner_sessions"
down_revision = "0012_mail_outbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("learner_id", sa.Integer(), nullable=True))
        batch_op.alter_column("user_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_index(batch_op.f("ix_sessions_learner_id"), ["learner_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_sessions_learner_id_learners"),
            "learners",
            ["learner_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_check_constraint(
            op.f("ck_sessions_one_holder"), sa.text("(user_id IS NULL) <> (learner_id IS NULL)")
        )


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM sessions WHERE user_id IS NULL"))
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_sessions_one_holder"), type_="check")
        batch_op.drop_constraint(batch_op.f("fk_sessions_learner_id_learners"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_sessions_learner_id"))
        batch_op.drop_column("learner_id")
        batch_op.alter_column("user_id", existing_type=sa.Integer(), nullable=False)
