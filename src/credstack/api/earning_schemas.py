"""What the earning-route endpoints take and send (kept apart from the tables)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from credstack.domain.records import Proctoring

__all__ = [
    "AssessmentStatisticsOut",
    "AttemptConditionsIn",
    "AttestationIn",
    "AwardMadeOut",
    "CourseCompletionIn",
    "EnrolmentIn",
    "EnrolmentOut",
    "ImportOut",
    "ImportedRowOut",
    "ItemLineOut",
    "QualityCheckOut",
    "QualityReportOut",
    "RecordedOut",
    "ResultIn",
    "ReviewIn",
    "ReviewPolicyIn",
    "ReviewStepOut",
]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AttemptConditionsIn(_In):
    """When and under what conditions the candidate made the attempt."""

    sat_at: datetime | None = Field(None, description="When; default now. Needs a time zone.")
    proctoring: Proctoring = Proctoring.NONE
    proctored_by: str | None = None
    identity_method: str | None = Field(None, description="e.g. government-id")
    identity_verified_by: str | None = None
    identity_verified_at: datetime | None = None


class ResultIn(_In):
    """Exactly one of `score` (a platform's total), `answers` (item id -> answer) or `rubric`
    (criterion -> score, by the calling reviewer or assessor)."""

    learner: str
    assessment: str
    score: float | None = None
    answers: dict[str, str | bool | list[str] | None] | None = None
    rubric: dict[str, int] | None = None
    conditions: AttemptConditionsIn = Field(
        AttemptConditionsIn(),
        # "sitting" was this field's name before issue 11 gave the concept one name.
        validation_alias=AliasChoices("conditions", "sitting"),
        description="When and how the attempt was made (also accepted as `sitting`).",
    )
    attempt_id: str | None = Field(None, description="The test platform's id (idempotent).")


class AwardMadeOut(BaseModel):
    achievement: str
    version: int
    award: str


class RecordedOut(BaseModel):
    record: str
    duplicate: bool
    passed: bool | None
    percent: float | None
    awarded: list[AwardMadeOut]
    not_awarded: dict[str, list[str]]


class ImportedRowOut(RecordedOut):
    row: int
    """The CSV row (the header is row 1)."""


class ImportOut(BaseModel):
    recorded: list[ImportedRowOut]
    skipped: list[int]
    problems: list[str]


class EnrolmentIn(_In):
    learner: str
    program: str
    enrolled_on: date | None = None


class EnrolmentOut(BaseModel):
    learner: str
    program: str
    enrolled_on: date


class AttestationIn(_In):
    learner: str
    program: str
    achievement: str = Field(description="The achievement (skill) attested to.")
    statement: str
    attested_on: date | None = None


class CourseCompletionIn(_In):
    learner: str
    provider: str
    course: str
    # Decimal (from a JSON number or a string) so 0.1 hours stays exactly 0.1; the service
    # checks the bounds and says what is wrong.
    hours: Decimal | str
    completed_on: date
    grade: str | None = None
    credits: Decimal | str | None = None
    external_id: str | None = None


class ReviewIn(_In):
    comment: str | None = None
    version: int | None = None


class ReviewPolicyIn(_In):
    required: bool


class ReviewStepOut(BaseModel):
    achievement: str
    version: int
    action: str
    from_status: str
    to_status: str
    comment: str | None
    by: str | None
    at: str


class QualityCheckOut(BaseModel):
    key: str
    title: str
    status: str
    detail: str


class ItemLineOut(BaseModel):
    item: str
    difficulty: float
    point_biserial: float | None


class AssessmentStatisticsOut(BaseModel):
    assessment: str
    version: int
    candidates: int
    reliability_method: str
    reliability: float | None
    sem: float | None
    mean: float
    sd: float
    pass_rate: float
    items: list[ItemLineOut]
    flags: list[str]
    note: str | None


class QualityReportOut(BaseModel):
    issuer: str
    achievement: str
    version: int
    status: str
    type: str
    name: str
    summary: str
    checks: list[QualityCheckOut]
    statistics: list[AssessmentStatisticsOut]
