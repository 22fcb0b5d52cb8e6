"""Load an issuer's catalog: all or nothing, idempotent, versioned by content.

A definition that is byte-for-byte the same (as canonical JSON) as the current version changes
nothing; a changed one becomes the next version, so credentials already issued keep pointing at
the version they were issued under.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from credstack.catalog.parse import parse_catalog
from credstack.domain.catalog import Catalog, ReviewStatus
from credstack.errors import InvalidInput, NotFound
from credstack.service import audit_trail
from credstack.service.actor import Actor, authorise
from credstack.service.runtime import Runtime
from credstack.store.models import (
    AchievementRow,
    AchievementVersionRow,
    AssessmentRow,
    AssessmentVersionRow,
    CatalogLoadRow,
    CompetencyRow,
    FrameworkRow,
    IssuerRow,
    PartnerRow,
)
from credstack.store.uow import UnitOfWork

__all__ = [
    "CatalogInvalid",
    "LoadReport",
    "content_hash",
    "jsonable",
    "load_catalog",
    "load_catalog_as",
]


class CatalogInvalid(InvalidInput):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("the catalog has problems:\n" + "\n".join(problems))
        self.problems = problems


@dataclass
class LoadReport:
    issuer: str
    created: list[str] = field(default_factory=list)
    new_versions: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    other_changes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.new_versions or self.other_changes)

    def as_dict(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "created": self.created,
            "new_versions": self.new_versions,
            "unchanged": self.unchanged,
            "other_changes": self.other_changes,
        }


def jsonable(value: object) -> Any:
    """Plain data as JSON can hold it (YAML gives dates; JSON columns do not take them)."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        # JSON has one number type; the float holds the same short decimal exactly as text,
        # so stored definitions (and their content hashes) are what they were before amounts
        # became exact, and readers convert back with ``quantities.exact``.
        return float(value)
    return value


