"""job queue: procrastinate's tables and functions, on PostgreSQL only

Revision ID: 0022_job_queue
Revises: 0021_webhooks
Create Date: 2026-12-03 16:00:00

The queue decides when and where work runs (`service/jobs/`); credstack's own tables stay the
record of what was done. The schema is procrastinate's own `schema.sql` for the pinned minor
version (pyproject: procrastinate 3.10.x), so a later procrastinate comes with a migration that
applies its migration files. On SQLite there is no queue (one in-process worker reads
credstack's tables), so this is a no-op there.
"""

from __future__ import annotations

from alembic import op
from procrastinate.schema import SchemaManager

revision = "0022_job_queue"
down_revision = "0021_webhooks"
branch_labels = None
depends_on = None

_TABLES = (
    "procrastinate_periodic_defers",
    "procrastinate_events",
    "procrastinate_jobs",
    "procrastinate_workers",
)
_TYPES = (
    "procrastinate_job_event_type",
    "procrastinate_job_status",
    "procrastinate_job_to_defer_v1",
)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    bind.exec_driver_sql(SchemaManager.get_schema().replace("%", "%%"))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    functions = bind.exec_driver_sql(
        "SELECT p.oid::regprocedure::text FROM pg_proc p "
        "JOIN pg_namespace n ON n.oid = p.pronamespace "
        "WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate%%'"
    ).scalars()
    for table in _TABLES:
        bind.exec_driver_sql(f"DROP TABLE IF EXISTS {table} CASCADE")
    for function in list(functions):
        bind.exec_driver_sql(f"DROP FUNCTION IF EXISTS {function} CASCADE")
    for kind in _TYPES:
        bind.exec_driver_sql(f"DROP TYPE IF EXISTS {kind} CASCADE")
