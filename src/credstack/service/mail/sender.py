"""Delivering what the outbox holds, with retries and backoff (the job worker calls it).

The guarantee is at least once, and in practice once. A message is claimed (committed) before
it is handed to SMTP and marked sent (committed) after the server accepted it; SMTP's accept
and our commit cannot be one transaction, so a crash between them leaves the claim to expire
and the message is sent again. Losing a message would be worse than a duplicate, and the
duplicate carries the same Message-ID (made from the outbox row), so a receiving system can
drop it. Two senders never hold one message at a time: a claim is a conditional UPDATE.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from credstack.config import Settings
from credstack.service import clock
from credstack.service.mail import outbox
from credstack.service.mail.messages import Rendered, delivered, render
from credstack.service.mail.transport import (
    LogTransport,
    SmtpTransport,
    Transport,
    describe,
    is_permanent,
)
from credstack.service.webhooks import delivery as webhook_delivery
from credstack.service.webhooks.events import KIND as WEBHOOK
from credstack.store.models import OutboxMessageRow
from credstack.store.uow import UnitOfWork, UnitOfWorkFactory

__all__ = [
    "LEASE",
    "MAX_ATTEMPTS",
    "Delivery",
    "MailSender",
    "backoff",
    "compose",
    "transport_for",
]

log = logging.getLogger("credstack.mail")

LEASE = timedelta(minutes=5)
"""How long one attempt holds a message: far longer than SMTP's timeout."""
MAX_ATTEMPTS = 12
"""With `backoff`, about five and a half hours of trying before a message counts as failed."""


def backoff(attempts: int) -> timedelta:
    """30 s after the first failure, doubling, at most an hour between tries."""
    seconds = 30 * 2 ** min(max(attempts - 1, 0), 7)
    return min(timedelta(seconds=seconds), timedelta(hours=1))


def transport_for(settings: Settings) -> Transport:
    return SmtpTransport(settings.smtp) if settings.smtp is not None else LogTransport()


def compose(rendered: Rendered, public_id: str, sender: str, at: datetime) -> EmailMessage:
    """Text and HTML alternatives. The Message-ID comes from the outbox row, the same on
    every attempt, so a receiver can recognise a resend."""
    user, _, domain = sender.partition("@")
    message = EmailMessage()
    message["From"] = Address(rendered.sender_name, user, domain)
    message["To"] = rendered.to
    message["Subject"] = rendered.subject
    message["Date"] = format_datetime(at)
    message["Message-ID"] = f"<{public_id}@{domain}>"
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    return message


@dataclass
class Delivery:
    """One pass: `retrying` failed this time and will be tried again; `failed` gave up."""

    sent: int = 0
    dropped: int = 0
    retrying: int = 0
    failed: int = 0

    @property
    def any_failed(self) -> bool:
        return bool(self.retrying or self.failed)


class MailSender:
    def __init__(
        self,
        units: UnitOfWorkFactory,
        settings: Settings,
        transport: Transport | None = None,
        now: Callable[[], datetime] = clock.now,
    ) -> None:
        self.units = units
        self.settings = settings
        self.transport = transport or transport_for(settings)
        self.now = now

    def deliver_due(self) -> Delivery:
        """Try every message that is due, once each."""
        with self.units(write=False) as uow:
            due = outbox.due_ids(uow, self.now())
        report = Delivery()
        for row_id in due:
            self._deliver(row_id, report)
        return report

    def _deliver(self, row_id: int, report: Delivery) -> None:
        now = self.now()
        with self.units() as uow:
            row = outbox.claim(uow, row_id, now, LEASE)
            if row is None:
                return  # another sender has it
            attempts, public_id = row.attempts, row.public_id
            if row.kind == WEBHOOK:
                request = self._webhook_request(uow, row, attempts, now, report)
                uow.commit()
                if request is not None:
                    self._post(row_id, attempts, request, now, report)
                return
            try:
                rendered = render(uow, row, self.settings.base_url)
            except Exception as exc:  # a message that cannot be written is a failed attempt
                self._failed(uow, row_id, attempts, exc, now, report)
                uow.commit()
                return
            if rendered is None:
                outbox.mark_sent(uow, row_id, now, dropped=True)
                report.dropped += 1
                uow.commit()
                return
            uow.commit()
        message = compose(rendered, public_id, self.settings.sender_address, now)
        try:
            self.transport.deliver(message)
        except Exception as exc:
            with self.units() as uow:
                self._failed(uow, row_id, attempts, exc, now, report)
                uow.commit()
            return
        with self.units() as uow:
            outbox.mark_sent(uow, row_id, self.now())
            delivered(uow, row_id)
            uow.commit()
        report.sent += 1

    def _webhook_request(
        self,
        uow: UnitOfWork,
        row: OutboxMessageRow,
        attempts: int,
        now: datetime,
        report: Delivery,
    ) -> webhook_delivery.Request | None:
        """The request to send, or None when there is none (dropped, or failed to build)."""
        try:
            request = webhook_delivery.prepare(uow, row, self.settings.base_url)
        except Exception as exc:  # e.g. a secret sealed under another master key
            failed = webhook_delivery.Attempt(False, None, describe(exc)[:300], 0, None)
            self._webhook_failed(uow, row.id, attempts, failed, now, report)
            return None
        if request is None:
            outbox.mark_sent(uow, row.id, now, dropped=True)
            report.dropped += 1
        return request

    def _post(
        self,
        row_id: int,
        attempts: int,
        request: webhook_delivery.Request,
        now: datetime,
        report: Delivery,
    ) -> None:
        """POST the event (the header's timestamp is the wall clock's, which receivers check
        against theirs) and log the attempt; retry on the Standard Webhooks schedule."""
        attempt = webhook_delivery.post(
            request, clock.now(), allow_loopback=self.settings.webhooks_allow_loopback
        )
        with self.units() as uow:
            if attempt.delivered:
                webhook_delivery.record(uow, row_id, attempt, now)
                outbox.mark_sent(uow, row_id, self.now())
                report.sent += 1
            else:
                self._webhook_failed(uow, row_id, attempts, attempt, now, report)
            uow.commit()

    @staticmethod
    def _webhook_failed(
        uow: UnitOfWork,
        row_id: int,
        attempts: int,
        attempt: webhook_delivery.Attempt,
        now: datetime,
        report: Delivery,
    ) -> None:
        webhook_delivery.record(uow, row_id, attempt, now)
        wait = None if attempt.permanent else webhook_delivery.retry_after(attempts)
        retry_at = None if wait is None else now + wait
        outbox.mark_failed(uow, row_id, attempt.error or "failed", retry_at)
        if wait is None:
            report.failed += 1
        else:
            report.retrying += 1
        # The row's number only: the URL may carry a receiver's token in its query.
        log.warning("webhook delivery %d attempt %d failed: %s", row_id, attempts, attempt.error)

    @staticmethod
    def _failed(
        uow: UnitOfWork, row_id: int, attempts: int, exc: Exception, now: datetime, report: Delivery
    ) -> None:
        give_up = is_permanent(exc) or attempts >= MAX_ATTEMPTS
        retry_at = None if give_up else now + backoff(attempts)
        outbox.mark_failed(uow, row_id, describe(exc), retry_at)
        if give_up:
            report.failed += 1
        else:
            report.retrying += 1
        log.warning("mail attempt %d failed: %s", attempts, describe(exc))
