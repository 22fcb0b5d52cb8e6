"""Status-list indexes set aside for a chunk's items before their credentials are signed.

An index is inside the signed credential, so it must be known before signing; taking it from
the list's counter in the chunk's own transaction held the list's row lock through all the
chunk's signing, so two worker processes took turns. Here the indexes are taken in a short
transaction of their own (on PostgreSQL) that also records them against the items
(`status_reservations`): the chunk then signs holding no shared lock. A process killed after
the reservation commits and before its chunk does leaves the reservations behind, and whoever
issues those items next (a resumed run, another worker) uses the same indexes, so the list
has no gap; the chunk removes an item's reservation when it commits the item's award. An item
that does not take its reserved index (it failed, was skipped, or took the single-award path)
returns it to the lists' free pool (`free`) in the chunk's transaction, and the next award, an
import's or a single one, takes it. On
SQLite the reservation is made in the chunk's own transaction: there is one writer anyway, and
a second connection would wait for the first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, insert, select

from credstack.service.status import allocate_many
from credstack.service.status import free as free_indexes
from credstack.store.models import IssuerRow, StatusListRow, StatusReservationRow
from credstack.store.uow import UnitOfWork

__all__ = ["Reserved", "free", "release", "reserve"]


@dataclass(frozen=True)
class Reserved:
    """An item's index: the revocation list (id and key) and the position in it."""

    list_id: int
    list_key: str
    index: int


def reserve(uow: UnitOfWork, issuer: IssuerRow, item_ids: Sequence[int]) -> dict[int, Reserved]:
    """Each item's index: the one reserved for it before, else a fresh one from the issuer's
    lists (advanced once for all of them). The caller commits."""
    found: dict[int, Reserved] = {
        row.item_id: Reserved(row.status_list_id, row.list_key, row.status_list_index)
        for row in uow.session.execute(
            select(
                StatusReservationRow.item_id,
                StatusReservationRow.status_list_id,
                StatusReservationRow.status_list_index,
                StatusListRow.list_key,
            )
            .join(StatusListRow, StatusListRow.id == StatusReservationRow.status_list_id)
            .where(StatusReservationRow.item_id.in_(item_ids))
        )
    }
    missing = [i for i in item_ids if i not in found]
    if missing:
        taken = allocate_many(uow, issuer, len(missing))
        for item_id, (status_list, index) in zip(missing, taken, strict=True):
            found[item_id] = Reserved(status_list.id, status_list.list_key, index)
        uow.session.execute(
            insert(StatusReservationRow),
            [
                {
                    "item_id": item_id,
                    "status_list_id": found[item_id].list_id,
                    "status_list_index": found[item_id].index,
                }
                for item_id in missing
            ],
        )
    return found


def release(uow: UnitOfWork, item_ids: Sequence[int]) -> None:
    """Drop the reservations of items whose awards now hold the indexes (same transaction)."""
    if item_ids:
        uow.session.execute(
            delete(StatusReservationRow).where(StatusReservationRow.item_id.in_(item_ids))
        )


def free(uow: UnitOfWork, item_ids: Sequence[int]) -> None:
    """Return the indexes reserved for items that will not use them to the free pool, in the
    caller's transaction (the one that settles the items): an index is reserved or free,
    never both, and never lost."""
    if item_ids:
        held = uow.session.execute(
            delete(StatusReservationRow)
            .where(StatusReservationRow.item_id.in_(item_ids))
            .returning(StatusReservationRow.status_list_id, StatusReservationRow.status_list_index)
        ).all()
        free_indexes(uow, [(list_id, index) for list_id, index in held])
