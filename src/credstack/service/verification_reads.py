"""What verifying one of our credentials reads from the database, in one statement.

Verifying one of our credentials read three things, each in a statement of its own: the public
rows of our issuers and keys (the version of `service.own_directory`'s directory), the version
of the credential's status list (`service.own_status`) and the award's standing with its
suspension bit. Which list and which award are known once the credential's JSON is parsed
(its ``id`` and its status entry), so they are read together with the directory's rows: one
statement, one round trip to PostgreSQL instead of three (issue 14).

These reads only choose what to read. The verification still asks for each list and award by
its own parse of the credential, is served from here only what was read for exactly that URL
or public id, and reads anything else as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, LargeBinary, cast, literal_column, null, union_all
from sqlalchemy.sql.sqltypes import NullType

from credstack.service.own_directory import DIRECTORY_ROWS, Rows
from credstack.service.own_status import AWARD_STANDING, LIST_VERSION
from credstack.store.models import SigningKeyRow
from credstack.store.uow import UnitOfWork

__all__ = ["OwnReads", "read_together"]

_PARTS: tuple[Any, ...] = (  # Select[...]s of different shapes
    DIRECTORY_ROWS.order_by(None).add_columns(SigningKeyRow.id),  # its id orders the keys
    LIST_VERSION,
    AWARD_STANDING,
)
_WIDTHS = tuple(len(part.selected_columns) for part in _PARTS)
_DIRECTORY_WIDTH = len(DIRECTORY_ROWS.selected_columns)


def _padding(column: ColumnElement[Any]) -> ColumnElement[Any]:
    # A typed NULL: PostgreSQL matches a UNION's columns by type, and the first branch's
    # types decide how every row's values are read back (dates, bytes).
    kind = LargeBinary() if isinstance(column.type, NullType) else column.type
    return cast(null(), kind)


def _branch(number: int) -> Any:
    columns: list[ColumnElement[Any]] = [literal_column(str(number)).label("part")]
    for index, part in enumerate(_PARTS):
        for position, column in enumerate(part.selected_columns):
            label = f"c{index}_{position}"
            columns.append((column if index == number else _padding(column)).label(label))
    return _PARTS[number].with_only_columns(*columns, maintain_column_froms=True)


_STATEMENTS: dict[tuple[bool, bool], Any] = {}


def _statement(with_list: bool, with_award: bool) -> Any:
    found = _STATEMENTS.get((with_list, with_award))
    if found is None:
        branches = [_branch(0)]
        if with_list:
            branches.append(_branch(1))
        if with_award:
            branches.append(_branch(2))
        directory_order: tuple[ColumnElement[Any], ...] = (
            literal_column("c0_0"),
            literal_column(f"c0_{_WIDTHS[0] - 1}"),
        )
        found = union_all(*branches).order_by(literal_column("part"), *directory_order)
        _STATEMENTS[(with_list, with_award)] = found
    return found


@dataclass(frozen=True)
class OwnReads:
    """One verification's reads: the directory's rows, and the list and award it names."""

    rows: Rows
    list_key: tuple[str, str] | None
    """(issuer key, list key) of the list read, if one was."""
    list_row: tuple[Any, ...] | None
    """`own_status.LIST_VERSION`'s row for it; None when there is no such list."""
    public_id: str | None
    """The award read, if one was."""
    award_row: tuple[Any, ...] | None
    """`own_status.AWARD_STANDING`'s row for it; None when there is no such award."""


def read_together(
    uow: UnitOfWork, list_key: tuple[str, str] | None, public_id: str | None
) -> OwnReads:
    """The directory's rows, and the list and award asked for, in one statement."""
    params: dict[str, Any] = {}
    if list_key is not None:
        params.update(issuer=list_key[0], list=list_key[1])
    if public_id is not None:
        params["public_id"] = public_id
    statement = _statement(list_key is not None, public_id is not None)
    # Without flushing, on the session's connection: see `service.own_directory`.
    with uow.session.no_autoflush:
        found = uow.session.connection().execute(statement, params).all()
    parts: list[list[tuple[Any, ...]]] = [[], [], []]
    for row in found:
        number = row[0]
        start = 1 + sum(_WIDTHS[:number])
        parts[number].append(tuple(row[start : start + _WIDTHS[number]]))
    return OwnReads(
        rows=tuple(row[:_DIRECTORY_WIDTH] for row in parts[0]),
        list_key=list_key,
        list_row=_one(parts[1]),
        public_id=public_id,
        award_row=_one(parts[2]),
    )


def _one(rows: Sequence[tuple[Any, ...]]) -> tuple[Any, ...] | None:
    return rows[0] if rows else None
