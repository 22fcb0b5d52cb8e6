"""calendar: issuer time zones, award instants, the offsets events were given with

Revision ID: 0007_calendar
Revises: 0003_routes
Create Date: 2026-12-02 19:50:00

Existing awards had only a day; their instant becomes 00:00 UTC of that day, which every issuer
(UTC until its catalog names a zone) counts as the same day. Offsets of older rows stay unknown
(NULL) and are shown as UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime, time

import sqlalchemy as sa
from alembic import op

import credstack.store.types

revision = "0007_calendar"
down_revision = "0005_pdfkeys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("issuers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("timezone", sa.String(length=64), server_default="UTC", nullable=False)
        )
    with op.batch_alter_table("awards", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("awarded_at", credstack.store.types.UtcDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("awarded_offset", sa.Integer(), nullable=True))
    with op.batch_alter_table("assessment_attempts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sat_offset", sa.Integer(), nullable=True))
    awards = sa.table(
        "awards",
        sa.column("id", sa.Integer()),
        sa.column("awarded_on", sa.Date()),
        sa.column("awarded_at", credstack.store.types.UtcDateTime(timezone=True)),
    )
    connection = op.get_bind()
    for row_id, day in connection.execute(sa.select(awards.c.id, awards.c.awarded_on)).all():
        connection.execute(
            awards.update()
            .where(awards.c.id == row_id)
            .values(awarded_at=datetime.combine(day, time(0, 0), tzinfo=UTC))
        )


def downgrade() -> None:
    with op.batch_alter_table("assessment_attempts", schema=None) as batch_op:
        batch_op.drop_column("sat_offset")
    with op.batch_alter_table("awards", schema=None) as batch_op:
        batch_op.drop_column("awarded_offset")
        batch_op.drop_column("awarded_at")
    with op.batch_alter_table("issuers", schema=None) as batch_op:
        batch_op.drop_column("timezone")
