"""Webhooks end to end, on SQLite and PostgreSQL: a learner's path earns credentials and a
stack, an admin revokes one, and a real HTTP receiver gets each event once, signed so that
the `standardwebhooks` library (the receivers' side of the spec) accepts it."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from standardwebhooks import Webhook, WebhookVerificationError

from credstack.config import Settings
from credstack.errors import Conflict, Forbidden, InvalidInput
from credstack.service import clock
from credstack.service.actor import Actor, RoleGrant
from credstack.service.caches import Caches
from credstack.service.keys import KeyStore
from credstack.service.learners import erase_learner
from credstack.service.lifecycle import expire_award, revoke_award
from credstack.service.mail.sender import MailSender
from credstack.service.runtime import Runtime
from credstack.service.webhooks import deliveries, endpoints, events
from credstack.service.webhooks.delivery import RETRY_SCHEDULE
from credstack.store.models import OutboxMessageRow, WebhookAttemptRow, WebhookEndpointRow
from credstack.store.secrets import MasterKey
from credstack.store.uow import UnitOfWorkFactory
from tests.conftest import MigratedDatabases
from tests.integration.webhooks.conftest import Receiver
from tests.stories.driver import BASE as STORY_BASE
from tests.stories.driver import Story

BASE = "https://badges.example.org"
OPERATOR = Actor.operator()
PATH = ["spreadsheets-exam", "sql-exam", "visualisation-exam", "statistics-exam"]


class Clock:
    """The sender's idea of now, moved by hand so the retry schedule is tested at once."""

    def __init__(self) -> None:
        self.at = clock.now()

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def runtime(
    units: UnitOfWorkFactory,
    migrated: MigratedDatabases,
    backend: str,
    master_key: MasterKey,
    tmp_path: Path,
) -> Runtime:
    settings = Settings(tmp_path, "unused://", BASE, webhooks_allow_loopback=True)
    return Runtime(settings, migrated.engine(backend), units, master_key, Caches())


@pytest.fixture
def story(units: UnitOfWorkFactory, master_key: MasterKey) -> Iterator[Story]:
    with units() as uow:
        story = Story(uow, KeyStore(uow, master_key, STORY_BASE))
        story.load("northwind-data-academy.yaml")
        uow.commit()
        yield story


def _earn_the_path(story: Story) -> None:
    """Four exams passed (four microcredentials), then the capstone: the certificate stacks."""
    for day, exam in enumerate(PATH, start=1):
        story.sit("ana", "northwind", exam, 80, date(2026, 9, day))
    story.score_rubric("ana", "northwind", "capstone-project", 3, date(2026, 9, 10))
    story.uow.commit()


def _verified(secret: str, got: Any) -> dict[str, Any]:
    payload = Webhook(secret).verify(got.body, got.headers)
    assert isinstance(payload, dict)
    return payload


