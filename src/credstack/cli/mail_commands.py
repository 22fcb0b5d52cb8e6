"""`credstack mail status` and `credstack mail send`: the outbox, seen and emptied by hand.

The server delivers mail by itself while it runs; these are for checking on it, and for an
installation that sends from cron instead.
"""

from __future__ import annotations

import typer

from credstack.cli.app import app, installation, say
from credstack.service.mail import outbox
from credstack.service.mail.sender import MailSender

__all__ = ["mail_app"]

mail_app = typer.Typer(no_args_is_help=True, help="E-mail to learners: the outbox.")
app.add_typer(mail_app, name="mail")


@mail_app.command("status")
def mail_status() -> None:
    """Messages pending, sent, failed and dropped (no address), the oldest pending, the last
    error, and where mail goes."""
    with installation() as runtime, runtime.uow(write=False) as uow:
        report = outbox.status(uow)
        smtp = runtime.settings.smtp
    for name, count in report.counts.items():
        say(f"{name}\t{count}")
    oldest = report.oldest_pending.isoformat() if report.oldest_pending else "-"
    say(f"oldest pending\t{oldest}")
    say(f"last error\t{report.last_error or '-'}")
    say(f"delivery\t{smtp.shown if smtp else 'the log (CREDSTACK_SMTP_URL is not set)'}")


@mail_app.command("send")
def mail_send() -> None:
    """Deliver every message that is due, once; exit 1 if any attempt failed."""
    with installation() as runtime:
        delivery = MailSender(runtime.units, runtime.settings).deliver_due()
    say(
        f"sent {delivery.sent}, dropped {delivery.dropped}, "
        f"to retry {delivery.retrying}, failed {delivery.failed}"
    )
    if delivery.any_failed:
        raise typer.Exit(1)
