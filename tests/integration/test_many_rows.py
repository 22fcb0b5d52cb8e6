"""`store.many_rows.insert_many` stores exactly what a Core insert of the same rows stores."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Text, cast, insert, select

from credstack.store.many_rows import insert_many
from credstack.store.models import OutboxMessageRow
from credstack.store.uow import UnitOfWork

_COLUMNS = (
    OutboxMessageRow.kind,
    OutboxMessageRow.details,
    cast(OutboxMessageRow.details, Text).label("details_text"),
    OutboxMessageRow.status,
    OutboxMessageRow.attempts,
    OutboxMessageRow.due_at,
    OutboxMessageRow.dedupe_key,
)


def _rows(prefix: str) -> list[dict[str, Any]]:
    due = datetime(2026, 5, 2, 10, 30, 15, 123456, tzinfo=UTC) + timedelta(hours=1)
    return [
        {
            "public_id": f"{prefix}-{i}",
            "kind": "awarded",
            "details": {"name": "Zoë", "n": [i, 1.5, None, True], "nested": {"b": 1, "a": 2}},
            "status": "pending",
            "attempts": i,
            "due_at": due,
            "dedupe_key": None if i else f"{prefix}-once",
        }
        for i in range(3)
    ]


def _stored(uow: UnitOfWork, prefix: str) -> list[tuple[Any, ...]]:
    query = (
        select(*_COLUMNS)
        .where(OutboxMessageRow.public_id.startswith(prefix))
        .order_by(OutboxMessageRow.public_id)
    )
    return [tuple(row) for row in uow.session.execute(query)]


def test_rows_are_stored_as_a_core_insert_stores_them(uow: UnitOfWork) -> None:
    uow.session.execute(insert(OutboxMessageRow), _rows("core"))
    insert_many(uow.session.connection(), OutboxMessageRow, _rows("many"))
    core, many = _stored(uow, "core"), _stored(uow, "many")
    assert len(many) == 3
    # The JSON as the database keeps it (its text), the aware UTC times, every column alike.
    assert [row[:-1] for row in many] == [row[:-1] for row in core]
    assert [row[-1] is None for row in many] == [False, True, True]


def test_a_left_out_column_gets_its_default(uow: UnitOfWork) -> None:
    rows = [{"public_id": f"bare-{i}", "kind": "awarded"} for i in range(2)]
    insert_many(uow.session.connection(), OutboxMessageRow, rows)
    stored = uow.session.scalars(
        select(OutboxMessageRow).where(OutboxMessageRow.public_id.startswith("bare-"))
    ).all()
    assert [(m.details, m.status, m.attempts) for m in stored] == [({}, "pending", 0)] * 2
    assert all(m.created_at.tzinfo is not None and m.due_at is not None for m in stored)
