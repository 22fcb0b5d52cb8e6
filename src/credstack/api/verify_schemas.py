"""What the verification API answers: the checks in plain words and what the credential means."""

from __future__ import annotations

from pydantic import BaseModel, Field

__all__ = [
    "CheckOut",
    "GroupOut",
    "RecipientOut",
    "RecognitionOut",
    "ShareLinkOut",
    "StackFindingOut",
    "SummaryOut",
    "VerificationOut",
]


class CheckOut(BaseModel):
    name: str
    passed: bool
    message: str


class RecognitionOut(BaseModel):
    """Who signed, as this verifier recognises them; apart from the cryptographic checks."""

    status: str
    signer: str | None
    name: str | None
    claimed_name: str | None
    source: str | None
    impersonated: str | None
    message: str


class RecipientOut(BaseModel):
    email: str
    matches: bool | None
    message: str


class SummaryOut(BaseModel):
    verified: bool
    label: str
    text: str
    achievement: str | None
    kind: str
    achievement_type: str | None
    issuer: str | None
    issuer_id: str | None
    issuer_claimed_name: str | None
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
    revocation_reason: str | None
    recognised: bool
    recognition: RecognitionOut | None
    recipient: RecipientOut | None
    holder_unconfirmed: bool = Field(
        description="An e-mail address was given and the credential was not shown to be "
        "issued to its holder (the answer was no, or could not be given)."
    )
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
    holder: str | None
