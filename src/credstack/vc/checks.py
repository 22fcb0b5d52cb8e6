"""The unit of a verification report.

Every step of verifying a credential produces one ``Check``; a person reads the
``message``, so it is a plain sentence rather than an error code.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Check"]


@dataclass(frozen=True)
class Check:
    """One verification step's outcome, worded for the person who asked."""

    name: str
    passed: bool
    message: str
