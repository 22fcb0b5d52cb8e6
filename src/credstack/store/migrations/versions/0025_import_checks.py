"""import checks: an imported credential's status as last re-checked by the nightly run

Revision ID: 0025_import_checks
Revises: 0023_email_changes
Create Date: 2026-12-03 16:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import credstack.store.types

revision = "0025_import_checks"
down_revision = "0023_email_changes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("imported_credentials", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("status", sa.String(length=20), server_default="active", nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "status_changed_at", credstack.store.types.UtcDateTime(timezone=True), nullable=True
            )
        )
        batch_op.add_column(
            sa.Column("checked_at", credstack.store.types.UtcDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("check_failure", sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("imported_credentials", schema=None) as batch_op:
        batch_op.drop_column("check_failure")
        batch_op.drop_column("checked_at")
        batch_op.drop_column("status_changed_at")
        batch_op.drop_column("status")
