"""The sign-in link message, and wiping its token once the message is delivered.

Kept apart from the award messages: it goes to staff as well as learners, and it carries a
secret that must not outlive its delivery (see `service.signin`).
"""

from __future__ import annotations

from credstack.service import clock
from credstack.service.learners import profile
from credstack.service.signin import LINK_LIFETIME, forget_token, link_path, token_of
from credstack.store.models import LearnerRow, OutboxMessageRow, SigninLinkRow, UserRow
from credstack.store.uow import UnitOfWork

__all__ = ["SigninMail", "delivered", "signin_mail"]

_SENDER_NAME = "credstack sign-in"

SigninMail = tuple[str, str, str, tuple[str, ...], tuple[tuple[str, str], ...]]
"""To, sender name, subject, paragraphs, links: `messages.Rendered`'s fields, which it makes."""


def _link(uow: UnitOfWork, row: OutboxMessageRow) -> SigninLinkRow | None:
    link_id = row.details.get("link")
    return uow.session.get(SigninLinkRow, link_id) if isinstance(link_id, int) else None


def _recipient(uow: UnitOfWork, link: SigninLinkRow) -> tuple[str, str] | None:
    """(address, name): the learner's when the address is also a learner's, else the staff
    member's; the two are the same address."""
    if link.learner_id is not None:
        learner = uow.session.get(LearnerRow, link.learner_id)
        if learner is not None and learner.erased_at is None:
            person = profile(uow, learner)
            if person.email is not None:
                return person.email, person.name
    if link.user_id is not None:
        user = uow.session.get(UserRow, link.user_id)
        if user is not None:
            return user.email, user.name
    return None


def signin_mail(uow: UnitOfWork, row: OutboxMessageRow, base_url: str) -> SigninMail | None:
    """None (and the token wiped) when the link was used or expired before it could be sent."""
    link = _link(uow, row)
    if link is None:
        return None
    token = token_of(uow, link)
    recipient = _recipient(uow, link)
    if token is None or recipient is None or link.used_at or clock.now() >= link.expires_at:
        forget_token(uow, link.id)
        return None
    address, name = recipient
    minutes = int(LINK_LIFETIME.total_seconds()) // 60
    said = (
        f"Hello {name},",
        "Someone, hopefully you, asked to sign in to credstack with this address. Open the "
        "link below and press \u201cSign in\u201d.",
        f"The link works once, for {minutes} minutes, and only in the browser where you asked "
        "for it. If you did not ask, ignore this message: nobody can sign in without it.",
    )
    url = base_url.rstrip("/") + link_path(token)
    return address, _SENDER_NAME, "Your sign-in link", said, (("Sign in", url),)


def delivered(uow: UnitOfWork, row: OutboxMessageRow) -> None:
    """The mail server has the message: the database keeps no usable link."""
    link = _link(uow, row)
    if link is not None:
        forget_token(uow, link.id)
