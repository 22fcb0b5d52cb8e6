"""How a composed message leaves: to an SMTP server (standard-library `smtplib`), or, when
none is configured, into the log, so a development install shows its mail and never fails."""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from typing import Protocol

from credstack.config import Smtp

__all__ = ["LogTransport", "SmtpTransport", "Transport", "describe", "is_permanent"]

log = logging.getLogger("credstack.mail")


class Transport(Protocol):
    def deliver(self, message: EmailMessage) -> None:
        """Hand the message on; return only once it has been accepted, raise otherwise."""


class SmtpTransport:
    """One connection per message: the sender sends a few messages a minute at most, and a
    fresh connection never trips over a server that dropped an idle one."""

    def __init__(self, smtp: Smtp, timeout: float = 30.0) -> None:
        self.smtp = smtp
        self.timeout = timeout

    def deliver(self, message: EmailMessage) -> None:
        smtp = self.smtp
        context = ssl.create_default_context()
        client = (
            smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=self.timeout, context=context)
            if smtp.security == "tls"
            else smtplib.SMTP(smtp.host, smtp.port, timeout=self.timeout)
        )
        with client:
            if smtp.security == "starttls":
                client.starttls(context=context)
            if smtp.username:
                client.login(smtp.username, smtp.password or "")
            client.send_message(message)


class LogTransport:
    """No SMTP server configured: the message goes to the log (a warning, so it shows without
    any logging set up) and counts as delivered."""

    def deliver(self, message: EmailMessage) -> None:
        body = message.get_body(("plain",))
        text = body.get_content() if isinstance(body, EmailMessage) else ""
        log.warning(
            "mail not sent (no CREDSTACK_SMTP_URL): %s\nFrom: %s\nTo: %s\nSubject: %s\n\n%s",
            message["Message-ID"],
            message["From"],
            message["To"],
            message["Subject"],
            text,
        )


def is_permanent(exc: Exception) -> bool:
    """The server refused the recipient for good (5xx): retrying cannot help."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _why in exc.recipients.values())
    return False


def describe(exc: Exception) -> str:
    """The error as `mail status` shows it: a refusal names its code, never the address."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = ", ".join(str(code) for code, _why in exc.recipients.values())
        return f"recipient refused ({codes})"
    return f"{exc.__class__.__name__}: {exc}"[:500]
