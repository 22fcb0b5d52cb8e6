"""What an award counted, as typed references to the learner's rows.

An award stores the records it counted as string ids (`award:…`, `attempt:…`, `attestation:…`,
`course:…`, `imported:…`): that is the persisted form, kept on the award row and in its audit
trail. While the stacking engine settles a new record it already holds the rows behind those
ids, so it hands issuance `EvidenceRef`s carrying them; only a stored award being signed again
(a key rotation, a re-issue) turns its ids back into rows, through `stored_evidence`, the one
place the ids are parsed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from sqlalchemy import select

from credstack.store.models import (
    AssessmentAttemptRow,
    AttestationRow,
    AwardRow,
    CourseCompletionRow,
    ImportedCredentialRow,
)
from credstack.store.uow import UnitOfWork

__all__ = [
    "EvidenceRef",
    "RecordKind",
    "RecordRow",
    "counted_ids",
    "parse_record_id",
    "record_id",
    "resolve",
    "rows_of",
    "stored_evidence",
]

RecordRow = (
    AwardRow | AssessmentAttemptRow | AttestationRow | CourseCompletionRow | ImportedCredentialRow
)
R = TypeVar(
    "R", AwardRow, AssessmentAttemptRow, AttestationRow, CourseCompletionRow, ImportedCredentialRow
)


class RecordKind(StrEnum):
    """The row kinds a record id names; the value is the id's prefix."""

    AWARD = "award"
    ATTEMPT = "attempt"
    ATTESTATION = "attestation"
    COURSE = "course"
    IMPORTED = "imported"
    """A credential from another issuer the learner imported (service.imports)."""

    @classmethod
    def of(cls, row: RecordRow) -> RecordKind:
        return _KIND_OF_ROW[type(row)]


_ROW_OF_KIND: dict[RecordKind, type[RecordRow]] = {
    RecordKind.AWARD: AwardRow,
    RecordKind.ATTEMPT: AssessmentAttemptRow,
    RecordKind.ATTESTATION: AttestationRow,
    RecordKind.COURSE: CourseCompletionRow,
    RecordKind.IMPORTED: ImportedCredentialRow,
}
_KIND_OF_ROW: dict[type[RecordRow], RecordKind] = {v: k for k, v in _ROW_OF_KIND.items()}


def record_id(kind: str, public_id: str) -> str:
    return f"{kind}:{public_id}"


def parse_record_id(rid: str) -> tuple[RecordKind, str] | None:
    """The kind and public id of a stored record id; None for anything else (e.g. an id
    written by hand on a manual award)."""
    kind, sep, public_id = rid.partition(":")
    try:
        return (RecordKind(kind), public_id) if sep else None
    except ValueError:
        return None


@dataclass(frozen=True)
class EvidenceRef:
    """One counted record: its kind, its public id and the row it names."""

    kind: RecordKind
    public_id: str
    row: RecordRow

    @classmethod
    def of(cls, row: RecordRow) -> EvidenceRef:
        return cls(RecordKind.of(row), row.public_id, row)

    @property
    def id(self) -> str:
        return record_id(self.kind, self.public_id)


def resolve(uow: UnitOfWork, ids: Iterable[str]) -> list[EvidenceRef]:
    """The rows named by record ids, one query per kind; ids naming no row are left out."""
    wanted: dict[RecordKind, list[str]] = {}
    for rid in ids:
        parsed = parse_record_id(str(rid))
        if parsed is not None and parsed[1] not in wanted.setdefault(parsed[0], []):
            wanted[parsed[0]].append(parsed[1])
    out: list[EvidenceRef] = []
    for kind, public_ids in wanted.items():
        out.extend(EvidenceRef.of(row) for row in _rows(uow, _ROW_OF_KIND[kind], public_ids))
    return out


def _rows(uow: UnitOfWork, model: type[RecordRow], public_ids: list[str]) -> list[RecordRow]:
    return list(uow.session.scalars(select(model).where(model.public_id.in_(public_ids))))


def counted_ids(award: AwardRow) -> list[str]:
    """The ids an award names as what earned it: its counted records, then its evidence's."""
    evidence = [str(e["id"]) for e in award.evidence or [] if isinstance(e, dict) and "id" in e]
    return [*(str(rid) for rid in award.counted or []), *evidence]


def stored_evidence(uow: UnitOfWork, award: AwardRow) -> list[EvidenceRef]:
    """A stored award's counted records, read back from the ids it keeps."""
    return resolve(uow, counted_ids(award))


def rows_of(refs: Sequence[EvidenceRef], model: type[R]) -> list[R]:
    """The rows of one kind, once each, in the order they were recorded (their row ids)."""
    rows = {ref.public_id: ref.row for ref in refs if isinstance(ref.row, model)}
    return sorted(rows.values(), key=lambda row: row.id)
