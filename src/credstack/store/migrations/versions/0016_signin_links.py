"""sign-in links: one-time, expiring, browser-bound links by e-mail; staff may be sent mail

Revision ID: 0016_signin_links
Revises: 0015_nightly
Create Date: 2026-12-03 09:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import credstack.store.types

revision = "0016_signin_links"
down_revision = "0015_nightly"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signin_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("token_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("browser_hash", sa.String(length=64), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("next_path", sa.String(length=500), nullable=True),
        sa.Column("created_at", credstack.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", credstack.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("used_at", credstack.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "learner_id IS NOT NULL OR user_id IS NOT NULL",
            name=op.f("ck_signin_links_some_holder"),
        ),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learners.id"],
            name=op.f("fk_signin_links_learner_id_learners"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_signin_links_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signin_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_signin_links_token_hash")),
    )
    with op.batch_alter_table("signin_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_signin_links_learner_id"), ["learner_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_signin_links_user_id"), ["user_id"], unique=False)
    with op.batch_alter_table("mail_outbox", schema=None) as batch_op:
        batch_op.alter_column("learner_id", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM mail_outbox WHERE learner_id IS NULL"))
    with op.batch_alter_table("mail_outbox", schema=None) as batch_op:
        batch_op.alter_column("learner_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("signin_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signin_links_user_id"))
        batch_op.drop_index(batch_op.f("ix_signin_links_learner_id"))
    op.drop_table("signin_links")
