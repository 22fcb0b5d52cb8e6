"""CE reminder e-mails through the outbox and a real SMTP server, on SQLite and PostgreSQL:
each configured threshold once per cycle, with the hours short by category."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import select

from credstack.config import Settings, Smtp
from credstack.service import renewals
from credstack.service.actor import Actor
from credstack.service.caches import Caches
from credstack.service.keys import KeyStore
from credstack.service.learners import set_profile
from credstack.service.mail.kinds import CE_REMINDER
from credstack.service.mail.sender import MailSender
from credstack.service.runtime import Runtime
from credstack.store.models import OutboxMessageRow
from credstack.store.secrets import MasterKey
from credstack.store.uow import UnitOfWorkFactory
from tests.conftest import MigratedDatabases
from tests.integration.mail.conftest import MailServer
from tests.stories.driver import BASE as STORY_BASE
from tests.stories.driver import Story

BASE = "https://badges.example.org"
CYCLE_START = date(2024, 1, 15)  # the cycle runs to 2027-01-14
OPERATOR = Actor.operator()


@pytest.fixture
def runtime(
    units: UnitOfWorkFactory,
    migrated: MigratedDatabases,
    backend: str,
    master_key: MasterKey,
    mail_server: MailServer,
    tmp_path: Path,
) -> Runtime:
    settings = Settings(
        tmp_path,
        "unused://",
        BASE,
        smtp=Smtp("127.0.0.1", mail_server.port, "plain"),
        mail_from="credentials@badges.example.org",
    )
    return Runtime(settings, migrated.engine(backend), units, master_key, Caches())


@pytest.fixture
def story(units: UnitOfWorkFactory, master_key: MasterKey) -> Iterator[Story]:
    """Ben holds CCRP with 6 ethics hours; Dana holds it and is already compliant."""
    with units() as uow:
        story = Story(uow, KeyStore(uow, master_key, STORY_BASE))
        story.load("clinical-research-board.yaml")
        for who in ("ben", "dana"):
            set_profile(uow, story.learner(who), name=who.title(), email=f"{who}@example.org")
            story.award(who, "ccrb", "ccrp", CYCLE_START)
        story.award("ben", "ccrb", "research-ethics-refresher", date(2024, 5, 2))
        for quiz in ("ethics-quiz", "pv-quiz", "ecrf-quiz", "dct-quiz", "rbm-quiz"):
            story.sit("dana", "ccrb", quiz, 90, date(2025, 3, 1))
        uow.commit()
        yield story


def _queue(runtime: Runtime, on: date) -> list[renewals.QueuedReminder]:
    return renewals.queue_reminders(runtime, OPERATOR, issuer="ccrb", as_of=on)


def _text(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert isinstance(part, EmailMessage)
    return str(part.get_content())


def test_each_threshold_is_sent_once_per_cycle_with_the_hours_short(
    story: Story, runtime: Runtime, mail_server: MailServer
) -> None:
    assert runtime.settings.ce_reminder_days == (90, 30, 7)
    assert _queue(runtime, date(2026, 10, 1)) == []  # 105 days left: no threshold reached
    [first] = _queue(runtime, date(2026, 10, 20))  # 86 days left: the 90-day reminder
    assert (first.learner, first.achievement, first.threshold) == ("ben", "ccrp", 90)
    assert (first.days_left, first.hours_needed) == (86, 24)
    assert _queue(runtime, date(2026, 10, 20)) == []  # the same day again: nothing new
    assert _queue(runtime, date(2026, 11, 30)) == []  # 45 days left: still the 90-day one
    assert not MailSender(runtime.units, runtime.settings).deliver_due().any_failed
    [message] = [m for m in mail_server.inbox.messages if "CE due" in m["Subject"]]
    assert message["To"] == "ben@example.org"
    text = _text(message)
    assert "ends on 2027-01-14 (86 days left)" in text
    assert "clinical: 10 hours short" in text and "ethics" not in text.split("By category")[1]
    assert "In all: 24 hours short." in text
    assert f"{BASE}/learners/{story.learner('ben').public_id}" in text

    # Ben is first looked at again 25 days before the end: the 30-day reminder, not the 90.
    [second] = _queue(runtime, date(2026, 12, 20))
    assert (second.threshold, second.days_left) == (30, 25)
    assert [q.threshold for q in _queue(runtime, date(2027, 1, 10))] == [7]
    assert _queue(runtime, date(2027, 1, 14)) == []
    assert _queue(runtime, date(2027, 1, 15)) == []  # the cycle is over: closing decides now
    keys = story.uow.session.scalars(
        select(OutboxMessageRow.dedupe_key).where(OutboxMessageRow.kind == CE_REMINDER)
    ).all()
    assert len(keys) == len(set(keys)) == 3


def test_a_compliant_or_addressless_certificant_gets_no_reminder(
    story: Story, runtime: Runtime
) -> None:
    set_profile(story.uow, story.learner("ben"), name="Ben", email=None)
    story.uow.commit()
    assert _queue(runtime, date(2026, 12, 20)) == []
    assert story.ce_report("dana", "ccrb", "ccrp", date(2026, 12, 20)).compliant


def test_a_reminder_for_a_lapsed_certification_is_not_sent(
    story: Story, runtime: Runtime, mail_server: MailServer
) -> None:
    [queued] = _queue(runtime, date(2026, 12, 20))
    assert queued.learner == "ben"
    award = story.holds("ben", "ccrb", "ccrp", date(2026, 12, 20))
    assert award is not None
    story.revoke(award, "issued in error", date(2026, 12, 21))
    story.uow.commit()
    MailSender(runtime.units, runtime.settings).deliver_due()
    assert not [m for m in mail_server.inbox.messages if "CE due" in m["Subject"]]
