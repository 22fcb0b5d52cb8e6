"""A suspended award stops counting toward stacks, and its dependants are flagged; reinstating
it lets it count again and clears the flags its suspension alone raised (story 02's board)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from credstack.service import lifecycle
from credstack.service.keys import KeyStore
from credstack.store.models import AwardRow
from credstack.store.secrets import MasterKey
from credstack.store.uow import UnitOfWorkFactory
from tests.stories.driver import BASE, Story

STACK = {
    "gcp-essentials": "gcp-exam",
    "informed-consent": "consent-exam",
    "adverse-event-reporting": "ae-exam",
    "study-close-out": "close-out-exam",
}
DAYS = [date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16), date(2026, 3, 23)]


@pytest.fixture
def story(units: UnitOfWorkFactory, master_key: MasterKey) -> Iterator[Story]:
    with units() as uow:
        story = Story(uow, KeyStore(uow, master_key, BASE))
        story.load("clinical-research-board.yaml")
        yield story


def _pass(story: Story, exam: str, on: date) -> int:
    """A proctored, identity-checked pass; how many awards it made."""
    done = story.sit(
        "ben", "ccrb", exam, 80, on, proctoring="in_person", identity="government ID check"
    )
    return len(done.awarded)


def _held(story: Story, achievement: str, on: date) -> AwardRow:
    award = story.holds("ben", "ccrb", achievement, on)
    assert award is not None
    return award


def _events(story: Story, award: AwardRow) -> list[str]:
    return [e.kind for e in story.uow.records.events(award.id)]


def test_a_suspended_award_does_not_count_until_it_is_reinstated(story: Story) -> None:
    exams = list(STACK.values())
    for exam, day in zip(exams[:3], DAYS[:3], strict=True):
        _pass(story, exam, day)
    consent = _held(story, "informed-consent", DAYS[2])
    lifecycle.suspend_award(story.uow, consent, reason="proctor under review", on=DAYS[2])

    # The fourth pass completes the stack on paper, but a suspended award is not evidence.
    assert _pass(story, exams[3], DAYS[3]) == 1
    assert story.holds("ben", "ccrb", "study-close-out", DAYS[3]) is not None
    assert story.holds("ben", "ccrb", "ccrp", DAYS[3]) is None
    outcome = story.progress("ben", "ccrb", "ccrp", DAYS[3])
    assert not outcome.met
    assert any("is suspended" in why for why in outcome.why_not()), outcome.why_not()

    lifecycle.reinstate_award(story.uow, consent, reason="proctor cleared", on=DAYS[3])
    assert story.progress("ben", "ccrb", "ccrp", DAYS[3]).met


def test_reinstating_clears_only_the_flags_its_suspension_alone_raised(story: Story) -> None:
    for exam, day in zip(STACK.values(), DAYS, strict=True):
        _pass(story, exam, day)
    ccrp = _held(story, "ccrp", DAYS[3])
    consent = _held(story, "informed-consent", DAYS[3])
    gcp = _held(story, "gcp-essentials", DAYS[3])
    on = date(2026, 5, 1)

    assert lifecycle.suspend_award(story.uow, consent, reason="under review", on=on) == [ccrp]
    assert ccrp.review_flag is not None and "was suspended on 2026-05-01" in ccrp.review_flag
    assert lifecycle.reinstate_award(story.uow, consent, reason="cleared", on=on) == [ccrp]
    assert ccrp.review_flag is None and ccrp.flagged_at is None
    assert _events(story, ccrp)[-2:] == ["flagged", "restored"]

    # Flagged for the suspension and then for a revocation: the issuer still decides.
    lifecycle.suspend_award(story.uow, consent, reason="under review again", on=on)
    lifecycle.revoke_award(story.uow, gcp, reason="exam sat by proxy", on=on)
    assert lifecycle.reinstate_award(story.uow, consent, reason="cleared again", on=on) == []
    assert ccrp.review_flag is not None and "was revoked" in ccrp.review_flag
