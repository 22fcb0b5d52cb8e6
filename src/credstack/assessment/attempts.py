"""May this candidate sit the assessment now? The retake rules applied to earlier attempts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from credstack.assessment.definitions import AttemptsPolicy
from credstack.assessment.errors import AssessmentError

__all__ = ["AttemptDecision", "PriorAttempt", "check_attempt"]


@dataclass(frozen=True)
class PriorAttempt:
    taken_at: datetime
    passed: bool


@dataclass(frozen=True)
class AttemptDecision:
    allowed: bool
    attempts_used: int
    attempts_remaining: int | None  # None: no limit
    reason: str | None = None
    # When the candidate may sit next; None when allowed now or never again.
    next_allowed_at: datetime | None = None


def check_attempt(
    policy: AttemptsPolicy, earlier: Sequence[PriorAttempt], now: datetime
) -> AttemptDecision:
    """Decide from the policy and the candidate's earlier attempts at this assessment.

    Attempts dated after `now` are refused as input: they mean clocks or records disagree,
    and quietly ignoring them could grant an extra attempt.
    """
    try:
        future = [attempt for attempt in earlier if attempt.taken_at > now]
    except TypeError as error:  # naive and timezone-aware datetimes mixed
        raise AssessmentError(
            "attempt times and the current time must all carry a timezone, or all not"
        ) from error
    if future:
        raise AssessmentError(
            f"an earlier attempt is dated {future[0].taken_at.isoformat()}, after {now.isoformat()}"
        )
    used = len(earlier)
    remaining = None if policy.max_attempts is None else max(policy.max_attempts - used, 0)
    if not policy.retake_after_pass and any(attempt.passed for attempt in earlier):
        return AttemptDecision(
            allowed=False,
            attempts_used=used,
            attempts_remaining=remaining,
            reason="already passed; this assessment cannot be retaken after a pass",
        )
    if remaining == 0:
        return AttemptDecision(
            allowed=False,
            attempts_used=used,
            attempts_remaining=0,
            reason=f"all {policy.max_attempts} permitted attempts have been used",
        )
    if earlier:
        last = max(attempt.taken_at for attempt in earlier)
        next_at = last + policy.wait
        if now < next_at:
            return AttemptDecision(
                allowed=False,
                attempts_used=used,
                attempts_remaining=remaining,
                reason=(
                    f"the waiting period of {_describe(policy)} after the attempt on "
                    f"{last.date().isoformat()} has not passed; next attempt from "
                    f"{next_at.isoformat()}"
                ),
                next_allowed_at=next_at,
            )
    return AttemptDecision(allowed=True, attempts_used=used, attempts_remaining=remaining)


def _describe(policy: AttemptsPolicy) -> str:
    wait = policy.wait
    if wait.seconds == 0 and wait.days:
        return f"{wait.days} day{'s' if wait.days != 1 else ''}"
    hours = wait.total_seconds() / 3600
    return f"{hours:g} hours"
