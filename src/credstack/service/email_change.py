"""Changing a learner's e-mail address: only by following a link mailed to the new address.

The address identifies the learner (they sign in with it; imported credentials are matched
against it; new credentials name its salted hash), so a client that may update the profile
(putProfile) cannot change it by saying so. It can only *ask*: the new address is kept sealed
in an `email_changes` row and a one-time link is mailed to it through the outbox, with the
sign-in link's rules (`service.signin`): 256 random bits of which only the SHA-256 is kept,
`CHANGE_LIFETIME`, used once by a conditional UPDATE, the token sealed only until the message
is delivered. Opening the link only shows a button (mail scanners fetch links); pressing it
swaps the learner's address (keyed hash and sealed copy), unless another learner has it by
then. The link needs no session: holding it proves the mailbox, and the request proves the
learner's consent through the token they granted. The change is in the audit trail
(`learner.email_changed`, naming the learner by public id and no address).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select, update

from credstack.errors import Conflict, CredstackError, Gone, InvalidInput
from credstack.service import audit_trail, clock
from credstack.service.learners import by_email, profile, set_profile
from credstack.service.mail import outbox
from credstack.service.mail.kinds import EMAIL_CHANGE, EMAIL_CHANGED
from credstack.service.runtime import Runtime
from credstack.store.models import EmailChangeRow, LearnerRow
from credstack.store.secrets import normalise_email
from credstack.store.uow import UnitOfWork

__all__ = [
    "CHANGE_LIFETIME",
    "LIVE_CHANGES_PER_LEARNER",
    "ChangeView",
    "EmailChanged",
    "ask_email_change",
    "change_path",
    "change_token_of",
    "confirm_email_change",
    "forget_change_token",
    "inspect_email_change",
    "new_address_of",
    "old_address_of",
]

CHANGE_LIFETIME = timedelta(hours=1)
LIVE_CHANGES_PER_LEARNER = 3
"""Unused, unexpired changes one learner may have: a client cannot fill someone's inbox."""
_EMAIL_MAX = 320
_TOKEN_MAX = 100
_LINK_CONTEXT = "email-change-link:"
_EMAIL_CONTEXT = "email-change:"
_OLD_CONTEXT = "email-change-old:"


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def change_path(token: str) -> str:
    return f"/email-change/{token}"


def _checked_address(email: str) -> str:
    """An address as a person would type one: bounded, one @, no spaces or control chars."""
    email = email.strip()
    local, at, domain = email.rpartition("@")
    if (
        not at
        or not local
        or "." not in domain
        or len(email) > _EMAIL_MAX
        or any(c.isspace() or ord(c) < 32 for c in email)
    ):
        raise InvalidInput(f"{email[:_EMAIL_MAX]!r} is not an e-mail address")
    return email


def ask_email_change(uow: UnitOfWork, learner: LearnerRow, email: str) -> bool:
    """Mail a confirmation link to `email` (for a use case that has checked who asks); False
    when it is the learner's address already. Nothing about the learner changes here."""
    email = _checked_address(email)
    current = profile(uow, learner).email
    if current is not None and normalise_email(current) == normalise_email(email):
        return False
    live = uow.session.scalar(
        select(func.count())
        .select_from(EmailChangeRow)
        .where(
            EmailChangeRow.learner_id == learner.id,
            EmailChangeRow.used_at.is_(None),
            EmailChangeRow.expires_at > clock.now(),
        )
    )
    if int(live or 0) >= LIVE_CHANGES_PER_LEARNER:
        raise Conflict(
            f"{LIVE_CHANGES_PER_LEARNER} e-mail changes already wait for confirmation; follow "
            f"one of their links, or try again once they expire ({_hours()})"
        )
    token = secrets.token_urlsafe(32)
    token_hash = _hash(token)
    now = clock.now()
    change = EmailChangeRow(
        token_hash=token_hash,
        token_sealed=uow.personal.seal(token, _LINK_CONTEXT + token_hash),
        learner_id=learner.id,
        email_sealed=uow.personal.seal(email, _EMAIL_CONTEXT + token_hash),
        created_at=now,
        expires_at=now + CHANGE_LIFETIME,
    )
    uow.session.add(change)
    uow.session.flush()
    outbox.queue_message(uow, EMAIL_CHANGE, learner_id=learner.id, details={"change": change.id})
    return True


