"""mail outbox: a key for messages owed once (a CE reminder per cycle and threshold, an expiry)

Revision ID: 0015_nightly
Revises: 0014_bulk_jobs
Create Date: 2026-12-03 09:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_nightly"
down_revision = "0014_bulk_jobs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("mail_outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dedupe_key", sa.String(length=120), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_mail_outbox_dedupe_key"), ["dedupe_key"])


def downgrade() -> None:
    with op.batch_alter_table("mail_outbox", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_mail_outbox_dedupe_key"), type_="unique")
        batch_op.drop_column("dedupe_key")