def content_hash(definition: Mapping[str, Any]) -> str:
    canonical = json.dumps(jsonable(definition), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def load_catalog(uow: UnitOfWork, *, issuer_key: str, text: str, source: str) -> LoadReport:
    """Parse, check and store; the caller's unit of work commits, so a failure stores nothing."""
    result = parse_catalog(text, source)
    if not result.ok or result.catalog is None:
        raise CatalogInvalid([str(p) for p in result.problems])
    catalog = result.catalog
    issuer = uow.issuers.by_key(issuer_key)
    if issuer is None:
        raise NotFound(
            f"unknown issuer {issuer_key!r}: create it first with "
            f"`credstack issuer add {issuer_key} --name NAME`"
        )
    if catalog.issuer is not None and catalog.issuer.key != issuer_key:
        raise InvalidInput(
            f"{source}: this catalog is for issuer {catalog.issuer.key!r}, not {issuer_key!r}"
        )
    if catalog.issuer is not None:
        issuer.timezone = catalog.issuer.timezone
    report = LoadReport(issuer=issuer_key)
    _partners(uow, issuer, catalog, report)
    _frameworks(uow, issuer, catalog, report)
    for achievement in catalog.achievements:
        _achievement(
            uow,
            issuer,
            achievement.key,
            achievement.type.value,
            achievement.name,
            dict(achievement.definition),
            report,
        )
    for assessment in catalog.assessments:
        _assessment(uow, issuer, dict(assessment), report)
    if report.changed:
        uow.catalog_loads.add(
            CatalogLoadRow(
                issuer_id=issuer.id,
                source=source,
                content_hash=hashlib.sha256(text.encode()).hexdigest(),
                summary=report.as_dict(),
            )
        )
        audit_trail.record(
            uow,
            action="catalog.loaded",
            subject=f"issuer:{issuer.key}",
            details={"source": source, "sha256": hashlib.sha256(text.encode()).hexdigest()},
        )
    return report


def load_catalog_as(
    runtime: Runtime, actor: Actor, *, issuer_key: str, text: str, source: str
) -> LoadReport:
    """Load a catalog as an admin of the issuer (or the operator): all or nothing, in one
    transaction, so a catalog with a problem leaves the issuer's catalog as it was."""
    authorise(actor, issuer_key, "admin", what="load catalogs")
    with runtime.uow() as uow:
        report = load_catalog(uow, issuer_key=issuer_key, text=text, source=source)
        uow.commit()
    return report


def parsed(text: str, source: str) -> Catalog:
    result = parse_catalog(text, source)
    if result.catalog is None or result.problems:
        raise CatalogInvalid([str(p) for p in result.problems])
    return result.catalog


def _partners(uow: UnitOfWork, issuer: IssuerRow, catalog: Catalog, report: LoadReport) -> None:
    for partner in catalog.partners:
        row = uow.issuers.partner(issuer.id, partner.key)
        if row is None:
            uow.issuers.add(
                PartnerRow(issuer_id=issuer.id, key=partner.key, name=partner.name, url=partner.url)
            )
            report.other_changes.append(f"partner {partner.key} added")
        elif (row.name, row.url) != (partner.name, partner.url):
            row.name, row.url = partner.name, partner.url
            report.other_changes.append(f"partner {partner.key} updated")


def _frameworks(uow: UnitOfWork, issuer: IssuerRow, catalog: Catalog, report: LoadReport) -> None:
    for framework in catalog.frameworks:
        row = uow.issuers.framework(issuer.id, framework.key)
        if row is None:
            row = FrameworkRow(
                issuer_id=issuer.id,
                key=framework.key,
                name=framework.name,
                url=framework.url,
                version=framework.version,
            )
            uow.issuers.add(row)
            report.other_changes.append(f"framework {framework.key} added")
        elif (row.name, row.url, row.version) != (framework.name, framework.url, framework.version):
            row.name, row.url, row.version = framework.name, framework.url, framework.version
            report.other_changes.append(f"framework {framework.key} updated")
        existing = {c.key: c for c in uow.issuers.competencies(row.id)}
        for competency in framework.competencies:
            current = existing.get(competency.key)
            values = (competency.name, competency.description, competency.code)
            if current is None:
                uow.issuers.add(
                    CompetencyRow(
                        framework_id=row.id,
                        key=competency.key,
                        name=competency.name,
                        description=competency.description,
                        code=competency.code,
                    )
                )
                report.other_changes.append(f"competency {framework.key}/{competency.key} added")
            elif (current.name, current.description, current.code) != values:
                current.name, current.description, current.code = values
                report.other_changes.append(f"competency {framework.key}/{competency.key} updated")


def _achievement(
    uow: UnitOfWork,
    issuer: IssuerRow,
    key: str,
    kind: str,
    name: str,
    definition: dict[str, Any],
    report: LoadReport,
) -> None:
    document = jsonable(definition)
    digest = content_hash(document)
    row = uow.achievements.by_key(issuer.id, key)
    if row is None:
        row = AchievementRow(issuer_id=issuer.id, key=key, current_version=1)
        uow.achievements.add(row)
        version = 1
        report.created.append(key)
    else:
        current = uow.achievements.current(row)
        if current.content_hash == digest:
            report.unchanged.append(key)
            return
        version = row.current_version + 1
        row.current_version = version
        report.new_versions.append(f"{key} v{version}")
    uow.achievements.add(
        AchievementVersionRow(
            achievement_id=row.id,
            version=version,
            type=kind,
            name=name,
            content_hash=digest,
            definition=document,
            # Quality review (story 09): with review required, a new version waits as a draft.
            status=ReviewStatus.DRAFT if issuer.review_required else ReviewStatus.PUBLISHED,
        )
    )


def _assessment(
    uow: UnitOfWork, issuer: IssuerRow, definition: dict[str, Any], report: LoadReport
) -> None:
    document = jsonable(definition)
    digest = content_hash(document)
    key = str(definition["id"])
    row = uow.assessments.by_key(issuer.id, key)
    if row is None:
        row = AssessmentRow(issuer_id=issuer.id, key=key, current_version=1)
        uow.assessments.add(row)
        version = 1
        report.created.append(f"assessment {key}")
    else:
        current = uow.assessments.current(row)
        if current is not None and current.content_hash == digest:
            report.unchanged.append(f"assessment {key}")
            return
        version = row.current_version + 1
        row.current_version = version
        report.new_versions.append(f"assessment {key} v{version}")
    uow.assessments.add(
        AssessmentVersionRow(
            assessment_id=row.id, version=version, content_hash=digest, definition=document
        )
    )
