"""Sign-in by e-mail link, for learners and staff alike (API tokens stay for machines).

Asking for a link always gets the same answer, whether or not the address belongs to anyone,
so the form reveals no accounts. When it does belong to a learner and/or a staff member, one
link is made and mailed through the outbox: 256 random bits, of which only the SHA-256 is kept
for look-up; it works for `LINK_LIFETIME`, once, and only in the browser that asked (the edge
sets a random cookie there; its hash is kept with the link). Opening the link changes nothing
(`inspect_link`: mail scanners fetch links); only the form it shows signs in (`complete_link`),
and marking the link used is one conditional UPDATE, so two submissions cannot both succeed.

The outbox must be able to write the message, so the token is kept sealed (under the key
derived from the master key that seals learners' addresses) until the message is delivered or
the link is used, then wiped (`forget_token`).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select, update

from credstack.errors import CredstackError, Gone, InvalidInput
from credstack.service import clock
from credstack.service.actor import Actor
from credstack.service.learners import by_email
from credstack.service.mail import outbox
from credstack.service.mail.kinds import SIGNIN_LINK
from credstack.service.people import principal_of
from credstack.service.runtime import Runtime
from credstack.service.sessions import SessionPolicy, open_learner_session, open_session
from credstack.store.models import LearnerRow, SigninLinkRow, UserRow
from credstack.store.secrets import normalise_email
from credstack.store.uow import UnitOfWork

__all__ = [
    "AS_LEARNER",
    "AS_STAFF",
    "LINK_LIFETIME",
    "LIVE_LINKS_PER_ACCOUNT",
    "LinkRequested",
    "LinkView",
    "SignedIn",
    "accounts_of",
    "complete_link",
    "forget_token",
    "inspect_link",
    "link_path",
    "open_holder_session",
    "request_link",
    "safe_next",
    "token_of",
]

LINK_LIFETIME = timedelta(minutes=15)
LIVE_LINKS_PER_ACCOUNT = 3
"""Unused, unexpired links one account may have: more requests send no more mail (and are
answered the same), so nobody can fill a person's inbox through the form."""
AS_LEARNER, AS_STAFF = "learner", "staff"
_EMAIL_MAX = 320
_NEXT_MAX = 500
_TOKEN_MAX = 100
_SEAL_CONTEXT = "signin-link:"


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def link_path(token: str) -> str:
    return f"/signin/{token}"


@dataclass(frozen=True)
class LinkRequested:
    """The one answer to every request for a link: nothing in it depends on the address."""

    lifetime_minutes: int


def _staff_by_email(uow: UnitOfWork, email: str) -> UserRow | None:
    return uow.session.scalar(
        select(UserRow).where(func.lower(UserRow.email) == normalise_email(email)).limit(1)
    )


def accounts_of(uow: UnitOfWork, email: str) -> tuple[LearnerRow | None, UserRow | None]:
    """The learner (unless erased) and the staff member an address belongs to, either or
    both: an e-mail link and an institution's sign-in (`service.oidc`) find people alike."""
    learner = by_email(uow, email)
    if learner is not None and learner.erased_at is not None:
        learner = None
    return learner, _staff_by_email(uow, email)


def _live_links(uow: UnitOfWork, learner: LearnerRow | None, user: UserRow | None) -> int:
    holder = (
        SigninLinkRow.learner_id == learner.id
        if learner is not None
        else SigninLinkRow.user_id == (user.id if user is not None else -1)
    )
    found = uow.session.scalar(
        select(func.count())
        .select_from(SigninLinkRow)
        .where(holder, SigninLinkRow.used_at.is_(None), SigninLinkRow.expires_at > clock.now())
    )
    return int(found or 0)


def safe_next(next_path: str | None) -> str | None:
    """Only a path on this site (no scheme, no `//host`, no backslash, no control characters):
    an open redirect would let a link send someone elsewhere after sign-in."""
    if not next_path:
        return None
    if (
        len(next_path) > _NEXT_MAX
        or not next_path.startswith("/")
        or next_path.startswith("//")
        or "\\" in next_path
        or any(ord(c) < 32 or ord(c) == 127 for c in next_path)
    ):
        return None
    return next_path