def _hours() -> str:
    hours = int(CHANGE_LIFETIME.total_seconds()) // 3600
    return "1 hour" if hours == 1 else f"{hours} hours"


def change_token_of(uow: UnitOfWork, change: EmailChangeRow) -> str | None:
    """The link's token while it is still owed to its mail, else None."""
    if change.token_sealed is None:
        return None
    return uow.personal.open(change.token_sealed, _LINK_CONTEXT + change.token_hash)


def new_address_of(uow: UnitOfWork, change: EmailChangeRow) -> str:
    return uow.personal.open(change.email_sealed, _EMAIL_CONTEXT + change.token_hash)


def old_address_of(
    uow: UnitOfWork, row_details: dict[str, object], change: EmailChangeRow
) -> str | None:
    """The address a change replaced, sealed in its notice until the notice is delivered."""
    sealed = row_details.get("old")
    if not isinstance(sealed, str):
        return None
    return uow.personal.open(base64.b64decode(sealed), _OLD_CONTEXT + change.token_hash)


def forget_change_token(uow: UnitOfWork, change_id: int) -> None:
    """The message is delivered (or no longer owed): nothing usable stays in the database."""
    uow.session.execute(
        update(EmailChangeRow)
        .where(EmailChangeRow.id == change_id)
        .values(token_sealed=None)
        .execution_options(synchronize_session=False)
    )


def _usable(uow: UnitOfWork, token: str) -> tuple[EmailChangeRow, LearnerRow]:
    if not token or len(token) > _TOKEN_MAX:
        raise CredstackError("this link is not one we sent")
    change = uow.session.scalar(
        select(EmailChangeRow).where(EmailChangeRow.token_hash == _hash(token))
    )
    if change is None:
        raise CredstackError("this link is not one we sent")
    if change.used_at is not None:
        raise Gone("this link has already been used")
    if clock.now() >= change.expires_at:
        raise Gone("this link has expired")
    learner = uow.session.get(LearnerRow, change.learner_id)
    if learner is None or learner.erased_at is not None:
        raise Gone("this link's account is gone")
    return change, learner


@dataclass(frozen=True)
class ChangeView:
    """What the link's page shows before the button is pressed."""

    new_address: str


def inspect_email_change(runtime: Runtime, token: str) -> ChangeView:
    """What opening the link shows; it only reads, so a scanner's GET changes nothing."""
    with runtime.uow(write=False) as uow:
        change, _learner = _usable(uow, token)
        return ChangeView(new_address_of(uow, change))


@dataclass(frozen=True)
class EmailChanged:
    new_address: str


def confirm_email_change(runtime: Runtime, token: str) -> EmailChanged:
    """Use the link (once): the learner's identifying address becomes the new one, unless
    another learner has it (then the link is spent and nothing changes)."""
    with runtime.uow() as uow:
        change, learner = _usable(uow, token)
        now = clock.now()
        taken = uow.session.execute(
            update(EmailChangeRow)
            .where(
                EmailChangeRow.id == change.id,
                EmailChangeRow.used_at.is_(None),
                EmailChangeRow.expires_at > now,
            )
            .values(used_at=now, token_sealed=None)
            .execution_options(synchronize_session=False)
        )
        if getattr(taken, "rowcount", 0) != 1:
            raise Gone("this link has already been used")
        email = new_address_of(uow, change)
        other = by_email(uow, email)
        if other is not None and other.id != learner.id:
            uow.commit()  # the link stays spent: it cannot be tried again later
            raise Conflict(
                "another account already uses this address, so it was not changed; your "
                "address stays as it was"
            )
        before = profile(uow, learner)
        set_profile(uow, learner, name=before.name, email=email)
        # The trail names the learner, never an address (it is kept forever and erasure
        # cannot reach it); the sealed addresses are in the learner's row.
        audit_trail.record(
            uow,
            action="learner.email_changed",
            subject=f"learner:{learner.public_id}",
            details={"confirmed": "by the link mailed to the new address"},
            actor=f"learner:{learner.public_id}",
        )
        if before.email is not None:
            # The old address hears of it: if a token was abused, its owner can act.
            sealed = uow.personal.seal(before.email, _OLD_CONTEXT + change.token_hash)
            outbox.queue_message(
                uow,
                EMAIL_CHANGED,
                learner_id=learner.id,
                details={"change": change.id, "old": base64.b64encode(sealed).decode()},
            )
        uow.commit()
    return EmailChanged(email)
