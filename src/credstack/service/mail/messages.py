"""What each kind of message says, rendered at delivery from the rows it refers to.

Adding a kind is one renderer and one entry in `RENDERERS`; the outbox and the sender do not
change. A kind whose message carries a secret also has an entry in `DELIVERED`, which the
sender calls once the mail server has accepted the message (the sign-in link's token goes).
A renderer returns None when the message is no longer owed (the learner was erased or has no
address; the award it announces is gone; the sign-in link was used or expired).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from credstack.domain.records import AwardStatus
from credstack.service.issuance import award_context, verification_url
from credstack.service.learners import profile
from credstack.service.mail import email_change_message, signin_message
from credstack.service.mail.kinds import (
    AWARDED,
    CE_REMINDER,
    EMAIL_CHANGE,
    EMAIL_CHANGED,
    EXPIRED,
    REINSTATED,
    REVOKED,
    SIGNIN_LINK,
    SUSPENDED,
)
from credstack.store.models import AwardRow, LearnerRow, OutboxMessageRow
from credstack.store.uow import UnitOfWork

__all__ = ["DELIVERED", "RENDERERS", "Rendered", "delivered", "render"]


@dataclass(frozen=True)
class Rendered:
    """One message, ready to send: `sender_name` is the issuer's, shown beside our address."""

    to: str
    sender_name: str
    subject: str
    paragraphs: tuple[str, ...]
    links: tuple[tuple[str, str], ...] = ()
    """(label, address) pairs, after the paragraphs."""

    @property
    def text(self) -> str:
        lines = [*self.paragraphs, *(f"{label}:\n{url}" for label, url in self.links)]
        return "\n\n".join(lines) + "\n"

    @property
    def html(self) -> str:
        body = [f"<p>{escape(p)}</p>" for p in self.paragraphs]
        body += [f'<p><a href="{escape(url)}">{escape(label)}</a></p>' for label, url in self.links]
        return (
            '<!doctype html>\n<html><head><meta charset="utf-8">'
            f"<title>{escape(self.subject)}</title></head>\n<body>\n"
            + "\n".join(body)
            + "\n</body></html>\n"
        )


_CHANGES = {
    REVOKED: ("was revoked", "Anyone who checks it now is told so."),
    EXPIRED: ("has expired", "Anyone who checks it now is told so."),
    SUSPENDED: (
        "was suspended",
        "Until the issuer reinstates it, anyone who checks it is told it is suspended and "
        "not valid.",
    ),
    REINSTATED: (
        "was reinstated",
        "Its suspension is lifted: anyone who checks it is told it is valid again.",
    ),
}
"""What a change of status says: the subject's verb, and what it means for a check."""

Renderer = Callable[[UnitOfWork, OutboxMessageRow, str], Rendered | None]


def _award_message(
    uow: UnitOfWork, row: OutboxMessageRow, base_url: str, kind: str
) -> Rendered | None:
    award = uow.session.get(AwardRow, row.award_id) if row.award_id is not None else None
    if award is None:
        return None
    if kind == AWARDED and award.status != AwardStatus.ACTIVE:
        return None  # revoked or lapsed before the news went out: the notice that follows says so
    context = award_context(uow, award)
    person = profile(uow, context.learner)
    if person.email is None:
        return None
    name, issuer, achievement = person.name, context.issuer.name, context.version.name
    # The sign-in page, not a one-time link: an old message must sign nobody in. Signing in
    # leads a learner to the wallet, where the credential is downloaded and shared.
    signin = f"{base_url.rstrip('/')}/signin"
    check = verification_url(base_url, award.public_id)
    if kind == AWARDED:
        subject = f"You have earned {achievement}"
        said = (
            f"Hello {name},",
            f"{issuer} has awarded you {achievement}.",
            "See and share it in your wallet: it is a verifiable credential (Open Badges 3.0) "
            "you can download, share a link to, or add to LinkedIn. Sign in with this e-mail "
            "address; we send you a one-time link.",
        )
        links: tuple[tuple[str, str], ...] = (
            ("Sign in to your wallet (see, share, add to LinkedIn)", signin),
            ("Check it", check),
        )
    else:
        reason = row.details.get("reason") or award.status_reason or "no reason given"
        what, then = _CHANGES[kind]
        subject = f"Your credential {achievement} {what}"
        said = (
            f"Hello {name},",
            f"Your credential {achievement} from {issuer} {what}: {reason}.",
            then,
        )
        links = (("Sign in to your wallet", signin),)
    return Rendered(person.email, issuer, subject, said, links)


