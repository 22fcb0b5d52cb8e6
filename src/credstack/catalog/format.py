"""The catalog file format, version 1, as a schema.

Pydantic checks the shape (keys, types, required fields) and reports each error with the path
inside the document; meaning (references, cycles, taxonomy rules) is checked afterwards in
`checks`. Unknown keys are errors so that a misspelt key is never silently ignored.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from credstack.domain.calendar import zone
from credstack.domain.parsing import MAX_AMOUNT
from credstack.domain.taxonomy import AchievementType

__all__ = [
    "FORMAT",
    "AchievementSpec",
    "CatalogSpec",
    "CeSpec",
    "CompetencySpec",
    "FrameworkSpec",
    "IssuerSpec",
    "MaintenanceSpec",
    "PartnerSpec",
    "WebUrl",
    "is_web_url",
]

FORMAT = "credstack-catalog/1"

Key = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=120)


def _web_url(value: str) -> str:
    """Catalog URLs end up as links on public pages and in credentials: http(s) only, so a
    `javascript:` or `data:` URL can never become a clickable script."""
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{value[:80]!r} is not an http(s) URL; write https://…")
    if any(c.isspace() or not c.isprintable() for c in value):
        raise ValueError("a URL may not contain spaces or control characters")
    return value


def is_web_url(value: object) -> bool:
    try:
        return isinstance(value, str) and _web_url(value) == value
    except ValueError:
        return False


WebUrl = Annotated[str, Field(max_length=2000), AfterValidator(_web_url)]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


class IssuerSpec(_Spec):
    id: str = Key
    name: str
    kind: Literal[
        "certification-body",
        "university",
        "employer",
        "training-provider",
        "association",
        "specialty-board",
        "other",
    ] = "other"
    url: WebUrl | None = None
    email: str | None = None
    timezone: str = Field("UTC", max_length=64)
    """IANA zone the issuer's calendar days are counted in (docs/requirements.md, dates)."""

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        zone(value)
        return value


class PartnerSpec(_Spec):
    id: str = Key
    name: str
    url: WebUrl | None = None


class CompetencySpec(_Spec):
    id: str = Key
    name: str
    description: str = ""
    code: str | None = None


class FrameworkSpec(_Spec):
    id: str = Key
    name: str
    url: WebUrl | None = None
    version: str | None = None
    competencies: list[CompetencySpec] = Field(min_length=1)


class CeSpec(_Spec):
    hours: Decimal = Field(gt=0, le=MAX_AMOUNT, decimal_places=2, allow_inf_nan=False)
    category: str = Key


class MaintenanceSpec(_Spec):
    cycle: str
    requirements: Any
    reminder_days: int = Field(default=180, gt=0)


class AchievementSpec(_Spec):
    id: str = Key
    type: AchievementType
    name: str = Field(min_length=1)
    description: str = ""
    criteria: str = ""
    alignments: list[str] = []
    credits: Decimal | None = Field(
        default=None, ge=0, le=MAX_AMOUNT, decimal_places=2, allow_inf_nan=False
    )
    ce: CeSpec | None = None
    designation: str | None = None
    validity: str | None = None
    image: WebUrl | None = None
    tags: list[str] = []
    requirements: Any = None
    maintenance: MaintenanceSpec | None = None

    @field_validator("type", mode="before")
    @classmethod
    def _known_type(cls, value: object) -> object:
        allowed = ", ".join(t.value for t in AchievementType)
        if not isinstance(value, str) or value not in {t.value for t in AchievementType}:
            raise ValueError(f"unknown credential type {value!r}; use one of: {allowed}")
        return value


class CatalogSpec(_Spec):
    format: Literal["credstack-catalog/1"]
    issuer: IssuerSpec | None = None
    partners: list[PartnerSpec] = []
    frameworks: list[FrameworkSpec] = []
    achievements: list[AchievementSpec] = Field(min_length=1)
    assessments: list[dict[str, Any]] = []
