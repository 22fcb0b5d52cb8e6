"""An issuer's stored assessment, as the pure `assessment` package's definition."""

from __future__ import annotations

from dataclasses import dataclass

from credstack.assessment import AssessmentDefinition, parse_assessment
from credstack.errors import NotFound
from credstack.store.models import AssessmentRow, AssessmentVersionRow, IssuerRow
from credstack.store.uow import UnitOfWork

__all__ = ["StoredAssessment", "stored_assessment"]


@dataclass(frozen=True)
class StoredAssessment:
    row: AssessmentRow
    version: AssessmentVersionRow
    definition: AssessmentDefinition


def stored_assessment(uow: UnitOfWork, issuer: IssuerRow, key: str) -> StoredAssessment:
    """The current version: results are judged by the cut score in force when they arrive."""
    row = uow.assessments.by_key(issuer.id, key)
    version = uow.assessments.current(row) if row is not None else None
    if row is None or version is None:
        raise NotFound(f"issuer {issuer.key} has no assessment {key!r}")
    definition, problems = parse_assessment(version.definition, ("assessments", key))
    if definition is None:  # pragma: no cover - checked when the catalog was loaded
        raise NotFound(f"assessment {key!r} of {issuer.key} does not parse: {problems}")
    return StoredAssessment(row, version, definition)
