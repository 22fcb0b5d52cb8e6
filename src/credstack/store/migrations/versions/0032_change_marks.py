"""change marks: an insert-only change log per issuer, so that no writer waits on another

Revision ID: 0032_change_marks
Revises: 0031_free_indexes
Create Date: 2026-12-04 03:00:00

Migration 0030 kept one counter row per issuer that a trigger bumped in the writing
transaction. On PostgreSQL the bumped row stays locked until that transaction ends, so two
writers of one issuer's records (two import workers, a request and the nightly job) waited for
each other, and two transactions writing two issuers in opposite orders deadlocked (one was
aborted).

Now a writing transaction adds its own row, keyed by its transaction id, to
``analytics_changes`` for each issuer it touches, and an issuer's mark is the sum of its rows'
``changes``. No writer updates a row another transaction can write, so none waits: the
unique key of a new row is its own. To keep an issuer's rows few, the transaction that adds a
row absorbs the committed rows nobody else holds (``FOR UPDATE SKIP LOCKED``): it deletes them
and adds their ``changes`` to its own, which commits or rolls back with it, so the sum never
changes but by the transaction's own 1. The triggers run once per statement (their transition
tables list the rows), and once per issuer and transaction (a transaction-local setting).

On SQLite, which has one writer at a time and no statement triggers, a per-row trigger adds 1
to the issuer's single row (``tx`` 0) as before; the table has no rowid, so that row is one
B-tree probe as the old counter was. An update's old row is read only when a column that says
which issuers it concerns changed. Readers ask the same question of both: the sum.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import op

revision = "0032_change_marks"
down_revision = "0031_free_indexes"
branch_labels = None
depends_on = None


def _previous() -> ModuleType:
    """Migration 0030, whose table of sources (which issuers a changed row concerns) still
    holds, and whose triggers a downgrade puts back."""
    path = Path(__file__).with_name("0030_analytics_marks.py")
    spec = importlib.util.spec_from_file_location("credstack_migration_0030", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_SQLITE_ADD = (
    "INSERT INTO analytics_changes (issuer_id, tx, changes) "
    "SELECT issuer_id, 0, 1 FROM (<issuers>) WHERE issuer_id IS NOT NULL "
    "ON CONFLICT (issuer_id, tx) DO UPDATE SET changes = changes + 1;"
)
_SQLITE_ADD_ONE = (
    "INSERT INTO analytics_changes (issuer_id, tx, changes) VALUES (<issuer>, 0, 1) "
    "ON CONFLICT (issuer_id, tx) DO UPDATE SET changes = changes + 1;"
)


def _sqlite_add(own_issuer: str, source: str, row: str) -> str:
    """The row's own issuer as a plain VALUES upsert (no subquery); others by their query."""
    if source == own_issuer:
        return _SQLITE_ADD_ONE.replace("<issuer>", f"{row}.issuer_id")
    return _SQLITE_ADD.replace("<issuers>", source.replace("{r}", row))


_SQLITE_TRIGGERS = {
    # name: (event, the row its issuers are read from)
    "insert": ("INSERT", "NEW"),
    "update": ("UPDATE", "NEW"),
    "update_old": ("UPDATE", "OLD"),
    "delete": ("DELETE", "OLD"),
}


def _read_columns(sources: tuple[str, ...]) -> list[str]:
    """The row's columns the sources read (``{r}.column``)."""
    return sorted({c for source in sources for c in re.findall(r"\{r\}\.(\w+)", source)})


def _sqlite_upgrade(previous: ModuleType) -> None:
    """An update's old row concerns other issuers than its new row only if a column the
    sources read changed: only then is it read (``WHEN``), which halves what most updates
    (a status, a score) cost."""
    for table, sources in previous._SOURCES.items():
        moved = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in _read_columns(sources))
        for name, (event, row) in _SQLITE_TRIGGERS.items():
            adds = " ".join(_sqlite_add(previous._ISSUER, source, row) for source in sources)
            when = f"WHEN {moved} " if name == "update_old" else ""
            op.execute(
                f"CREATE TRIGGER analytics_change_{table}_{name} "
                f"AFTER {event} ON {table} FOR EACH ROW {when}BEGIN {adds} END"
            )


