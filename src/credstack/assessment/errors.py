"""Exceptions raised by assessment scoring and psychometrics.

Each carries a plain-words message meant to be shown to the person who supplied the input
(a reviewer entering rubric scores, an administrator uploading responses), so callers can
display `str(error)` without translating it.
"""

from __future__ import annotations

__all__ = ["AssessmentError", "ScoringError", "StatisticUndefinedError", "TooFewCandidatesError"]


class AssessmentError(ValueError):
    """Base class, so callers can catch every assessment problem in one place."""


class ScoringError(AssessmentError):
    """A response or a rubric score does not fit the assessment definition."""


class StatisticUndefinedError(AssessmentError):
    """The data cannot support the statistic (e.g. every candidate has the same total)."""


class TooFewCandidatesError(AssessmentError):
    """Item statistics were requested for a form that too few candidates have sat.

    Statistics from a handful of candidates swing wildly, and a quality reviewer would read
    them as facts; refusing makes the threshold explicit.
    """

    def __init__(self, candidates: int, minimum: int) -> None:
        self.candidates = candidates
        self.minimum = minimum
        super().__init__(
            f"item statistics need at least {minimum} candidates; "
            f"{candidates} {'has' if candidates == 1 else 'have'} sat this form"
        )
