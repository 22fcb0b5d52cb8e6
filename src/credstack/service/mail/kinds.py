"""The kinds of message owed, as stored in the outbox: apart from their rendering, so the
services that queue them import nothing of how they are written."""

from __future__ import annotations

__all__ = [
    "AWARDED",
    "CE_REMINDER",
    "EMAIL_CHANGE",
    "EMAIL_CHANGED",
    "EXPIRED",
    "REINSTATED",
    "REVOKED",
    "SIGNIN_LINK",
    "SUSPENDED",
]

AWARDED = "award.issued"
REVOKED = "award.revoked"
EXPIRED = "award.expired"
SUSPENDED = "award.suspended"
REINSTATED = "award.reinstated"
SIGNIN_LINK = "signin.link"
EMAIL_CHANGE = "learner.email_change"
EMAIL_CHANGED = "learner.email_changed"
CE_REMINDER = "ce.reminder"
