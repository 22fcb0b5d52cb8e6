"""Which of a chunk's learners the stacking engine has anything to award, found set-based.

Settling each learner the chunk touched (`engine.settle_imported`) reads that learner's records
with some eight statements, once per learner per chunk: on a catalog where every imported
achievement is part of a stack, that doubled the cost of an import although almost no learner
completes anything. Here the chunk's learners' records are read together (`records_of`: a
few statements per settling issuer for the whole chunk, no ORM rows) and the engine's cascade
is run over them in memory, trigger by trigger in `settle_imported`'s order; only a learner
for whom it would award something is settled for real, which reads and awards exactly as
before. Everyone else would have had nothing written, so skipping them changes nothing.

A learner the chunk itself created has no records but the awards the chunk just inserted for
them (nothing else can reach a row that is not yet committed), so theirs are made from the
inserted values (`Inserted`) instead of being read back; only learners who existed before
the chunk are read.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import load_only

from credstack.domain.dependants import cascade
from credstack.domain.outcome import Outcome
from credstack.domain.records import Award, Record
from credstack.service.clock import on_day
from credstack.service.engine import CompiledCatalog
from credstack.service.issuance import awarded_instant
from credstack.service.records import RecordNames, award_record, records_of
from credstack.store.models import AwardRow, IssuerRow
from credstack.store.uow import UnitOfWork

__all__ = ["Inserted", "learners_to_settle", "new_learners_records"]


class _WouldAward(Exception):
    """The cascade reached an award: this learner is settled for real."""


def _would_award(key: str, outcome: Outcome) -> Award:
    raise _WouldAward(key)


Inserted = Mapping[str, Mapping[str, Any]]
"""Awards the chunk inserted, by record id (``award:<public id>``): the values each was
inserted with, and its ``id``."""


def _as_row(values: Mapping[str, Any]) -> Any:
    """The inserted values read as a stored row is (attributes; never changed yet)."""
    return SimpleNamespace(status_changed_at=None, **values)


def new_learners_records(
    inserted: Inserted,
    imported: Mapping[int, Sequence[str]],
    new: Collection[int],
    perspective: IssuerRow,
    names: RecordNames,
) -> dict[int, list[Record]]:
    """The records of the chunk's new learners from the chunk's inserts: what `records_of`
    reads back for them, in the same order (by award id)."""
    out: dict[int, list[Record]] = {}
    for learner_id in new:
        rows = sorted((_as_row(inserted[rid]) for rid in imported[learner_id]), key=_by_id)
        out[learner_id] = [award_record(row, perspective, names) for row in rows]
    return out


def _by_id(row: Any) -> int:
    return int(row.id)


def learners_to_settle(
    uow: UnitOfWork,
    catalogs: Sequence[tuple[IssuerRow, CompiledCatalog]],
    imported: Mapping[int, Sequence[str]],
    inserted: Inserted,
    new: Collection[int],
) -> set[int]:
    """The learners (by id) among `imported` (learner id -> the chunk's new award record ids)
    for whom `settle_imported` would award something under any of `catalogs`. `inserted`
    holds (at least) the values of every award of the `new` learners, those the chunk made."""
    unknown = [
        rid.removeprefix("award:")
        for rids in imported.values()
        for rid in rids
        if rid not in inserted
    ]
    instants: dict[str, Any] = {rid: _as_row(values) for rid, values in inserted.items()}
    if unknown:
        instants.update(
            {
                f"award:{row.public_id}": row
                for row in uow.session.scalars(
                    select(AwardRow)
                    .options(
                        load_only(
                            AwardRow.id,
                            AwardRow.public_id,
                            AwardRow.awarded_at,
                            AwardRow.awarded_on,
                        )
                    )
                    .where(AwardRow.public_id.in_(unknown))
                )
            }
        )
    names = RecordNames(uow)
    found: set[int] = set()
    for perspective, compiled in catalogs:
        if not compiled.requirements:
            continue
        undecided = [i for i in imported if i not in found]
        if not undecided:
            break
        old = [i for i in undecided if i not in new]
        everyone = records_of(uow, old, perspective, names) if old else {}
        everyone.update(
            new_learners_records(
                inserted, imported, [i for i in undecided if i in new], perspective, names
            )
        )
        for learner_id in undecided:
            records = everyone[learner_id]
            by_id = {r.id: r for r in records}
            pending = set(imported[learner_id])
            triggers = sorted(
                (instants[rid] for rid in pending if rid in by_id and rid in instants),
                key=lambda row: (awarded_instant(perspective, row), row.id),
            )
            settled = [r for r in records if r.id not in pending]
            try:
                for row in triggers:
                    trigger = by_id[f"award:{row.public_id}"]
                    day = on_day(perspective, awarded_instant(perspective, row))
                    cascade(
                        compiled.requirements,
                        compiled.index,
                        settled,
                        trigger,
                        day,
                        _would_award,
                    )
                    settled.append(trigger)
            except _WouldAward:
                found.add(learner_id)
    return found
