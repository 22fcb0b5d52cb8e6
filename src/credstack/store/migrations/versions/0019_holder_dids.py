"""holder DIDs: a learner's proven DID, and the one-time challenges that prove it

Revision ID: 0019_holder_dids
Revises: 0018_oauth
Create Date: 2026-12-03 13:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import credstack.store.types

revision = "0019_holder_dids"
down_revision = "0018_oauth"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "holder_dids",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("did", sa.String(length=2048), nullable=False),
        sa.Column("bound_at", credstack.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learners.id"],
            name=op.f("fk_holder_dids_learner_id_learners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holder_dids")),
        sa.UniqueConstraint("learner_id", name=op.f("uq_holder_dids_learner_id")),
    )
    op.create_table(
        "holder_challenges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("challenge_hash", sa.String(length=64), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("award_id", sa.Integer(), nullable=True),
        sa.Column("created_at", credstack.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", credstack.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("used_at", credstack.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["award_id"],
            ["awards.id"],
            name=op.f("fk_holder_challenges_award_id_awards"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learners.id"],
            name=op.f("fk_holder_challenges_learner_id_learners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holder_challenges")),
        sa.UniqueConstraint("challenge_hash", name=op.f("uq_holder_challenges_challenge_hash")),
    )
    with op.batch_alter_table("holder_challenges", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_holder_challenges_learner_id"), ["learner_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("holder_challenges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_holder_challenges_learner_id"))
    op.drop_table("holder_challenges")
    op.drop_table("holder_dids")
