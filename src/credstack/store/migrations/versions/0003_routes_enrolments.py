"""enrolments: learners in an issuer's programs (earning routes, attestations)

Revision ID: 0003_routes
Revises: 0002
Create Date: 2026-11-23 18:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import credstack.store.types

revision = "0003_routes"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "enrolments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issuer_id", sa.Integer(), nullable=False),
        sa.Column("program", sa.String(length=120), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("enrolled_on", sa.Date(), nullable=False),
        sa.Column("enrolled_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", credstack.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["enrolled_by_user_id"],
            ["users.id"],
            name=op.f("fk_enrolments_enrolled_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["issuer_id"],
            ["issuers.id"],
            name=op.f("fk_enrolments_issuer_id_issuers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learners.id"],
            name=op.f("fk_enrolments_learner_id_learners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrolments")),
        sa.UniqueConstraint(
            "issuer_id",
            "program",
            "learner_id",
            name=op.f("uq_enrolments_issuer_id_program_learner_id"),
        ),
    )
    with op.batch_alter_table("enrolments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enrolments_issuer_id"), ["issuer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_enrolments_learner_id"), ["learner_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("enrolments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enrolments_learner_id"))
        batch_op.drop_index(batch_op.f("ix_enrolments_issuer_id"))
    op.drop_table("enrolments")
