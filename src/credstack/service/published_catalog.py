"""An issuer's catalog as this installation publishes it, exported for other systems.

`catalog export FILE` exports a file before it is loaded; this exports what is live: the
newest published version of each achievement (the one credentials are issued under; a version
in review is not offered yet), the issuer's frameworks and its current assessments, under the
installation's own base URL. A public read, like the catalog listing: only published
definitions leave, never who holds them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from credstack.domain.catalog import (
    Achievement,
    Catalog,
    Competency,
    Framework,
    IssuerProfile,
    Partner,
)
from credstack.service.achievements import achievement_of
from credstack.service.catalog_export import ExportFormat, export_parsed
from credstack.service.people import require_issuer
from credstack.service.runtime import Runtime
from credstack.store.models import AssessmentRow
from credstack.store.uow import UnitOfWork

__all__ = ["export_published"]

_FORMAT_VERSION = 1


def _published(uow: UnitOfWork, issuer_key: str) -> Catalog:
    issuer = require_issuer(uow, issuer_key)
    frameworks = tuple(
        Framework(
            key=f.key,
            name=f.name,
            url=f.url,
            version=f.version,
            competencies=tuple(
                Competency(c.key, c.name, c.description, c.code)
                for c in uow.issuers.competencies(f.id)
            ),
        )
        for f in uow.issuers.frameworks(issuer.id)
    )
    achievements: list[Achievement] = []
    for row in uow.achievements.all(issuer.id):
        version = uow.achievements.issuable(row)
        if version is not None:
            achievements.append(achievement_of(uow, version))
    assessments: list[dict[str, Any]] = []
    for assessment in uow.session.scalars(
        select(AssessmentRow)
        .where(AssessmentRow.issuer_id == issuer.id)
        .order_by(AssessmentRow.key)
    ):
        current = uow.assessments.current(assessment)
        if current is not None:
            assessments.append(dict(current.definition))
    return Catalog(
        format_version=_FORMAT_VERSION,
        issuer=IssuerProfile(
            key=issuer.key,
            name=issuer.name,
            kind=issuer.kind,
            url=issuer.url,
            email=issuer.email,
            timezone=issuer.timezone,
        ),
        partners=tuple(Partner(p.key, p.name, p.url) for p in uow.issuers.partners(issuer.id)),
        frameworks=frameworks,
        achievements=tuple(achievements),
        assessments=tuple(assessments),
    )


def export_published(runtime: Runtime, issuer_key: str, fmt: ExportFormat) -> dict[str, Any]:
    """The issuer's published catalog as CTDL JSON-LD or OB 3.0 Achievements; an unknown
    issuer is `NotFound`."""
    with runtime.uow(write=False) as uow:
        catalog = _published(uow, issuer_key)
    return export_parsed(catalog, fmt, base_url=runtime.settings.base_url)
