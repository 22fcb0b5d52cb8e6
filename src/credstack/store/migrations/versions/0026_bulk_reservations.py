"""bulk reservations: status-list indexes set aside for import items before signing

Revision ID: 0026_bulk_reservations
Revises: 0025_import_checks
Create Date: 2026-12-03 16:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026_bulk_reservations"
down_revision = "0025_import_checks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "status_reservations",
        sa.Column("item_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("status_list_id", sa.Integer(), nullable=False),
        sa.Column("status_list_index", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["job_items.id"],
            name=op.f("fk_status_reservations_item_id_job_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["status_list_id"],
            ["status_lists.id"],
            name=op.f("fk_status_reservations_status_list_id_status_lists"),
        ),
        sa.PrimaryKeyConstraint("item_id", name=op.f("pk_status_reservations")),
        sa.UniqueConstraint(
            "status_list_id",
            "status_list_index",
            name=op.f("uq_status_reservations_list_index"),
        ),
    )


def downgrade() -> None:
    op.drop_table("status_reservations")
