"""What the verification API answers: the checks in plain words and what the credential means."""

from __future__ import annotations

from pydantic import BaseModel

__all__ = [
    "CheckOut",
    "GroupOut",
    "ShareLinkOut",
    "StackFindingOut",
    "SummaryOut",
    "VerificationOut",
]


class CheckOut(BaseModel):
    name: str
    passed: bool
    message: str


class SummaryOut(BaseModel):
    text: str
    achievement: str | None
    kind: str
    achievement_type: str | None
    issuer: str | None
    issuer_id: str | None
    subject: str
    competencies: list[str]
    route: str | None
    proctored: bool | None
    identity_verified: bool | None
    cut_score: str | None
    credits: float | None
    ce_hours: float | None
    valid_from: str | None
    valid_until: str | None
    counted_credentials: list[str]


class VerificationOut(BaseModel):
    verified: bool
    headline: str
    format: str
    credential_id: str | None
    checks: list[CheckOut]
    notes: list[str]
    summary: SummaryOut | None


class ShareLinkOut(BaseModel):
    url: str
    expires_on: str | None


class StackFindingOut(BaseModel):
    issuer: str
    achievement: str
    name: str
    met: bool
    progress: str
    counted: list[str]
    missing: list[str]
    text: str


class GroupOut(BaseModel):
    all_verified: bool
    credentials: list[VerificationOut]
    stacks: list[StackFindingOut]
    not_counted: list[str]