def request_link(
    runtime: Runtime,
    _actor: Actor,
    email: str,
    browser_secret: str,
    next_path: str | None = None,
) -> LinkRequested:
    """Mail a sign-in link if `email` belongs to a learner or staff member; anyone may ask,
    and everyone is answered the same. `browser_secret` is the asking browser's cookie."""
    email = email.strip()
    if not email or len(email) > _EMAIL_MAX or "@" not in email:
        raise InvalidInput("enter an e-mail address")
    if not browser_secret or len(browser_secret) > _TOKEN_MAX:
        raise InvalidInput("this browser sent no sign-in cookie; reload the page")
    answer = LinkRequested(int(LINK_LIFETIME.total_seconds()) // 60)
    with runtime.uow() as uow:
        learner, user = accounts_of(uow, email)
        if learner is None and user is None:
            return answer
        if _live_links(uow, learner, user) >= LIVE_LINKS_PER_ACCOUNT:
            return answer
        token = secrets.token_urlsafe(32)
        token_hash = _hash(token)
        now = clock.now()
        link = SigninLinkRow(
            token_hash=token_hash,
            token_sealed=uow.personal.seal(token, _SEAL_CONTEXT + token_hash),
            browser_hash=_hash(browser_secret),
            learner_id=learner.id if learner is not None else None,
            user_id=user.id if user is not None else None,
            next_path=safe_next(next_path),
            created_at=now,
            expires_at=now + LINK_LIFETIME,
        )
        uow.session.add(link)
        uow.session.flush()
        outbox.queue_message(
            uow,
            SIGNIN_LINK,
            learner_id=link.learner_id,
            details={"link": link.id},
        )
        uow.commit()
    return answer


def token_of(uow: UnitOfWork, link: SigninLinkRow) -> str | None:
    """The link's token while it is still owed to its mail, else None."""
    if link.token_sealed is None:
        return None
    return uow.personal.open(link.token_sealed, _SEAL_CONTEXT + link.token_hash)


def forget_token(uow: UnitOfWork, link_id: int) -> None:
    """The message is delivered (or no longer owed): nothing usable stays in the database."""
    uow.session.execute(
        update(SigninLinkRow)
        .where(SigninLinkRow.id == link_id)
        .values(token_sealed=None)
        .execution_options(synchronize_session=False)
    )


@dataclass(frozen=True)
class LinkView:
    """What the link's page offers: one button per way this address may sign in."""

    choices: tuple[str, ...]


def _usable(uow: UnitOfWork, token: str, browser_secret: str | None) -> SigninLinkRow:
    """The link, or the reason it cannot sign anyone in (the page offers a new one)."""
    if not token or len(token) > _TOKEN_MAX:
        raise CredstackError("this sign-in link is not one we sent")
    link = uow.session.scalar(select(SigninLinkRow).where(SigninLinkRow.token_hash == _hash(token)))
    if link is None:
        raise CredstackError("this sign-in link is not one we sent")
    if link.used_at is not None:
        raise Gone("this sign-in link has already been used")
    if clock.now() >= link.expires_at:
        raise Gone("this sign-in link has expired")
    if not browser_secret or _hash(browser_secret) != link.browser_hash:
        raise CredstackError("this sign-in link works only in the browser where it was asked for")
    return link


def _choices(link: SigninLinkRow) -> tuple[str, ...]:
    return tuple(
        choice
        for choice, holder in ((AS_LEARNER, link.learner_id), (AS_STAFF, link.user_id))
        if holder is not None
    )


def inspect_link(runtime: Runtime, token: str, browser_secret: str | None) -> LinkView:
    """What opening the link shows; it only reads, so a scanner's GET signs nobody in."""
    with runtime.uow(write=False) as uow:
        link = _usable(uow, token, browser_secret)
        return LinkView(_choices(link))


@dataclass(frozen=True)
class SignedIn:
    session_id: str
    """For the cookie, once."""
    holder: str
    """`AS_LEARNER` or `AS_STAFF`."""
    learner_public_id: str | None
    next_path: str | None


def open_holder_session(
    uow: UnitOfWork,
    choice: str | None,
    learner_id: int | None,
    user_id: int | None,
    policy: SessionPolicy,
) -> tuple[str, str | None]:
    """The one session mechanism, whatever proved the person: a session for the learner or
    the staff member chosen; its id (for the cookie, once) and the learner's public id."""
    if choice == AS_LEARNER and learner_id is not None:
        learner = uow.session.get(LearnerRow, learner_id)
        if learner is None:
            raise Gone("this sign-in's account is gone")
        return open_learner_session(uow, learner, policy), learner.public_id
    if choice == AS_STAFF and user_id is not None:
        principal = principal_of(uow, user_id, token_id=None)
        if principal is None:
            raise Gone("this sign-in's account is gone")
        session_id, _row = open_session(uow, principal, policy)
        return session_id, None
    raise InvalidInput("choose how to sign in")


def complete_link(
    runtime: Runtime,
    token: str,
    browser_secret: str | None,
    policy: SessionPolicy,
    choice: str | None = None,
) -> SignedIn:
    """Use the link (once) and open a session for the holder chosen among `LinkView.choices`."""
    with runtime.uow() as uow:
        link = _usable(uow, token, browser_secret)
        choices = _choices(link)
        if choice is None and len(choices) == 1:
            choice = choices[0]
        if choice not in choices:
            raise InvalidInput("choose how to sign in: " + " or ".join(choices))
        now = clock.now()
        taken = uow.session.execute(
            update(SigninLinkRow)
            .where(
                SigninLinkRow.id == link.id,
                SigninLinkRow.used_at.is_(None),
                SigninLinkRow.expires_at > now,
            )
            .values(used_at=now, token_sealed=None)
            .execution_options(synchronize_session=False)
        )
        if getattr(taken, "rowcount", 0) != 1:
            raise Gone("this sign-in link has already been used")
        session_id, public_id = open_holder_session(
            uow, choice, link.learner_id, link.user_id, policy
        )
        signed_in = SignedIn(session_id, choice, public_id, link.next_path)
        uow.commit()
    return signed_in
