"""records, award lifecycle, status lists, CE cycles, review

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 18:18:20.053598
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import credstack.store.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "attestations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=64), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("issuer_id", sa.Integer(), nullable=False),
        sa.Column("attester_user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("program", sa.String(length=120), nullable=False),
        sa.Column("subject", sa.String(length=120), nullable=True),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("attested_on", sa.Date(), nullable=False),
        sa.Column("created_at", credstack.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["attester_user_id"], ["users.id"], name=op.f("fk_attestations_attester_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["issuer_id"],
            ["issuers.id"],
            name=op.f("fk_attestations_issuer_id_issuers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learners.id"],
            name=op.f("fk_attestations_learner_id_learners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attestations")),
        sa.UniqueConstraint("public_id", name=op.f("uq_attestations_public_id")),
    )
    with op.batch_alter_table("attestations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_attestations_attester_user_id"), ["attester_user_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_attestations_issuer_id"), ["issuer_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_attestations_learner_id"), ["learner_id"], unique=False
        )

    op.create_table(
        "course_completions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=64), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("issuer_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=True),
        sa.Column("provider", sa.String(length=120), nullable=False),
        sa.Column("course", sa.String(length=200), nullable=False),
        sa.Column("hours", sa.Float(), nullable=False),
        sa.Column("grade", sa.String(length=10), nullable=True),
        sa.Column("credits", sa.Float(), nullable=True),
        sa.Column("completed_on", sa.Date(), nullable=False),
        sa.Column("recorded_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", credstack.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["issuer_id"],
            ["issuers.id"],
            name=op.f("fk_course_completions_issuer_id_issuers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learners.id"],
            name=op.f("fk_course_completions_learner_id_learners"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_user_id"],
            ["users.id"],
            name=op.f("fk_course_completions_recorded_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course_completions")),
        sa.UniqueConstraint(
            "issuer_id", "external_id", name=op.f("uq_course_completions_issuer_id_external_id")
        ),
        sa.UniqueConstraint("public_id", name=op.f("uq_course_completions_public_id")),
    )
    with op.batch_alter_table("course_completions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_course_completions_issuer_id"), ["issuer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_course_completions_learner_id"), ["learner_id"], unique=False
        )

    op.create_table(
        "status_lists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issuer_id", sa.Integer(), nullable=False),
        sa.Column("list_key", sa.String(length=60), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("next_index", sa.Integer(), nullable=False),
        sa.Column("bits", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", credstack.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["issuer_id"],
            ["issuers.id"],
            name=op.f("fk_status_lists_issuer_id_issuers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_lists")),
        sa.UniqueConstraint(
            "issuer_id", "list_key", name=op.f("uq_status_lists_issuer_id_list_key")
        ),
    )
    with op.batch_alter_table("status_lists", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_status_lists_issuer_id"), ["issuer_id"], unique=False)

    op.create_table(
        "assessment_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=64), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("issuer_id", sa.Integer(), nullable=False),
        sa.Column("assessment_version_id", sa.Integer(), nullable=False),
        sa.Column("external_attempt_id", sa.String(length=200), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("sat_at", credstack.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("raw_score", sa.Float(), nullable=False),
        sa.Column("max_score", sa.Float(), nullable=False),
        sa.Column("percent", sa.Float(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column(
            "responses",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("scored_by_user_id", sa.Integer(), nullable=True),
        sa.Column("proctoring", sa.String(length=30), nullable=False),
        sa.Column("proctored_by", sa.String(length=300), nullable=True),
        sa.Column("identity_method", sa.String(length=100), nullable=True),
        sa.Column("identity_verified_by", sa.String(length=300), nullable=True),
        sa.Column(
            "identity_verified_at", credstack.store.types.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column("created_at", credstack.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_version_id"],
            ["assessment_versions.id"],
            name=op.f("fk_assessment_attempts_assessment_version_id_assessment_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["issuer_id"],
            ["issuers.id"],
            name=op.f("fk_assessment_attempts_issuer_id_issuers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learners.id"],
            name=op.f("fk_assessment_attempts_learner_id_learners"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["scored_by_user_id"],
            ["users.id"],
            name=op.f("fk_assessment_attempts_scored_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_attempts")),
        sa.UniqueConstraint(
            "issuer_id",
            "external_attempt_id",
            name=op.f("uq_assessment_attempts_issuer_id_external_attempt_id"),
        ),
        sa.UniqueConstraint("public_id", name=op.f("uq_assessment_attempts_public_id")),
    )
    with op.batch_alter_table("assessment_attempts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assessment_attempts_assessment_version_id"),
            ["assessment_version_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_assessment_attempts_issuer_id"), ["issuer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_assessment_attempts_learner_id"), ["learner_id"], unique=False
        )

    op.create_table(
        "review_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("achievement_version_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=False),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("by_user_id", sa.Integer(), nullable=True),
        sa.Column("at", credstack.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["achievement_version_id"],
            ["achievement_versions.id"],
            name=op.f("fk_review_events_achievement_version_id_achievement_versions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["by_user_id"], ["users.id"], name=op.f("fk_review_events_by_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_events")),
    )
    with op.batch_alter_table("review_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_review_events_achievement_version_id"),
            ["achievement_version_id"],
            unique=False,
        )

    op.create_table(
        "award_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("award_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("by_user_id", sa.Integer(), nullable=True),
        sa.Column("at", credstack.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["award_id"],
            ["awards.id"],
            name=op.f("fk_award_events_award_id_awards"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["by_user_id"], ["users.id"], name=op.f("fk_award_events_by_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_award_events")),
    )
    with op.batch_alter_table("award_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_award_events_award_id"), ["award_id"], unique=False)

    op.create_table(
        "ce_cycles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("award_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("closed_at", credstack.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["award_id"],
            ["awards.id"],
            name=op.f("fk_ce_cycles_award_id_awards"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ce_cycles")),
    )
    with op.batch_alter_table("ce_cycles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ce_cycles_award_id"), ["award_id"], unique=False)

    op.create_table(
        "ce_counts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("counted_award_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["counted_award_id"],
            ["awards.id"],
            name=op.f("fk_ce_counts_counted_award_id_awards"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["ce_cycles.id"],
            name=op.f("fk_ce_counts_cycle_id_ce_cycles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ce_counts")),
        sa.UniqueConstraint("counted_award_id", name=op.f("uq_ce_counts_counted_award_id")),
    )
    with op.batch_alter_table("ce_counts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ce_counts_cycle_id"), ["cycle_id"], unique=False)

    with op.batch_alter_table("achievement_versions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("status", sa.String(length=20), nullable=False, server_default="published")
        )

    with op.batch_alter_table("awards", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "counted",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=False,
                server_default="[]",
            )
        )
        batch_op.add_column(
            sa.Column("origin", sa.String(length=20), nullable=False, server_default="manual")
        )
        batch_op.add_column(sa.Column("review_flag", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("flagged_at", credstack.store.types.UtcDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "credential",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("status_list_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("status_list_index", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_awards_status_list_id_status_lists"),
            "status_lists",
            ["status_list_id"],
            ["id"],
        )

    with op.batch_alter_table("issuers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("review_required", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:

    with op.batch_alter_table("issuers", schema=None) as batch_op:
        batch_op.drop_column("review_required")

    with op.batch_alter_table("awards", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_awards_status_list_id_status_lists"), type_="foreignkey"
        )
        batch_op.drop_column("status_list_index")
        batch_op.drop_column("status_list_id")
        batch_op.drop_column("credential")
        batch_op.drop_column("flagged_at")
        batch_op.drop_column("review_flag")
        batch_op.drop_column("origin")
        batch_op.drop_column("counted")

    with op.batch_alter_table("achievement_versions", schema=None) as batch_op:
        batch_op.drop_column("status")

    with op.batch_alter_table("ce_counts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ce_counts_cycle_id"))

    op.drop_table("ce_counts")
    with op.batch_alter_table("ce_cycles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ce_cycles_award_id"))

    op.drop_table("ce_cycles")
    with op.batch_alter_table("award_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_award_events_award_id"))

    op.drop_table("award_events")
    with op.batch_alter_table("review_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_events_achievement_version_id"))

    op.drop_table("review_events")
    with op.batch_alter_table("assessment_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessment_attempts_learner_id"))
        batch_op.drop_index(batch_op.f("ix_assessment_attempts_issuer_id"))
        batch_op.drop_index(batch_op.f("ix_assessment_attempts_assessment_version_id"))

    op.drop_table("assessment_attempts")
    with op.batch_alter_table("status_lists", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_status_lists_issuer_id"))

    op.drop_table("status_lists")
    with op.batch_alter_table("course_completions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_course_completions_learner_id"))
        batch_op.drop_index(batch_op.f("ix_course_completions_issuer_id"))

    op.drop_table("course_completions")
    with op.batch_alter_table("attestations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attestations_learner_id"))
        batch_op.drop_index(batch_op.f("ix_attestations_issuer_id"))
        batch_op.drop_index(batch_op.f("ix_attestations_attester_user_id"))

    op.drop_table("attestations")
