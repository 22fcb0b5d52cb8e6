"""The outbox through a real SMTP server, on SQLite and PostgreSQL: what a learner receives
when an award is made or revoked, retries while the server is down, and what is never sent."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path

import pytest
from sqlalchemy import func, select

from credstack.config import Settings, Smtp
from credstack.service import clock
from credstack.service.learners import erase_learner, set_profile
from credstack.service.lifecycle import expire_award
from credstack.service.mail import outbox
from credstack.service.mail.sender import MailSender, backoff
from credstack.store.models import OutboxMessageRow
from credstack.store.uow import UnitOfWork, UnitOfWorkFactory
from tests.integration.mail.conftest import MailServer
from tests.stories.driver import Story

BASE = "https://badges.example.org"
ADDRESS = "benedikt@example.org"


class Clock:
    """The sender's idea of now, moved by hand so backoff is tested without waiting."""

    def __init__(self) -> None:
        self.at = clock.now()

    def __call__(self) -> datetime:
        return self.at


def _settings(tmp_path: Path, server: MailServer | None) -> Settings:
    smtp = Smtp("127.0.0.1", server.port, "plain") if server is not None else None
    return Settings(
        tmp_path, "sqlite://", BASE, smtp=smtp, mail_from="credentials@badges.example.org"
    )


@pytest.fixture
def story(units: UnitOfWorkFactory) -> Iterator[Story]:
    with units() as uow:
        story = Story.in_memory(uow)
        story.load("clinical-research-board.yaml")
        set_profile(uow, story.learner("ben"), name="Benedikt Brandt", email=ADDRESS)
        uow.commit()
        yield story


def _rows(uow: UnitOfWork) -> list[OutboxMessageRow]:
    uow.session.expire_all()
    return list(uow.session.scalars(select(OutboxMessageRow).order_by(OutboxMessageRow.id)))


def _text(message: EmailMessage, kind: str) -> str:
    part = message.get_body((kind,))
    assert isinstance(part, EmailMessage)
    return str(part.get_content())


def test_an_award_sends_one_message_with_text_and_html(
    story: Story, units: UnitOfWorkFactory, mail_server: MailServer, tmp_path: Path
) -> None:
    award = story.award("ben", "ccrb", "ccrp", date(2026, 3, 9))
    story.uow.commit()
    delivery = MailSender(units, _settings(tmp_path, mail_server)).deliver_due()
    assert (delivery.sent, delivery.any_failed) == (1, False)
    [message] = mail_server.inbox.messages
    assert mail_server.inbox.recipients == [[ADDRESS]]
    issuer = story.issuer("ccrb").name
    assert parseaddr(message["From"]) == (issuer, "credentials@badges.example.org")
    assert message["To"] == ADDRESS
    assert message["Subject"].startswith("You have earned ")
    text, html = _text(message, "plain"), _text(message, "html")
    signin = f"{BASE}/signin"
    assert "Hello Benedikt Brandt," in text and "See and share it in your wallet" in text
    assert signin in text.splitlines() and "/learners/" not in text  # the record is staff-only
    assert f'href="{signin}"' in html and f"verify?credential={award.public_id}" in html
    [row] = _rows(story.uow)
    assert message["Message-ID"] == f"<{row.public_id}@badges.example.org>"
    assert (row.status, row.attempts) == ("sent", 1)
    assert MailSender(units, _settings(tmp_path, mail_server)).deliver_due().sent == 0


def test_smtp_down_is_retried_with_backoff_then_delivered_once(
    story: Story, units: UnitOfWorkFactory, mail_server: MailServer, tmp_path: Path
) -> None:
    story.award("ben", "ccrb", "ccrp", date(2026, 3, 9))
    story.uow.commit()
    mail_server.down()
    now = Clock()
    sender = MailSender(units, _settings(tmp_path, mail_server), now=now)
    assert sender.deliver_due().retrying == 1
    [row] = _rows(story.uow)
    assert (row.status, row.attempts, row.due_at) == ("pending", 1, now.at + backoff(1))
    assert "ConnectionRefusedError" in (row.last_error or "")
    assert sender.deliver_due().retrying == 0  # not due again yet
    now.at += backoff(1)
    assert sender.deliver_due().retrying == 1
    [row] = _rows(story.uow)
    assert (row.attempts, row.due_at) == (2, now.at + backoff(2))
    assert backoff(2) == 2 * backoff(1)
    mail_server.up()
    now.at += backoff(2)
    assert sender.deliver_due().sent == 1
    assert sender.deliver_due().sent == 0
    now.at += timedelta(hours=2)
    assert sender.deliver_due().sent == 0
    assert len(mail_server.inbox.messages) == 1
    assert outbox.status(story.uow).counts["sent"] == 1


