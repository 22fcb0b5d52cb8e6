"""free indexes: status-list indexes handed out but left unused, taken first by the next award

Revision ID: 0031_free_indexes
Revises: 0030_analytics_marks
Create Date: 2026-12-04 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0031_free_indexes"
down_revision = "0030_analytics_marks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "free_status_indexes",
        sa.Column("status_list_id", sa.Integer(), nullable=False),
        sa.Column("status_list_index", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["status_list_id"],
            ["status_lists.id"],
            name=op.f("fk_free_status_indexes_status_list_id_status_lists"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "status_list_id", "status_list_index", name=op.f("pk_free_status_indexes")
        ),
    )
    # Reservations of rows that are no longer pending were left behind by earlier versions (a
    # failed row kept its index for a retry; a skipped one, or one issued by the single-award
    # path, kept it for good): their indexes are free.
    op.execute(
        "INSERT INTO free_status_indexes (status_list_id, status_list_index) "
        "SELECT status_list_id, status_list_index FROM status_reservations "
        "WHERE item_id IN (SELECT id FROM job_items WHERE state <> 'pending')"
    )
    op.execute(
        "DELETE FROM status_reservations "
        "WHERE item_id IN (SELECT id FROM job_items WHERE state <> 'pending')"
    )


def downgrade() -> None:
    op.drop_table("free_status_indexes")