_CHANGE = """
CREATE FUNCTION analytics_change(issuer integer) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  flag text := 'credstack.analytics_change_' || issuer;
  absorbed bigint;
BEGIN
  IF issuer IS NULL OR current_setting(flag, true) = '1' THEN
    RETURN;
  END IF;
  WITH gone AS (
    DELETE FROM analytics_changes WHERE ctid IN (
      SELECT ctid FROM analytics_changes WHERE issuer_id = issuer
      LIMIT 64 FOR UPDATE SKIP LOCKED
    ) RETURNING changes
  )
  SELECT coalesce(sum(changes), 0) INTO absorbed FROM gone;
  INSERT INTO analytics_changes AS c (issuer_id, tx, changes)
    VALUES (issuer, txid_current(), absorbed + 1)
    ON CONFLICT (issuer_id, tx) DO UPDATE SET changes = c.changes + excluded.changes;
  PERFORM set_config(flag, '1', true);
END $$
"""
"""One issuer's change, once per transaction. The rows it deletes are committed ones no other
transaction holds (a row being absorbed elsewhere is skipped, never waited for); the conflict
can only be with the transaction's own row (after a savepoint was rolled back)."""

_EVENTS = {
    "INSERT": "NEW TABLE AS new_rows",
    "UPDATE": "NEW TABLE AS new_rows OLD TABLE AS old_rows",
    "DELETE": "OLD TABLE AS old_rows",
}


_ISSUERS_OF = "SELECT DISTINCT s.issuer_id FROM <rows> AS r CROSS JOIN LATERAL (<union>) AS s"


def _issuers_of(previous: ModuleType, table: str, rows: str) -> str:
    """The issuers the statement's rows (a transition table) concern, each once."""
    return _ISSUERS_OF.replace("<rows>", rows).replace("<union>", previous._union("r", table))


def _postgresql_upgrade(previous: ModuleType) -> None:
    op.execute(_CHANGE)
    for table in previous._SOURCES:
        op.execute(
            f"CREATE FUNCTION analytics_changed_{table}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            "BEGIN\n"
            "  IF TG_OP <> 'DELETE' THEN\n"
            "    PERFORM analytics_change(d.issuer_id) "
            f"FROM ({_issuers_of(previous, table, 'new_rows')}) AS d;\n"
            "  END IF;\n"
            "  IF TG_OP <> 'INSERT' THEN\n"
            "    PERFORM analytics_change(d.issuer_id) "
            f"FROM ({_issuers_of(previous, table, 'old_rows')}) AS d;\n"
            "  END IF;\n"
            "  RETURN NULL;\n"
            "END $$"
        )
        for event, transition in _EVENTS.items():
            op.execute(
                f"CREATE TRIGGER analytics_change_{event.lower()} AFTER {event} ON {table} "
                f"REFERENCING {transition} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION analytics_changed_{table}()"
            )


def _drop_0030(previous: ModuleType, postgresql: bool) -> None:
    for table in previous._SOURCES:
        if postgresql:
            op.execute(f"DROP TRIGGER analytics_mark ON {table}")
            op.execute(f"DROP FUNCTION analytics_mark_{table}()")
        else:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER analytics_mark_{table}_{event}")
    if postgresql:
        op.execute("DROP FUNCTION analytics_bump(integer)")


def upgrade() -> None:
    previous = _previous()
    postgresql = op.get_bind().dialect.name == "postgresql"
    _drop_0030(previous, postgresql)
    op.create_table(
        "analytics_changes",
        sa.Column("issuer_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("tx", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("changes", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("issuer_id", "tx", name=op.f("pk_analytics_changes")),
        sqlite_with_rowid=False,
    )
    # Marks keep their values, so figures a running server keeps stay valid across the upgrade.
    op.execute(
        "INSERT INTO analytics_changes (issuer_id, tx, changes) "
        "SELECT issuer_id, 0, version FROM analytics_marks"
    )
    op.drop_table("analytics_marks")
    if postgresql:
        _postgresql_upgrade(previous)
    else:
        _sqlite_upgrade(previous)


def downgrade() -> None:
    previous = _previous()
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table in previous._SOURCES:
        if postgresql:
            for event in _EVENTS:
                op.execute(f"DROP TRIGGER analytics_change_{event.lower()} ON {table}")
            op.execute(f"DROP FUNCTION analytics_changed_{table}()")
        else:
            for name in _SQLITE_TRIGGERS:
                op.execute(f"DROP TRIGGER analytics_change_{table}_{name}")
    if postgresql:
        op.execute("DROP FUNCTION analytics_change(integer)")
    op.create_table(
        "analytics_marks",
        sa.Column("issuer_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("issuer_id", name=op.f("pk_analytics_marks")),
    )
    op.execute(
        "INSERT INTO analytics_marks (issuer_id, version) "
        "SELECT issuer_id, sum(changes) FROM analytics_changes GROUP BY issuer_id"
    )
    op.drop_table("analytics_changes")
    if postgresql:
        previous._postgresql_upgrade()
    else:
        previous._sqlite_upgrade()
