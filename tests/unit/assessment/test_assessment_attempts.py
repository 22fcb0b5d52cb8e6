"""check_attempt: may the candidate sit now, and if not, why and when."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from credstack.assessment import AssessmentError, AttemptsPolicy, PriorAttempt, check_attempt

POLICY = AttemptsPolicy(max_attempts=3, wait=timedelta(days=14))
T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def test_first_attempt_is_allowed() -> None:
    decision = check_attempt(POLICY, [], T0)
    assert decision.allowed
    assert (decision.attempts_used, decision.attempts_remaining) == (0, 3)
    assert decision.reason is None
    assert decision.next_allowed_at is None


def test_waiting_period_says_when() -> None:
    decision = check_attempt(POLICY, [PriorAttempt(T0, passed=False)], T0 + timedelta(days=3))
    assert not decision.allowed
    assert decision.next_allowed_at == T0 + timedelta(days=14)
    assert decision.reason == (
        "the waiting period of 14 days after the attempt on 2026-03-02 has not passed; "
        "next attempt from 2026-03-16T09:30:00+00:00"
    )
    assert decision.attempts_remaining == 2


def test_allowed_once_the_wait_is_over_to_the_second() -> None:
    earlier = [PriorAttempt(T0, passed=False)]
    assert check_attempt(POLICY, earlier, T0 + timedelta(days=14)).allowed
    assert not check_attempt(POLICY, earlier, T0 + timedelta(days=14, seconds=-1)).allowed


def test_wait_counts_from_the_latest_attempt_whatever_the_order() -> None:
    earlier = [
        PriorAttempt(T0 + timedelta(days=20), passed=False),
        PriorAttempt(T0, passed=False),
    ]
    decision = check_attempt(POLICY, earlier, T0 + timedelta(days=25))
    assert decision.next_allowed_at == T0 + timedelta(days=34)


def test_attempts_exhausted() -> None:
    earlier = [PriorAttempt(T0 + timedelta(days=30 * i), passed=False) for i in range(3)]
    decision = check_attempt(POLICY, earlier, T0 + timedelta(days=365))
    assert not decision.allowed
    assert decision.reason == "all 3 permitted attempts have been used"
    assert decision.next_allowed_at is None
    assert decision.attempts_remaining == 0


def test_no_retake_after_a_pass_unless_allowed() -> None:
    earlier = [PriorAttempt(T0, passed=True)]
    later = T0 + timedelta(days=60)
    decision = check_attempt(POLICY, earlier, later)
    assert not decision.allowed
    assert decision.reason is not None
    assert "already passed" in decision.reason
    retakes = AttemptsPolicy(max_attempts=3, wait=timedelta(days=14), retake_after_pass=True)
    assert check_attempt(retakes, earlier, later).allowed


def test_unlimited_attempts_with_hours_wait() -> None:
    policy = AttemptsPolicy(wait=timedelta(hours=36))
    earlier = [PriorAttempt(T0 + timedelta(days=i), passed=False) for i in range(10)]
    decision = check_attempt(policy, earlier, T0 + timedelta(days=10))
    assert not decision.allowed
    assert decision.attempts_remaining is None
    assert decision.reason is not None
    assert "36 hours" in decision.reason
    assert check_attempt(policy, earlier, T0 + timedelta(days=10, hours=12)).allowed


def test_attempt_dated_in_the_future_is_refused() -> None:
    with pytest.raises(AssessmentError, match="dated 2026-03-03T09:30:00"):
        check_attempt(POLICY, [PriorAttempt(T0 + timedelta(days=1), passed=False)], T0)


def test_mixing_naive_and_aware_times_is_refused() -> None:
    naive = datetime(2026, 3, 1, 9, 0)  # noqa: DTZ001 - the naive value the check refuses
    with pytest.raises(AssessmentError, match="timezone"):
        check_attempt(POLICY, [PriorAttempt(naive, passed=False)], T0)