def test_a_path_a_stack_and_a_revocation_reach_the_receiver_signed_once_each(
    runtime: Runtime, story: Story, units: UnitOfWorkFactory, receiver: Receiver
) -> None:
    made = endpoints.add_endpoint(
        runtime,
        OPERATOR,
        "northwind",
        receiver.url,
        ["credential.issued", "stack.completed", "credential.revoked"],
    )
    assert made.secret.startswith("whsec_")
    _earn_the_path(story)
    certificate = story.holds("ana", "northwind", "junior-data-analyst", date(2026, 9, 10))
    assert certificate is not None
    revoke_award(story.uow, certificate, reason="capstone plagiarised", on=date(2026, 9, 11))
    story.uow.commit()

    sender = MailSender(units, runtime.settings)
    assert sender.deliver_due().sent == 7  # five issued, one stack, one revocation
    assert sender.deliver_due().sent == 0

    payloads = [_verified(made.secret, got) for got in receiver.received]
    types = [p["type"] for p in payloads]
    assert types.count("credential.issued") == 5
    assert types.count("stack.completed") == 1
    assert types.count("credential.revoked") == 1
    learner = story.learner("ana")
    stack = next(p for p in payloads if p["type"] == "stack.completed")
    assert stack["data"]["achievement"]["id"] == "junior-data-analyst"
    assert stack["data"]["issuer"]["id"] == "northwind"
    assert stack["data"]["learner"] == {"id": learner.public_id}
    assert stack["data"]["credential"]["url"] == f"{BASE}/credentials/{certificate.public_id}"
    revoked = next(p for p in payloads if p["type"] == "credential.revoked")
    assert revoked["data"]["reason"] == "capstone plagiarised"
    assert revoked["data"]["status"] == "revoked"
    for got in receiver.received:  # no personal data beyond the opaque learner id
        assert b'"Ana"' not in got.body and b"@" not in got.body
        assert got.headers["content-type"] == "application/json"

    # The webhook-id is the delivery's id, and queueing the same change again adds nothing.
    ids = {got.headers["webhook-id"] for got in receiver.received}
    logged = deliveries.list_deliveries(runtime, OPERATOR, "northwind")
    assert ids == {d.id for d in logged} and len(ids) == 7
    assert all(d.status == "sent" and len(d.attempts) == 1 for d in logged)
    assert all(d.attempts[0].status_code == 204 for d in logged)
    assert events.award_events(story.uow, events.ISSUED, certificate) == 0
    assert events.award_events(story.uow, events.REVOKED, certificate) == 0

    # A tampered body or another secret fails the receiver's check.
    got = receiver.received[0]
    with pytest.raises(WebhookVerificationError):
        Webhook(made.secret).verify(got.body + b" ", got.headers)
    rotated = endpoints.rotate_secret(runtime, OPERATOR, made.endpoint.id)
    with pytest.raises(WebhookVerificationError):
        Webhook(rotated.secret).verify(got.body, got.headers)


def test_only_subscribed_events_are_queued_and_an_expiry_once(
    runtime: Runtime, story: Story, receiver: Receiver, units: UnitOfWorkFactory
) -> None:
    endpoints.add_endpoint(runtime, OPERATOR, "northwind", receiver.url, ["credential.expired"])
    story.sit("ana", "northwind", "sql-exam", 90, date(2026, 9, 1))
    award = story.holds("ana", "northwind", "sql-querying", date(2026, 9, 1))
    assert award is not None
    expire_award(story.uow, award, reason="validity ended", on=date(2027, 9, 1))
    story.uow.commit()
    webhooks = select(OutboxMessageRow).where(OutboxMessageRow.kind == "webhook")
    rows = list(story.uow.session.scalars(webhooks))
    assert [r.details["type"] for r in rows] == ["credential.expired"]
    assert events.award_events(story.uow, events.EXPIRED, award) == 0
    assert MailSender(units, runtime.settings).deliver_due().sent == 1
    [got] = receiver.received
    assert got.path == "/hooks"


