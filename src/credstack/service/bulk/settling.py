"""Which of a chunk's learners the stacking engine has anything to award, found set-based.

Settling each learner the chunk touched (`engine.settle_imported`) reads that learner's records
with some eight statements, once per learner per chunk: on a catalog where every imported
achievement is part of a stack, that doubled the cost of an import although almost no learner
completes anything. Here the chunk's learners' records are read together (`records_of`: a
few statements per settling issuer for the whole chunk, no ORM rows) and the engine's cascade
is run over them in memory, trigger by trigger in `settle_imported`'s order; only a learner
for whom it would award something is settled for real, which reads and awards exactly as
before. Everyone else would have had nothing written, so skipping them changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import load_only

from credstack.domain.dependants import cascade
from credstack.domain.outcome import Outcome
from credstack.domain.records import Award
from credstack.service.clock import on_day
from credstack.service.engine import CompiledCatalog
from credstack.service.issuance import awarded_instant
from credstack.service.records import records_of
from credstack.store.models import AwardRow, IssuerRow
from credstack.store.uow import UnitOfWork

__all__ = ["learners_to_settle"]


class _WouldAward(Exception):
    """The cascade reached an award: this learner is settled for real."""


def _would_award(key: str, outcome: Outcome) -> Award:
    raise _WouldAward(key)


def learners_to_settle(
    uow: UnitOfWork,
    catalogs: Sequence[tuple[IssuerRow, CompiledCatalog]],
    imported: Mapping[int, Sequence[str]],
) -> set[int]:
    """The learners (by id) among `imported` (learner id -> the chunk's new award record ids)
    for whom `settle_imported` would award something under any of `catalogs`."""
    public_ids = [rid.removeprefix("award:") for rids in imported.values() for rid in rids]
    instants = {
        f"award:{row.public_id}": row
        for row in uow.session.scalars(
            select(AwardRow)
            .options(
                load_only(AwardRow.id, AwardRow.public_id, AwardRow.awarded_at, AwardRow.awarded_on)
            )
            .where(AwardRow.public_id.in_(public_ids))
        )
    }
    found: set[int] = set()
    for perspective, compiled in catalogs:
        if not compiled.requirements:
            continue
        undecided = [i for i in imported if i not in found]
        if not undecided:
            break
        everyone = records_of(uow, undecided, perspective)
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
