"""The catalog as data for API clients: the issuers, an issuer's achievements, and one
achievement's definition with its versions. Public reads, each in its own read-only unit of
work; the pages' richer read models are `service.catalog_view`'s."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from credstack.service.identity import issuer_identity
from credstack.service.lookup import issuer_achievement
from credstack.service.people import require_issuer
from credstack.service.runtime import Runtime

__all__ = [
    "AchievementDefinition",
    "AchievementSummary",
    "IssuerListing",
    "achievement_definition",
    "achievement_summaries",
    "issuer_listing",
]


@dataclass(frozen=True)
class IssuerListing:
    key: str
    name: str
    kind: str
    url: str | None
    did: str


@dataclass(frozen=True)
class AchievementSummary:
    key: str
    type: str
    name: str
    version: int
    """The current version's number."""


@dataclass(frozen=True)
class AchievementDefinition:
    key: str
    issuer: str
    type: str
    name: str
    version: int
    definition: dict[str, Any]
    """The current version's definition as loaded (canonical JSON)."""
    versions: tuple[int, ...]


def issuer_listing(runtime: Runtime) -> list[IssuerListing]:
    """Every issuer on this server, with the identifier its credentials are issued under."""
    base = runtime.settings.base_url
    with runtime.uow(write=False) as uow:
        return [
            IssuerListing(i.key, i.name, i.kind, i.url, issuer_identity(uow, base, i))
            for i in uow.issuers.all()
        ]


def achievement_summaries(runtime: Runtime, issuer: str) -> list[AchievementSummary]:
    with runtime.uow(write=False) as uow:
        row = require_issuer(uow, issuer)
        found = []
        for achievement in uow.achievements.all(row.id):
            version = uow.achievements.current(achievement)
            found.append(
                AchievementSummary(achievement.key, version.type, version.name, version.version)
            )
        return found


def achievement_definition(runtime: Runtime, issuer: str, key: str) -> AchievementDefinition:
    with runtime.uow(write=False) as uow:
        _issuer, found = issuer_achievement(uow, issuer, key)
        current = uow.achievements.current(found)
        return AchievementDefinition(
            key=found.key,
            issuer=issuer,
            type=current.type,
            name=current.name,
            version=current.version,
            definition=current.definition,
            versions=tuple(v.version for v in uow.achievements.versions(found.id)),
        )
