"""The message that confirms a new e-mail address, sent to that address, and wiping its
token once the message is delivered (see `service.email_change`)."""

from __future__ import annotations

from credstack.service import clock
from credstack.service.email_change import (
    CHANGE_LIFETIME,
    change_path,
    change_token_of,
    forget_change_token,
    new_address_of,
    old_address_of,
)
from credstack.service.learners import profile
from credstack.store.models import EmailChangeRow, LearnerRow, OutboxMessageRow
from credstack.store.uow import UnitOfWork

__all__ = ["ChangeMail", "change_mail", "changed_mail", "delivered", "notice_delivered"]

_SENDER_NAME = "credstack"

ChangeMail = tuple[str, str, str, tuple[str, ...], tuple[tuple[str, str], ...]]
"""To, sender name, subject, paragraphs, links: `messages.Rendered`'s fields."""


def _change(uow: UnitOfWork, row: OutboxMessageRow) -> EmailChangeRow | None:
    change_id = row.details.get("change")
    return uow.session.get(EmailChangeRow, change_id) if isinstance(change_id, int) else None


def change_mail(uow: UnitOfWork, row: OutboxMessageRow, base_url: str) -> ChangeMail | None:
    """None (and the token wiped) when the link was used or expired before it could be sent,
    or the learner is gone."""
    change = _change(uow, row)
    if change is None:
        return None
    token = change_token_of(uow, change)
    learner = uow.session.get(LearnerRow, change.learner_id)
    if (
        token is None
        or learner is None
        or learner.erased_at is not None
        or change.used_at is not None
        or clock.now() >= change.expires_at
    ):
        forget_change_token(uow, change.id)
        return None
    minutes = int(CHANGE_LIFETIME.total_seconds()) // 60
    said = (
        f"Hello {profile(uow, learner).name},",
        "An application you allowed to update your credstack profile asked to change your "
        "e-mail address to this one. Open the link below and press \u201cUse this address\u201d "
        "to confirm it; until then your address stays as it was.",
        f"The link works once, for {minutes} minutes. If you did not ask for this, ignore this "
        "message: nothing changes without it.",
    )
    url = base_url.rstrip("/") + change_path(token)
    address = new_address_of(uow, change)
    return address, _SENDER_NAME, "Confirm your new e-mail address", said, (("Confirm", url),)


def delivered(uow: UnitOfWork, row: OutboxMessageRow) -> None:
    """The mail server has the message: the database keeps no usable link."""
    change = _change(uow, row)
    if change is not None:
        forget_change_token(uow, change.id)


def _masked(address: str) -> str:
    """Enough of the new address for its owner to recognise it, not to learn it."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}\u2026@{domain}"


def changed_mail(uow: UnitOfWork, row: OutboxMessageRow, base_url: str) -> ChangeMail | None:
    """The notice to the address a change replaced; None once nothing is left to say it to."""
    change = _change(uow, row)
    if change is None:
        return None
    old = old_address_of(uow, row.details, change)
    learner = uow.session.get(LearnerRow, change.learner_id)
    if old is None or learner is None or learner.erased_at is not None:
        return None
    person = profile(uow, learner)
    said = (
        f"Hello {person.name},",
        "The e-mail address of your credstack record was changed from this address to "
        f"{_masked(person.email or '')}, confirmed through a link mailed to the new address. "
        "Sign-in links and notices about your credentials now go there.",
        "If you did not ask for this, contact the issuer of your credentials at once: someone "
        "with access to an application you allowed to update your profile made the change.",
    )
    return old, _SENDER_NAME, "Your e-mail address was changed", said, ()


def notice_delivered(uow: UnitOfWork, row: OutboxMessageRow) -> None:
    """The notice is sent: the old address is not kept."""
    row.details = {key: value for key, value in row.details.items() if key != "old"}