def test_a_rolled_back_award_sends_nothing(
    story: Story, units: UnitOfWorkFactory, mail_server: MailServer, tmp_path: Path
) -> None:
    story.award("ben", "ccrb", "ccrp", date(2026, 3, 9))
    assert len(_rows(story.uow)) == 1  # written with the award ...
    story.uow.rollback()
    assert _rows(story.uow) == []  # ... and gone with it
    assert MailSender(units, _settings(tmp_path, mail_server)).deliver_due().sent == 0
    assert mail_server.inbox.messages == []


def test_a_learner_without_an_address_gets_nothing_and_nothing_fails(
    story: Story, units: UnitOfWorkFactory, mail_server: MailServer, tmp_path: Path
) -> None:
    set_profile(story.uow, story.learner("ben"), name="Benedikt Brandt", email=None)
    story.award("ben", "ccrb", "ccrp", date(2026, 3, 9))
    story.uow.commit()
    assert _rows(story.uow) == []
    assert not MailSender(units, _settings(tmp_path, mail_server)).deliver_due().any_failed


def test_revocation_is_announced_and_erasure_drops_pending_messages(
    story: Story, units: UnitOfWorkFactory, mail_server: MailServer, tmp_path: Path
) -> None:
    award = story.award("ben", "ccrb", "ccrp", date(2026, 3, 9))
    story.uow.commit()
    sender = MailSender(units, _settings(tmp_path, mail_server))
    sender.deliver_due()
    story.revoke(award, "issued in error", date(2026, 4, 1))
    story.uow.commit()
    assert sender.deliver_due().sent == 1
    revoked = mail_server.inbox.messages[-1]
    assert "was revoked" in revoked["Subject"] and "issued in error" in _text(revoked, "plain")
    other = story.award("ben", "ccrb", "ccrp", date(2026, 5, 1))
    assert other is not None
    assert [r.status for r in _rows(story.uow)] == ["sent", "sent", "pending"]
    erase_learner(story.uow, story.learner("ben"), reason="asked", actor="test", keys=story.keys)
    story.uow.commit()
    assert _rows(story.uow) == []
    assert sender.deliver_due().sent == 0
    assert len(mail_server.inbox.messages) == 2


def test_without_an_smtp_server_mail_goes_to_the_log(
    story: Story, units: UnitOfWorkFactory, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    story.award("ben", "ccrb", "ccrp", date(2026, 3, 9))
    story.uow.commit()
    with caplog.at_level(logging.WARNING, logger="credstack.mail"):
        delivery = MailSender(units, _settings(tmp_path, None)).deliver_due()
    assert (delivery.sent, delivery.any_failed) == (1, False)
    assert "no CREDSTACK_SMTP_URL" in caplog.text and "You have earned" in caplog.text
    counted = story.uow.session.scalar(select(func.count()).select_from(OutboxMessageRow))
    assert counted == 1


def test_a_claimed_message_is_not_taken_by_a_second_sender(story: Story) -> None:
    story.award("ben", "ccrb", "ccrp", date(2026, 3, 9))
    story.uow.commit()
    [row] = _rows(story.uow)
    now = clock.now()
    assert outbox.claim(story.uow, row.id, now, timedelta(minutes=5)) is not None
    assert outbox.claim(story.uow, row.id, now, timedelta(minutes=5)) is None
    later = now + timedelta(minutes=5)  # the first sender died holding it: the claim lapses
    assert outbox.claim(story.uow, row.id, later, timedelta(minutes=5)) is not None


def test_a_lapse_sends_an_expiry_notice(
    story: Story, units: UnitOfWorkFactory, mail_server: MailServer, tmp_path: Path
) -> None:
    award = story.award("ben", "ccrb", "ccrp", date(2026, 3, 9))
    expire_award(story.uow, award, reason="CE cycle ended 12 hours short", on=date(2029, 3, 9))
    story.uow.commit()
    delivery = MailSender(units, _settings(tmp_path, mail_server)).deliver_due()
    # The award notice is dropped (it lapsed before the news went out); the lapse is told.
    assert (delivery.sent, delivery.dropped) == (1, 1)
    [expired] = mail_server.inbox.messages
    assert "has expired" in expired["Subject"]
    assert "12 hours short" in _text(expired, "plain")
