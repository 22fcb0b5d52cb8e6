"""The catalog as data for API clients: the issuers, an issuer's achievements, and one
achievement's definition with its versions. Public reads, each in its own read-only unit of
work; the pages' richer read models are `service.catalog_view`'s."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from credstack.limits import PAGE_ITEMS
from credstack.service.identity import issuer_identity
from credstack.service.lookup import issuer_achievement
from credstack.service.paging import Page, window
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


def issuer_listing(runtime: Runtime, *, page: int = 1) -> Page[IssuerListing]:
    """One page of the issuers on this server (by key, paged in SQL), each with the identifier
    its credentials are issued under."""
    base = runtime.settings.base_url
    with runtime.uow(write=False) as uow:
        offset, pager = window(uow.issuers.count(), page)
        return Page(
            tuple(
                IssuerListing(i.key, i.name, i.kind, i.url, issuer_identity(uow, base, i))
                for i in uow.issuers.window(offset, PAGE_ITEMS)
            ),
            pager,
        )


def achievement_summaries(
    runtime: Runtime, issuer: str, *, page: int = 1
) -> Page[AchievementSummary]:
    """One page of an issuer's achievements (by key, paged in SQL) with their current
    versions."""
    with runtime.uow(write=False) as uow:
        row = require_issuer(uow, issuer)
        offset, pager = window(uow.achievements.count(row.id), page)
        return Page(
            tuple(
                AchievementSummary(achievement.key, version.type, version.name, version.version)
                for achievement, version in uow.achievements.window(row.id, offset, PAGE_ITEMS)
            ),
            pager,
        )


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
