"""Exports of a catalog file for other systems: CTDL JSON-LD, or an OB 3.0 Achievement list.

Both read the parsed catalog only (no database), so a catalog can be exported before it is
loaded, and they use the installation's base URL for identifiers: the achievements' ids here
are the same URLs (less the ``#vN`` version fragment) the issued credentials name.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Any

from credstack.catalog.ctdl import export_ctdl
from credstack.catalog.parse import parse_catalog
from credstack.domain.catalog import Achievement, Catalog, Framework
from credstack.errors import InvalidInput
from credstack.service.achievements import alignment_info
from credstack.vc.documents import achievement_document
from credstack.vc.model import AchievementInfo, AlignmentInfo, IssuerProfile
from credstack.vc.vocabulary import OB3_CONTEXT, VC2_CONTEXT

__all__ = ["ExportFormat", "export_catalog", "export_ob3", "export_parsed"]


class ExportFormat(StrEnum):
    CTDL = "ctdl"
    OB3 = "ob3"


def export_catalog(text: str, source: str, fmt: ExportFormat, *, base_url: str) -> dict[str, Any]:
    """Parse catalog text and export it; a catalog with problems is refused with all of them."""
    result = parse_catalog(text, source)
    if not result.ok or result.catalog is None:
        lines = "\n".join(str(p) for p in result.problems)
        raise InvalidInput(f"{source}: the catalog has problems; fix them first\n{lines}")
    return export_parsed(result.catalog, fmt, base_url=base_url)


def export_parsed(catalog: Catalog, fmt: ExportFormat, *, base_url: str) -> dict[str, Any]:
    """A catalog already decoded (from a file, or as an issuer publishes it) in `fmt`."""
    if fmt is ExportFormat.CTDL:
        return export_ctdl(catalog, base_url=base_url)
    return export_ob3(catalog, base_url=base_url)


def _alignments(catalog: Catalog, issuer_key: str, achievement: Achievement) -> list[AlignmentInfo]:
    """The alignments exactly as `issuance` writes them into credentials."""
    frameworks: dict[str, Framework] = {f.key: f for f in catalog.frameworks}
    found: list[AlignmentInfo] = []
    for ref in achievement.alignments:
        framework_key, _, competency_key = ref.partition("/")
        framework = frameworks.get(framework_key)
        competency = framework.competency(competency_key) if framework is not None else None
        if framework is None or competency is None:  # pragma: no cover - they resolve
            continue
        found.append(alignment_info(issuer_key, framework, competency))
    return found


def _float(amount: Decimal | None) -> float | None:
    return float(amount) if amount is not None else None


def export_ob3(catalog: Catalog, *, base_url: str) -> dict[str, Any]:
    """The catalog's achievements as OB 3.0 ``Achievement`` objects, one JSON-LD ``@graph``.

    Each is what a credential for it would embed as ``credentialSubject.achievement`` (with its
    issuer as ``creator``), so another system can list the offer before anything is issued.
    """
    if catalog.issuer is None:
        raise InvalidInput("the catalog has no `issuer:` section; an Achievement needs a creator")
    if not base_url.startswith(("https://", "http://")):
        raise InvalidInput(f"the base URL {base_url!r} must start with https:// or http://")
    base = base_url.rstrip("/")
    issuer = catalog.issuer
    creator = IssuerProfile(
        id=f"{base}/issuers/{issuer.key}", name=issuer.name, url=issuer.url, email=issuer.email
    )
    achievements = []
    for achievement in catalog.achievements:
        info = AchievementInfo(
            id=f"{base}/api/v1/issuers/{issuer.key}/achievements/{achievement.key}",
            name=achievement.name,
            description=achievement.description or achievement.name,
            criteria_narrative=achievement.criteria or achievement.description or achievement.name,
            criteria_url=f"{base}/issuers/{issuer.key}/achievements/{achievement.key}",
            kind=achievement.type,
            alignments=tuple(_alignments(catalog, issuer.key, achievement)),
            credits_available=_float(achievement.credits),
            ce_hours=_float(achievement.ce.hours if achievement.ce is not None else None),
            tags=achievement.tags,
            image=achievement.image,
            human_code=achievement.designation,
            creator=creator,
        )
        achievements.append(achievement_document(info))
    return {"@context": [VC2_CONTEXT, OB3_CONTEXT], "@graph": achievements}
