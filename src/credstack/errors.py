"""Errors a person can act on.

Every failure that reaches a user (CLI, API, page) is a `CredstackError` with a plain message;
anything else is a bug and is reported as one, never as a traceback to the user.
"""

from __future__ import annotations

__all__ = [
    "Conflict",
    "CredstackError",
    "Forbidden",
    "Gone",
    "InvalidInput",
    "NotFound",
    "Overloaded",
    "TooLarge",
    "Unauthenticated",
]


class CredstackError(Exception):
    """Base of the errors whose message is meant for the person who caused them."""

    http_status = 400
    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(CredstackError):
    http_status = 422


class NotFound(CredstackError):
    http_status = 404


class Conflict(CredstackError):
    http_status = 409


class Unauthenticated(CredstackError):
    """No credentials, or ones that are unknown, expired or revoked (where the protocol tells
    this apart from `Forbidden`, as OAuth 2.0 bearer tokens do)."""

    http_status = 401


class Forbidden(CredstackError):
    http_status = 403


class Gone(CredstackError):
    """It existed and is over for good (a used or expired one-time link): ask for a new one."""

    http_status = 410


class TooLarge(CredstackError):
    """Input past a size bound (bytes, pages, count): refused before any work on it."""

    http_status = 413


class Overloaded(CredstackError):
    """The work did not finish within its time budget; trying later or with less may help."""

    http_status = 503
