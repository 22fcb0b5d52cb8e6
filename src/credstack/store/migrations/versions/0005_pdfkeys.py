"""issuers.did_method: an issuer is identified by did:web (default) or did:key

Revision ID: 0005_pdfkeys
Revises: 0003_routes
Create Date: 2026-12-02 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_pdfkeys"
down_revision = "0003_routes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("issuers") as batch:
        batch.add_column(
            sa.Column("did_method", sa.String(length=8), server_default="web", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("issuers") as batch:
        batch.drop_column("did_method")
