"""privacy: the hash-chained audit trail; learners' opaque ids and sealed personal data

Revision ID: 0011_privacy
Revises: 0010_sessions
Create Date: 2026-12-02 19:50:00
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import credstack.store.types
from credstack.store.models.learners import new_public_id

revision = "0011_privacy"
down_revision = "0010_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", credstack.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column(
            "details",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_events")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_events_hash")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_events_action"), ["action"], unique=False)
    _learners()


def downgrade() -> None:
    _learners_down()
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_action"))
    op.drop_table("audit_events")


def _learners() -> None:
    """Opaque ids, sealed-field columns and the credential identity hash for every learner.

    Sealing the existing names and addresses needs the master key, which migrations never
    see: `credstack db upgrade` (and `init`) seal them right after Alembic has run, and clear
    the plaintext columns kept here only for that step.
    """
    with op.batch_alter_table("learners", schema=None) as batch_op:
        batch_op.add_column(sa.Column("public_id", sa.String(length=22), nullable=True))
        batch_op.add_column(sa.Column("name_sealed", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("email_sealed", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("email_lookup", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("identity_hash", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("identity_type", sa.String(length=20), nullable=True))
        batch_op.add_column(
            sa.Column("erased_at", credstack.store.types.UtcDateTime(timezone=True), nullable=True)
        )
        batch_op.alter_column("name", existing_type=sa.String(length=300), nullable=True)
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, key, email, identity_salt FROM learners")).all()
    for row_id, key, email, salt in rows:
        identity = (email or f"credstack-learner:{key}").strip().lower()
        digest = hashlib.sha256((identity + salt).encode("utf-8")).hexdigest()
        connection.execute(
            sa.text(
                "UPDATE learners SET public_id = :public_id, identity_hash = :hash, "
                "identity_type = :type WHERE id = :id"
            ),
            {
                "public_id": new_public_id(),
                "hash": f"sha256${digest}",
                "type": "emailAddress" if email else "systemId",
                "id": row_id,
            },
        )
    with op.batch_alter_table("learners", schema=None) as batch_op:
        for column, length in (("public_id", 22), ("identity_hash", 80), ("identity_type", 20)):
            batch_op.alter_column(column, existing_type=sa.String(length=length), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_learners_public_id"), ["public_id"])
        batch_op.create_unique_constraint(batch_op.f("uq_learners_email_lookup"), ["email_lookup"])


def _learners_down() -> None:
    with op.batch_alter_table("learners", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_learners_email_lookup"), type_="unique")
        batch_op.drop_constraint(batch_op.f("uq_learners_public_id"), type_="unique")
        for column in (
            "erased_at",
            "identity_type",
            "identity_hash",
            "email_lookup",
            "email_sealed",
            "name_sealed",
            "public_id",
        ):
            batch_op.drop_column(column)