def test_a_receiver_down_twice_is_retried_on_the_schedule_then_redelivered(
    runtime: Runtime,
    story: Story,
    units: UnitOfWorkFactory,
    receiver: Receiver,
) -> None:
    made = endpoints.add_endpoint(
        runtime, OPERATOR, "northwind", receiver.url, ["credential.issued"]
    )
    story.sit("ana", "northwind", "sql-exam", 90, date(2026, 9, 1))
    story.uow.commit()
    receiver.answers = [500, 503]
    now = Clock()
    sender = MailSender(units, runtime.settings, now=now)
    assert sender.deliver_due().retrying == 1
    assert sender.deliver_due().retrying == 0  # not due again for 5 s
    now.at += RETRY_SCHEDULE[0]
    assert sender.deliver_due().retrying == 1
    [pending] = deliveries.list_deliveries(runtime, OPERATOR, "northwind")
    assert pending.status == "pending" and pending.next_attempt_at == now.at + RETRY_SCHEDULE[1]
    now.at += RETRY_SCHEDULE[1]
    assert sender.deliver_due().sent == 1

    [done] = deliveries.list_deliveries(runtime, OPERATOR, "northwind")
    assert done.status == "sent"
    assert [a.status_code for a in done.attempts] == [500, 503, 204]
    assert [a.error for a in done.attempts] == ["HTTP 500", "HTTP 503", None]
    assert done.attempts[0].excerpt == "answered 500"
    assert all(a.duration_ms >= 0 for a in done.attempts)
    assert deliveries.list_deliveries(runtime, OPERATOR, "northwind", failed_only=True) == ()
    assert len({got.headers["webhook-id"] for got in receiver.received}) == 1
    for got in receiver.received:
        _verified(made.secret, got)

    again = deliveries.redeliver(runtime, OPERATOR, done.id, issuer="northwind")
    assert again.status == "pending"
    with pytest.raises(Conflict, match="still pending"):
        deliveries.redeliver(runtime, OPERATOR, done.id)
    assert sender.deliver_due().sent == 1
    assert [got.headers["webhook-id"] for got in receiver.received] == [done.id] * 4
    assert receiver.received[3].body == receiver.received[2].body  # the same payload


def test_a_receiver_that_never_answers_2xx_fails_after_the_last_retry(
    runtime: Runtime, story: Story, units: UnitOfWorkFactory, receiver: Receiver
) -> None:
    endpoints.add_endpoint(runtime, OPERATOR, "northwind", receiver.url, ["credential.issued"])
    story.sit("ana", "northwind", "sql-exam", 90, date(2026, 9, 1))
    story.uow.commit()
    receiver.answers = [500] * 20
    now = Clock()
    sender = MailSender(units, runtime.settings, now=now)
    for wait in RETRY_SCHEDULE:
        assert sender.deliver_due().retrying == 1
        now.at += wait
    assert sender.deliver_due().failed == 1
    [failed] = deliveries.list_deliveries(runtime, OPERATOR, "northwind", failed_only=True)
    assert len(failed.attempts) == len(RETRY_SCHEDULE) + 1
    assert failed.next_attempt_at is None


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://hooks.example.org/in", "must use https"),
        ("https://10.1.2.3/in", "private or reserved"),
        ("https://169.254.169.254/latest/meta-data", "private or reserved"),
        ("https://[fd00::1]/in", "private or reserved"),
        ("https://user:pw@hooks.example.org/in", "no user name or password"),
        ("ftp://hooks.example.org/in", "absolute https"),
        ("https://hooks.example.org/" + "a" * 2000, "at most 2000"),
    ],
)
def test_urls_that_are_not_public_https_are_refused(runtime: Runtime, url: str, why: str) -> None:
    with pytest.raises(InvalidInput, match=why):
        endpoints.add_endpoint(runtime, OPERATOR, "northwind", url, ["credential.issued"])


def test_loopback_needs_the_setting_at_add_and_again_at_delivery(
    runtime: Runtime, story: Story, units: UnitOfWorkFactory, receiver: Receiver
) -> None:
    strict = replace(runtime, settings=replace(runtime.settings, webhooks_allow_loopback=False))
    with pytest.raises(InvalidInput, match="CREDSTACK_WEBHOOKS_ALLOW_LOOPBACK"):
        endpoints.add_endpoint(strict, OPERATOR, "northwind", receiver.url, ["credential.issued"])
    # Added while allowed, delivered by a sender that no longer allows it: refused, not sent.
    endpoints.add_endpoint(
        runtime,
        OPERATOR,
        "northwind",
        f"http://localhost:{receiver.port}/in",
        ["credential.issued"],
    )
    story.sit("ana", "northwind", "sql-exam", 90, date(2026, 9, 1))
    story.uow.commit()
    assert MailSender(units, strict.settings).deliver_due().failed == 1
    assert receiver.received == []
    [refused] = deliveries.list_deliveries(runtime, OPERATOR, "northwind", failed_only=True)
    assert (refused.attempts[0].error or "").startswith("refused: localhost resolves to")


