"""`ce.short`: a certification's CE cycle nearing its end with hours short, once per cycle and
threshold, whether or not the certificant has an e-mail address."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from standardwebhooks import Webhook

from credstack.config import Settings
from credstack.service import renewals
from credstack.service.actor import Actor
from credstack.service.caches import Caches
from credstack.service.keys import KeyStore
from credstack.service.mail.sender import MailSender
from credstack.service.runtime import Runtime
from credstack.service.webhooks import endpoints
from credstack.store.secrets import MasterKey
from credstack.store.uow import UnitOfWorkFactory
from tests.conftest import MigratedDatabases
from tests.integration.webhooks.conftest import Receiver
from tests.stories.driver import BASE as STORY_BASE
from tests.stories.driver import Story

OPERATOR = Actor.operator()


@pytest.fixture
def runtime(
    units: UnitOfWorkFactory,
    migrated: MigratedDatabases,
    backend: str,
    master_key: MasterKey,
    tmp_path: Path,
) -> Runtime:
    settings = Settings(
        tmp_path, "unused://", "https://badges.example.org", webhooks_allow_loopback=True
    )
    return Runtime(settings, migrated.engine(backend), units, master_key, Caches())


@pytest.fixture
def story(units: UnitOfWorkFactory, master_key: MasterKey) -> Iterator[Story]:
    """Ben (no e-mail address) holds CCRP from 2024-01-15; its cycle ends 2027-01-14."""
    with units() as uow:
        story = Story(uow, KeyStore(uow, master_key, STORY_BASE))
        story.load("clinical-research-board.yaml")
        story.award("ben", "ccrb", "ccrp", date(2024, 1, 15))
        story.award("ben", "ccrb", "research-ethics-refresher", date(2024, 5, 2))
        uow.commit()
        yield story


def test_ce_short_is_sent_once_per_threshold_without_any_address(
    runtime: Runtime, story: Story, units: UnitOfWorkFactory, receiver: Receiver
) -> None:
    made = endpoints.add_endpoint(runtime, OPERATOR, "ccrb", receiver.url, ["ce.short"])
    sender = MailSender(units, runtime.settings)

    def remind(on: date) -> int:
        assert renewals.queue_reminders(runtime, OPERATOR, issuer="ccrb", as_of=on) == []
        return sender.deliver_due().sent  # no address, so no e-mail: only the webhook

    assert remind(date(2026, 10, 1)) == 0  # 105 days left: no threshold reached
    assert remind(date(2026, 10, 20)) == 1  # 86 days left: the 90-day threshold
    assert remind(date(2026, 10, 21)) == 0  # the same threshold again: nothing
    assert remind(date(2026, 12, 20)) == 1  # 25 days left: the 30-day threshold
    first, second = (Webhook(made.secret).verify(r.body, r.headers) for r in receiver.received)
    assert first["type"] == second["type"] == "ce.short"
    assert first["data"]["achievement"]["id"] == "ccrp"
    assert first["data"]["learner"] == {"id": story.learner("ben").public_id}
    cycle = first["data"]["cycle"]
    assert (cycle["cycle_end"], cycle["days_left"], cycle["threshold"]) == ("2027-01-14", 86, 90)
    assert cycle["hours_needed"] == "24"
    assert second["data"]["cycle"]["threshold"] == 30
