"""What the API sends and takes: kept apart from the tables on purpose."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

__all__ = [
    "AchievementOut",
    "AchievementSummaryOut",
    "ErrorOut",
    "HealthOut",
    "IssuerOut",
    "LoadReportOut",
]


class ErrorOut(BaseModel):
    error: str
    detail: list[str] = []


class HealthOut(BaseModel):
    status: str
    version: str
    database: str
    schema_revision: str | None


class IssuerOut(BaseModel):
    id: str
    name: str
    kind: str
    url: str | None
    did: str


class AchievementSummaryOut(BaseModel):
    id: str
    type: str
    name: str
    version: int


class AchievementOut(AchievementSummaryOut):
    issuer: str
    definition: dict[str, Any]
    versions: list[int]


class LoadReportOut(BaseModel):
    issuer: str
    created: list[str]
    new_versions: list[str]
    unchanged: list[str]
    other_changes: list[str]
