"""The unit of a verification report.

Every step of verifying a credential produces one ``Check``; a person reads the
``message``, so it is a plain sentence rather than an error code. What a program decides on
(a status check's finding) is a field of its own, so no caller parses the wording.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["Check", "StatusFound"]


class StatusFound(StrEnum):
    """What a failed status check found: the issuer's answer. A failed status check without
    one is a question left unanswered (a list that could not be had or read)."""

    REVOKED = "revoked"
    SUSPENDED = "suspended"


@dataclass(frozen=True)
class Check:
    """One verification step's outcome, worded for the person who asked."""

    name: str
    passed: bool
    message: str
    found: StatusFound | None = None
