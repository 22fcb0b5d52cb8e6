"""Earning routes: results, attestations and course completions in; quality review out.

The edges call the use cases in `recording` (results, imports, enrolments, attestations, courses)
and `reviewing` (review steps, history, policy, quality report): each takes the runtime, the
`Actor` and plain keys, owns its one transaction and returns a frozen value. The uow-level
building blocks exported here take the same `Actor`, record what happened in the caller's unit
of work, and ask the stacking engine what that record now makes possible.
"""

from credstack.service.earning.attestations import ATTESTER_ROLE, attest, enrol, enrolled
from credstack.service.earning.courses import record_course_completion
from credstack.service.earning.csv_import import (
    ImportRejected,
    ImportReport,
    RowProblem,
    import_results,
)
from credstack.service.earning.quality import QualityCheck, QualityReport, quality_report
from credstack.service.earning.recorded import AwardMade, Recorded
from credstack.service.earning.results import (
    AttemptConditions,
    ItemResponses,
    ResultInput,
    RubricScores,
    TotalScore,
    record_result,
)
from credstack.service.earning.review import (
    ACTIONS,
    ReviewStep,
    history,
    is_issuable,
    issuable_version,
    review,
    set_review_required,
)

__all__ = [
    "ACTIONS",
    "ATTESTER_ROLE",
    "AttemptConditions",
    "AwardMade",
    "ImportRejected",
    "ImportReport",
    "ItemResponses",
    "QualityCheck",
    "QualityReport",
    "Recorded",
    "ResultInput",
    "ReviewStep",
    "RowProblem",
    "RubricScores",
    "TotalScore",
    "attest",
    "enrol",
    "enrolled",
    "history",
    "import_results",
    "is_issuable",
    "issuable_version",
    "quality_report",
    "record_course_completion",
    "record_result",
    "review",
    "set_review_required",
]
