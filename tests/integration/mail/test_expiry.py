"""Awards whose end date has passed lapse by the one rule (`lifecycle.expire_award`), and the
learner is told once, through a real SMTP server, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import select

from credstack.config import Settings, Smtp
from credstack.service.keys import KeyStore
from credstack.service.learners import set_profile
from credstack.service.lifecycle import expire_award, expire_ended
from credstack.service.mail.kinds import EXPIRED
from credstack.service.mail.sender import MailSender
from credstack.store.models import AwardEventRow, OutboxMessageRow
from credstack.store.secrets import MasterKey
from credstack.store.uow import UnitOfWorkFactory
from tests.integration.mail.conftest import MailServer
from tests.stories.driver import BASE as STORY_BASE
from tests.stories.driver import Story


@pytest.fixture
def story(units: UnitOfWorkFactory, master_key: MasterKey) -> Iterator[Story]:
    with units() as uow:
        story = Story(uow, KeyStore(uow, master_key, STORY_BASE))
        story.load("wound-care-board.yaml", "clinical-research-board.yaml")
        set_profile(uow, story.learner("wren"), name="Wren", email="wren@example.org")
        uow.commit()
        yield story


def _notices(story: Story) -> list[OutboxMessageRow]:
    story.uow.session.expire_all()
    return list(
        story.uow.session.scalars(select(OutboxMessageRow).where(OutboxMessageRow.kind == EXPIRED))
    )


def test_an_award_past_its_last_valid_day_expires_and_is_announced_once(
    story: Story, units: UnitOfWorkFactory, mail_server: MailServer, tmp_path: Path
) -> None:
    award = story.award("wren", "wcb", "wound-care-nurse", date(2020, 1, 10))
    assert award.valid_until == date(2025, 1, 9)  # P5Y: the last valid day
    assert expire_ended(story.uow, as_of=date(2025, 1, 9)) == []
    assert expire_ended(story.uow, as_of=date(2025, 1, 10)) == [award]
    assert (award.status, award.status_reason) == ("expired", "validity ended on 2025-01-09")
    events = story.uow.session.scalars(
        select(AwardEventRow.kind).where(AwardEventRow.award_id == award.id)
    ).all()
    assert list(events) == ["issued", "expired"]
    assert expire_ended(story.uow, as_of=date(2025, 1, 11)) == []  # nothing twice
    story.uow.commit()
    assert len(_notices(story)) == 1

    settings = Settings(
        tmp_path,
        "unused://",
        "https://badges.example.org",
        smtp=Smtp("127.0.0.1", mail_server.port, "plain"),
    )
    assert not MailSender(units, settings).deliver_due().any_failed
    [notice] = [m for m in mail_server.inbox.messages if "has expired" in m["Subject"]]
    body = notice.get_body(("plain",))
    assert isinstance(body, EmailMessage)
    assert "has expired: validity ended on 2025-01-09." in body.get_content()


def test_a_certification_in_a_ce_cycle_is_left_to_closing_the_cycle(story: Story) -> None:
    ccrp = story.award("wren", "ccrb", "ccrp", date(2020, 1, 10))
    assert ccrp.valid_until == date(2023, 1, 9)
    assert expire_ended(story.uow, as_of=date(2024, 1, 1)) == []  # `ce close` decides
    assert ccrp.status == "active"


def test_an_expiry_notice_is_owed_once_whatever_expires_it_twice(story: Story) -> None:
    award = story.award("wren", "wcb", "wound-care-nurse", date(2020, 1, 10))
    expire_award(story.uow, award, reason="validity ended on 2025-01-09", on=date(2025, 1, 9))
    expire_award(story.uow, award, reason="validity ended on 2025-01-09", on=date(2025, 1, 9))
    assert len(_notices(story)) == 1


def test_a_lapse_found_by_a_new_award_follows_the_same_rule(story: Story) -> None:
    old = story.award("wren", "wcb", "wound-care-nurse", date(2018, 1, 10))
    new = story.award("wren", "wcb", "wound-care-nurse", date(2024, 2, 1))
    assert (old.status, new.status) == ("expired", "active")
    assert old.status_reason == "validity ended on 2023-01-09"
    assert [n.award_id for n in _notices(story)] == [old.id]
