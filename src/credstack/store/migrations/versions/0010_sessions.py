"""sessions: server-side page sessions, idempotent POSTs, one active award per version

Revision ID: 0010_sessions
Revises: 0007_calendar
Create Date: 2026-12-02 19:50:00

Awards made twice by concurrent requests before this revision are resolved by keeping the
first (lowest id) active award; each later duplicate gets the status ``superseded`` and an
award event naming the award it duplicates. Its credential stays valid (the learner did earn
the achievement) but it no longer counts as the active award.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import credstack.store.types

revision = "0010_sessions"
down_revision = "0007_calendar"
branch_labels = None
depends_on = None

_ACTIVE = sa.text("status = 'active'")


def _supersede_duplicate_awards() -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT id, learner_id, achievement_version_id FROM awards "
            "WHERE status = 'active' ORDER BY id"
        )
    ).all()
    first: dict[tuple[int, int], int] = {}
    for award_id, learner_id, version_id in rows:
        kept = first.setdefault((learner_id, version_id), award_id)
        if kept == award_id:
            continue
        reason = f"duplicate of award id {kept}, made concurrently (migration 0010)"
        bind.execute(
            sa.text("UPDATE awards SET status = 'superseded', status_reason = :r WHERE id = :i"),
            {"r": reason, "i": award_id},
        )
        bind.execute(
            sa.text(
                "INSERT INTO award_events (award_id, kind, reason, at) "
                "VALUES (:i, 'superseded', :r, CURRENT_TIMESTAMP)"
            ),
            {"i": award_id, "r": reason},
        )


def upgrade() -> None:
    _supersede_duplicate_awards()
    op.create_index(
        "uq_awards_active_learner_version",
        "awards",
        ["learner_id", "achievement_version_id"],
        unique=True,
        postgresql_where=_ACTIVE,
        sqlite_where=_ACTIVE,
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=True),
        sa.Column("created_at", credstack.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", credstack.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", credstack.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", credstack.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["token_id"],
            ["api_tokens.id"],
            name=op.f("fk_sessions_token_id_api_tokens"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_sessions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
        sa.UniqueConstraint("id_hash", name=op.f("uq_sessions_id_hash")),
    )
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sessions_token_id"), ["token_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sessions_user_id"), ["user_id"], unique=False)
    op.create_table(
        "idempotent_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response", credstack.store.types.JsonDoc, nullable=False),
        sa.Column("created_at", credstack.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_idempotent_requests_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotent_requests")),
        sa.UniqueConstraint("user_id", "key", name=op.f("uq_idempotent_requests_user_id_key")),
    )
    with op.batch_alter_table("idempotent_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_idempotent_requests_user_id"), ["user_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("idempotent_requests")
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sessions_user_id"))
        batch_op.drop_index(batch_op.f("ix_sessions_token_id"))
    op.drop_table("sessions")
    op.drop_index("uq_awards_active_learner_version", table_name="awards")
