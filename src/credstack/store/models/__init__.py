"""Tables. Only migrations change the schema; a test checks these models agree with them.

Rows are named `...Row` so they are never confused with the domain values of the same concept.
"""

from credstack.store.models.audit import AuditEventRow
from credstack.store.models.awards import AwardRow
from credstack.store.models.base import Base
from credstack.store.models.catalog import (
    AchievementRow,
    AchievementVersionRow,
    AssessmentRow,
    AssessmentVersionRow,
    CatalogLoadRow,
    CompetencyRow,
    FrameworkRow,
    PartnerRow,
)
from credstack.store.models.email_changes import EmailChangeRow
from credstack.store.models.enrolments import EnrolmentRow
from credstack.store.models.holders import HolderChallengeRow, HolderDidRow
from credstack.store.models.idempotency import IdempotentRequestRow
from credstack.store.models.imports import ImportedCredentialRow
from credstack.store.models.jobs import JobFailureRow, JobItemRow, JobRow, StatusReservationRow
from credstack.store.models.learners import LearnerRow
from credstack.store.models.lifecycle import (
    AwardEventRow,
    CeCountRow,
    CeCycleRow,
    FreeStatusIndexRow,
    ReviewEventRow,
    StatusListRow,
)
from credstack.store.models.mail import OutboxMessageRow
from credstack.store.models.marks import AnalyticsChangeRow
from credstack.store.models.oauth import OAuthClientRow, OAuthCodeRow, OAuthTokenRow
from credstack.store.models.records import (
    AssessmentAttemptRow,
    AttestationRow,
    CourseCompletionRow,
)
from credstack.store.models.sharing import ShareLinkAwardRow, ShareLinkRow
from credstack.store.models.signin import SigninLinkRow
from credstack.store.models.tenancy import (
    ApiTokenRow,
    IssuerRow,
    MembershipRow,
    SessionRow,
    SigningKeyRow,
    UserRow,
)
from credstack.store.models.webhooks import WebhookAttemptRow, WebhookEndpointRow

__all__ = [
    "AchievementRow",
    "AchievementVersionRow",
    "AnalyticsChangeRow",
    "ApiTokenRow",
    "AssessmentAttemptRow",
    "AssessmentRow",
    "AssessmentVersionRow",
    "AttestationRow",
    "AuditEventRow",
    "AwardEventRow",
    "AwardRow",
    "Base",
    "CatalogLoadRow",
    "CeCountRow",
    "CeCycleRow",
    "CompetencyRow",
    "CourseCompletionRow",
    "EmailChangeRow",
    "EnrolmentRow",
    "FrameworkRow",
    "FreeStatusIndexRow",
    "HolderChallengeRow",
    "HolderDidRow",
    "IdempotentRequestRow",
    "ImportedCredentialRow",
    "IssuerRow",
    "JobFailureRow",
    "JobItemRow",
    "JobRow",
    "LearnerRow",
    "MembershipRow",
    "OAuthClientRow",
    "OAuthCodeRow",
    "OAuthTokenRow",
    "OutboxMessageRow",
    "PartnerRow",
    "ReviewEventRow",
    "SessionRow",
    "ShareLinkAwardRow",
    "ShareLinkRow",
    "SigninLinkRow",
    "SigningKeyRow",
    "StatusListRow",
    "StatusReservationRow",
    "UserRow",
    "WebhookAttemptRow",
    "WebhookEndpointRow",
]
