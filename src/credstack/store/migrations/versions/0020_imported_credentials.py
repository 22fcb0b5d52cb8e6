"""imported credentials: what a learner holds from elsewhere, verified, in their wallet

Revision ID: 0020_imported_credentials
Revises: 0019_holder_dids
Create Date: 2026-12-03 13:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import credstack.store.types

revision = "0020_imported_credentials"
down_revision = "0019_holder_dids"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    when = credstack.store.types.UtcDateTime(timezone=True)
    op.create_table(
        "imported_credentials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=36), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("credential_id", sa.String(length=2048), nullable=False),
        sa.Column("source_format", sa.String(length=20), nullable=False),
        sa.Column("credential", _JSON, nullable=False),
        sa.Column("compact", sa.Text(), nullable=True),
        sa.Column("issuer_ref", sa.String(length=2048), nullable=False),
        sa.Column("issuer_name", sa.String(length=300), nullable=False),
        sa.Column("issuer_url", sa.String(length=2048), nullable=True),
        sa.Column("achievement_ref", sa.String(length=2048), nullable=False),
        sa.Column("achievement_name", sa.String(length=300), nullable=False),
        sa.Column("achievement_type", sa.String(length=40), nullable=False),
        sa.Column("credits", sa.Float(), nullable=True),
        sa.Column("valid_from", when, nullable=False),
        sa.Column("valid_until", when, nullable=True),
        sa.Column("verified_at", when, nullable=False),
        sa.Column("verification", _JSON, nullable=False),
        sa.Column("created_at", when, nullable=False),
        sa.Column("updated_at", when, nullable=False),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learners.id"],
            name=op.f("fk_imported_credentials_learner_id_learners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imported_credentials")),
        sa.UniqueConstraint("public_id", name=op.f("uq_imported_credentials_public_id")),
        sa.UniqueConstraint(
            "learner_id",
            "credential_id",
            name=op.f("uq_imported_credentials_learner_id_credential_id"),
        ),
    )
    with op.batch_alter_table("imported_credentials", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_imported_credentials_learner_id"), ["learner_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("imported_credentials", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_imported_credentials_learner_id"))
    op.drop_table("imported_credentials")