def test_events_must_be_known_and_admins_alone_manage_endpoints(
    runtime: Runtime, story: Story, receiver: Receiver
) -> None:
    with pytest.raises(InvalidInput, match=r"unknown event credential\.viewed"):
        endpoints.add_endpoint(runtime, OPERATOR, "northwind", receiver.url, ["credential.viewed"])
    with pytest.raises(InvalidInput, match="at least one event"):
        endpoints.add_endpoint(runtime, OPERATOR, "northwind", receiver.url, [" "])
    reviewer = Actor.staff(
        1, "reviewer@northwind.example", frozenset({RoleGrant("northwind", "reviewer")})
    )
    with pytest.raises(Forbidden, match="admin role"):
        endpoints.add_endpoint(runtime, reviewer, "northwind", receiver.url, ["credential.issued"])
    with pytest.raises(Forbidden):
        endpoints.list_endpoints(runtime, reviewer, "northwind")
    made = endpoints.add_endpoint(
        runtime, OPERATOR, "northwind", receiver.url, ["credential.issued"]
    )
    with pytest.raises(Forbidden):
        endpoints.remove_endpoint(runtime, reviewer, made.endpoint.id)
    endpoints.remove_endpoint(runtime, OPERATOR, made.endpoint.id, issuer="northwind")
    assert endpoints.list_endpoints(runtime, OPERATOR, "northwind") == ()


def test_the_secret_is_shown_once_sealed_at_rest_and_never_logged(
    runtime: Runtime,
    story: Story,
    units: UnitOfWorkFactory,
    receiver: Receiver,
    caplog: pytest.LogCaptureFixture,
) -> None:
    made = endpoints.add_endpoint(
        runtime, OPERATOR, "northwind", receiver.url, ["credential.issued"]
    )
    secret = made.secret
    listed = endpoints.list_endpoints(runtime, OPERATOR, "northwind")
    assert secret not in repr(listed)
    row = story.uow.session.scalar(
        select(WebhookEndpointRow).where(WebhookEndpointRow.public_id == made.endpoint.id)
    )
    assert row is not None
    raw = secret.removeprefix("whsec_").encode()
    assert raw not in row.secret_sealed and secret.encode() not in row.secret_sealed

    story.sit("ana", "northwind", "sql-exam", 90, date(2026, 9, 1))
    story.uow.commit()
    receiver.answers = [500]
    caplog.set_level(logging.DEBUG)
    MailSender(units, runtime.settings).deliver_due()
    assert "webhook delivery" in caplog.text  # the failure was logged...
    assert secret not in caplog.text and raw.decode() not in caplog.text  # ...not the secret
    logged = deliveries.list_deliveries(runtime, OPERATOR, "northwind")
    assert secret not in repr(logged)
    assert secret not in repr(receiver.received[0].headers)


def test_erasure_takes_the_learners_deliveries_and_their_log(
    runtime: Runtime, story: Story, units: UnitOfWorkFactory, receiver: Receiver
) -> None:
    endpoints.add_endpoint(runtime, OPERATOR, "northwind", receiver.url, ["credential.issued"])
    story.sit("ana", "northwind", "sql-exam", 90, date(2026, 9, 1))
    story.sit("ben", "northwind", "sql-exam", 90, date(2026, 9, 1))
    story.uow.commit()
    assert MailSender(units, runtime.settings).deliver_due().sent == 2
    erase_learner(story.uow, story.learner("ana"), reason="asked", actor="test", keys=story.keys)
    story.uow.commit()
    [left] = deliveries.list_deliveries(runtime, OPERATOR, "northwind")
    assert left.id == receiver.received[1].headers["webhook-id"]  # Ben's
    logged = story.uow.session.scalar(select(func.count()).select_from(WebhookAttemptRow))
    assert logged == 1  # Ana's attempt went with her delivery
