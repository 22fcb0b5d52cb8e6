"""Many rows of one table inserted through the driver's own `executemany`.

A Core `insert()` given a list of rows already runs as an executemany, but SQLAlchemy still
walks every parameter of every row in Python (its compiled-statement machinery, then each
column's bind processing). For a bulk import's thousands of rows across six tables that walk
is a visible part of a row's cost. Here the statement is compiled once per table, column set
and dialect, each column's own bind processor (the one SQLAlchemy would apply: JSON, UTC
datetimes, dates) is looked up once, and the rows go to the driver as plain parameter lists.
What is stored is byte for byte what the Core insert stores.

A column left out that has a client-side default (`default=utcnow`, `default=dict`) gets it
worked out once per call, for every row of the call.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from sqlalchemy import ColumnDefault, Connection, Table, insert
from sqlalchemy.engine import Dialect

from credstack.store.models.base import Base

__all__ = ["insert_many"]


@dataclass(frozen=True)
class _Statement:
    sql: str
    names: tuple[str, ...]
    """The parameters' names, in the statement's order for a positional driver."""
    values: Callable[[Mapping[str, Any]], tuple[Any, ...]]
    """A row's values in that order."""
    processed: tuple[tuple[int, Callable[[Any], Any]], ...]
    """Where a value goes through its column type's bind processor, and that processor."""
    positional: bool
    defaults: tuple[tuple[str, ColumnDefault], ...]
    """Columns not given that have a client-side default."""


_compiled: dict[tuple[str, tuple[str, ...], str], _Statement] = {}


def _statement(table: Table, given: tuple[str, ...], dialect: Dialect) -> _Statement:
    key = (table.name, given, dialect.name)
    found = _compiled.get(key)
    if found is None:
        defaults = tuple(
            (c.key, c.default)
            for c in table.columns
            if c.key not in given and isinstance(c.default, ColumnDefault)
        )
        columns = given + tuple(name for name, _ in defaults)
        compiled = insert(table).compile(dialect=dialect, column_keys=list(columns))
        order = compiled.positiontup
        positional = order is not None
        # The parameters' names in the statement's order (a positional driver) or by name.
        names = tuple(order) if order is not None else columns
        processors = tuple(table.c[name].type._cached_bind_processor(dialect) for name in names)
        found = _compiled[key] = _Statement(
            sql=str(compiled),
            names=names,
            values=itemgetter(*names) if len(names) > 1 else lambda row: (row[names[0]],),
            processed=tuple((i, p) for i, p in enumerate(processors) if p is not None),
            positional=positional,
            defaults=defaults,
        )
    return found


class _Processed:
    """A call's values as their columns' types process them, each object processed once: a
    batch gives many rows the very same time, day or document (one `now`, one award day), and
    formatting a datetime for SQLite costs more than the rest of its row's handling. Keyed by
    identity, so only the same object is reused (the rows keep every one alive meanwhile)."""

    def __init__(self, statement: _Statement) -> None:
        self.statement = statement
        self.memos: tuple[dict[int, Any], ...] = tuple({} for _ in statement.processed)

    def __call__(self, row: Mapping[str, Any]) -> tuple[Any, ...] | dict[str, Any]:
        statement = self.statement
        values = statement.values(row)
        if statement.processed:
            listed = list(values)
            for (index, process), memo in zip(statement.processed, self.memos, strict=True):
                value = listed[index]
                found = memo.get(id(value), _UNSEEN)
                if found is _UNSEEN:
                    found = memo[id(value)] = process(value)
                listed[index] = found
            values = tuple(listed)
        if statement.positional:
            return values
        return dict(zip(statement.names, values, strict=True))


_UNSEEN = object()


def _default(default: ColumnDefault) -> Any:
    # A callable default is kept wrapped to take SQLAlchemy's execution context; these
    # (`utcnow`, `dict`, `list`) do not use it.
    return default.arg(None) if default.is_callable else default.arg


def insert_many(
    connection: Connection, model: type[Base], rows: Sequence[Mapping[str, Any]]
) -> None:
    """INSERT `rows` (each with the same keys, `model`'s column keys) in one executemany."""
    if not rows:
        return
    table = model.__table__
    assert isinstance(table, Table)
    statement = _statement(table, tuple(rows[0]), connection.dialect)
    if statement.defaults:
        filled = {name: _default(default) for name, default in statement.defaults}
        rows = [{**row, **filled} for row in rows]
    processed = _Processed(statement)
    params: list[Any] = [processed(row) for row in rows]
    connection.exec_driver_sql(statement.sql, params)
