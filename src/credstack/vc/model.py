"""The plain values an Open Badges document is built from.

Callers (the service layer) translate their own records into these frozen dataclasses;
``documents`` and ``clr`` turn them into JSON-LD. Keeping JSON-LD terms out of the values
means the rest of credstack never handles dicts keyed by vocabulary terms.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from credstack.domain.taxonomy import AchievementType

__all__ = [
    "AchievementInfo",
    "AlignmentInfo",
    "AwardInfo",
    "CountedRecord",
    "DocumentedEvidence",
    "EarningRoute",
    "IssuerProfile",
    "ResultInfo",
    "ResultSpec",
    "RouteKind",
    "StatusEntryInfo",
    "SubjectIdentity",
]


@dataclass(frozen=True)
class IssuerProfile:
    id: str
    name: str
    url: str | None = None
    email: str | None = None
    description: str | None = None
    image: str | None = None


@dataclass(frozen=True)
class AlignmentInfo:
    """A competency the achievement is aligned to (OB 3.0 ``Alignment``)."""

    target_name: str
    target_url: str
    target_framework: str | None = None
    target_code: str | None = None
    target_type: str | None = None
    target_description: str | None = None


@dataclass(frozen=True)
class ResultSpec:
    """What a result means (OB 3.0 ``ResultDescription``), e.g. a score with its cut score."""

    id: str
    name: str
    result_type: str
    required_value: str | None = None
    value_min: str | None = None
    value_max: str | None = None
    allowed_values: tuple[str, ...] = ()


@dataclass(frozen=True)
class AchievementInfo:
    id: str
    name: str
    description: str
    criteria_narrative: str
    kind: AchievementType
    criteria_url: str | None = None
    alignments: tuple[AlignmentInfo, ...] = ()
    result_descriptions: tuple[ResultSpec, ...] = ()
    credits_available: float | None = None
    ce_hours: float | None = None
    tags: tuple[str, ...] = ()
    image: str | None = None
    human_code: str | None = None
    field_of_study: str | None = None
    creator: IssuerProfile | None = None


RouteKind = Literal["assessment", "attestation", "course"]


@dataclass(frozen=True)
class EarningRoute:
    """How the learner earned the award, and how rigorous that route was (story 07).

    It is written into the signed credential as an ``Evidence`` entry so that a verifier
    can tell a proctored, identity-verified exam from a self-paced quiz.
    """

    kind: RouteKind
    proctored: bool = False
    identity_verified: bool = False
    cut_score: str | None = None
    assessment_name: str | None = None
    attester_name: str | None = None
    attested_at: datetime | None = None
    attestation_statement: str | None = None
    course_name: str | None = None
    evidence_url: str | None = None


@dataclass(frozen=True)
class CountedRecord:
    """An earlier credential counted toward a stacked award; it becomes an ``Evidence`` entry."""

    credential_id: str
    achievement_name: str
    awarded_on: datetime | None = None


@dataclass(frozen=True)
class DocumentedEvidence:
    """Evidence the issuer documented for the award (a URL to it, what it shows, or both); it
    becomes an OB 3.0 ``Evidence`` entry. The caller bounds both and allows only http(s)."""

    url: str | None = None
    narrative: str | None = None


@dataclass(frozen=True)
class ResultInfo:
    """A learner's result against a ``ResultSpec`` (OB 3.0 ``Result``)."""

    result_description_id: str
    value: str | None = None
    status: str | None = None


@dataclass(frozen=True)
class SubjectIdentity:
    """Who the award is for: a DID, a salted hash of an email address (never the address), or
    both (a learner who bound a DID: the DID is ``credentialSubject.id``, and the hash stays so
    that "was this issued to this address?" can still be answered).

    ``name_hash`` is the salted hash of the learner's name (``vc.names.hash_name``, same salt),
    so that a printed certificate's name can be checked without the credential publishing it.
    """

    did: str | None = None
    email_hash: str | None = None
    salt: str | None = None
    name_hash: str | None = None

    def __post_init__(self) -> None:
        if self.did is None and self.email_hash is None:
            raise ValueError("A subject is identified by a DID, an email hash, or both.")
        if self.email_hash is not None and not self.email_hash.startswith("sha256$"):
            raise ValueError("An email hash must be written as 'sha256$<hex digest>'.")
        if self.name_hash is not None and not self.name_hash.startswith("sha256$"):
            raise ValueError("A name hash must be written as 'sha256$<hex digest>'.")


@dataclass(frozen=True)
class StatusEntryInfo:
    """Where this credential's bit lives in a Bitstring Status List."""

    list_credential_url: str
    index: int
    purpose: Literal["revocation", "suspension"] = "revocation"


@dataclass(frozen=True)
class AwardInfo:
    id: str
    issuer: IssuerProfile
    achievement: AchievementInfo
    subject: SubjectIdentity
    valid_from: datetime
    valid_until: datetime | None = None
    awarded_on: datetime | None = None
    name: str | None = None
    route: EarningRoute | None = None
    results: tuple[ResultInfo, ...] = ()
    credits_earned: float | None = None
    counted_records: tuple[CountedRecord, ...] = ()
    documented_evidence: tuple[DocumentedEvidence, ...] = ()
    status: StatusEntryInfo | None = None
    schema_ids: tuple[str, ...] = field(default=())