def _awarded(uow: UnitOfWork, row: OutboxMessageRow, base_url: str) -> Rendered | None:
    return _award_message(uow, row, base_url, AWARDED)


def _revoked(uow: UnitOfWork, row: OutboxMessageRow, base_url: str) -> Rendered | None:
    return _award_message(uow, row, base_url, REVOKED)


def _expired(uow: UnitOfWork, row: OutboxMessageRow, base_url: str) -> Rendered | None:
    return _award_message(uow, row, base_url, EXPIRED)


def _suspended(uow: UnitOfWork, row: OutboxMessageRow, base_url: str) -> Rendered | None:
    return _award_message(uow, row, base_url, SUSPENDED)


def _reinstated(uow: UnitOfWork, row: OutboxMessageRow, base_url: str) -> Rendered | None:
    return _award_message(uow, row, base_url, REINSTATED)


def _signin_link(uow: UnitOfWork, row: OutboxMessageRow, base_url: str) -> Rendered | None:
    mail = signin_message.signin_mail(uow, row, base_url)
    return None if mail is None else Rendered(*mail)


def _email_change(uow: UnitOfWork, row: OutboxMessageRow, base_url: str) -> Rendered | None:
    mail = email_change_message.change_mail(uow, row, base_url)
    return None if mail is None else Rendered(*mail)


def _email_changed(uow: UnitOfWork, row: OutboxMessageRow, base_url: str) -> Rendered | None:
    mail = email_change_message.changed_mail(uow, row, base_url)
    return None if mail is None else Rendered(*mail)


def _hours(amount: object) -> str:
    return f"{amount} hour" if str(amount) == "1" else f"{amount} hours"


def _ce_reminder(uow: UnitOfWork, row: OutboxMessageRow, base_url: str) -> Rendered | None:
    """The hours still short, by category, as they stood the day the reminder was queued."""
    award = uow.session.get(AwardRow, row.award_id) if row.award_id is not None else None
    if award is None or award.status != AwardStatus.ACTIVE:
        return None  # lapsed or revoked since: the notice that followed says so
    context = award_context(uow, award)
    person = profile(uow, context.learner)
    if person.email is None:
        return None
    d = row.details
    days = int(d["days_left"])
    left = "1 day" if days == 1 else f"{days} days"
    issuer, achievement = context.issuer.name, context.version.name
    said = [
        f"Hello {person.name},",
        f"Your {achievement} certification from {issuer} needs {_hours(d['hours_needed'])} "
        f"more of continuing education before its cycle ends on {d['cycle_end']} "
        f"({left} left).",
    ]
    short = [f"{category}: {_hours(hours)} short" for category, hours in d["categories"]]
    if short:
        said.append("By category: " + "; ".join(short) + ".")
    if d["short_by"] != "0":
        said.append(f"In all: {_hours(d['short_by'])} short.")
    said.append(
        "Without them the certification lapses when the cycle ends. Activities you complete "
        "before then count."
    )
    record = f"{base_url.rstrip('/')}/learners/{context.learner.public_id}"
    subject = f"{achievement}: {_hours(d['hours_needed'])} of CE due by {d['cycle_end']}"
    return Rendered(person.email, issuer, subject, tuple(said), (("Your learner record", record),))


RENDERERS: dict[str, Renderer] = {
    AWARDED: _awarded,
    REVOKED: _revoked,
    EXPIRED: _expired,
    SUSPENDED: _suspended,
    REINSTATED: _reinstated,
    SIGNIN_LINK: _signin_link,
    EMAIL_CHANGE: _email_change,
    EMAIL_CHANGED: _email_changed,
    CE_REMINDER: _ce_reminder,
}
DELIVERED: dict[str, Callable[[UnitOfWork, OutboxMessageRow], None]] = {
    SIGNIN_LINK: signin_message.delivered,
    EMAIL_CHANGE: email_change_message.delivered,
    EMAIL_CHANGED: email_change_message.notice_delivered,
}


def delivered(uow: UnitOfWork, row_id: int) -> None:
    """After the mail server accepted the message: forget what it alone needed."""
    row = uow.session.get(OutboxMessageRow, row_id)
    forget = DELIVERED.get(row.kind) if row is not None else None
    if row is not None and forget is not None:
        forget(uow, row)


def render(uow: UnitOfWork, row: OutboxMessageRow, base_url: str) -> Rendered | None:
    if row.learner_id is not None:
        learner = uow.session.get(LearnerRow, row.learner_id)
        if learner is None or learner.erased_at is not None:
            return None
    renderer = RENDERERS.get(row.kind)
    if renderer is None:
        raise LookupError(f"no renderer for mail kind {row.kind!r}")
    return renderer(uow, row, base_url)
