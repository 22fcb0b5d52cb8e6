"""Server-side page sessions: the browser holds a random id, never an API token.

A session belongs to a staff member or to a learner. The id is 256 random bits; only its
SHA-256 is stored, so a copy of the database opens no session. A session ends when its holder
signs out, when the token that opened it is revoked, when its learner is erased, after `idle`
without a request, and at the latest `lifetime` after sign-in.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from credstack.errors import Forbidden
from credstack.service import clock
from credstack.service.actor import Actor
from credstack.service.people import (
    Principal,
    actor_of,
    authenticate,
    principal_of,
    record_token_use,
)
from credstack.service.runtime import Runtime
from credstack.store.models import ApiTokenRow, LearnerRow, SessionRow
from credstack.store.uow import UnitOfWork

__all__ = [
    "SessionPolicy",
    "TokenHolder",
    "end_session",
    "open_learner_session",
    "open_session",
    "session_actor",
    "session_holder",
    "session_principal",
    "sign_in",
    "sign_out",
    "token_holder",
    "touch_session",
]

_SEEN_GRANULARITY = timedelta(minutes=1)
"""`last_seen_at` is written at most once a minute, so browsing stays (almost) read-only."""


@dataclass(frozen=True)
class SessionPolicy:
    idle: timedelta
    lifetime: timedelta


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def _new_session(
    uow: UnitOfWork, policy: SessionPolicy, **holder: int | None
) -> tuple[str, SessionRow]:
    session_id = secrets.token_urlsafe(32)
    now = clock.now()
    row = SessionRow(
        id_hash=_hash(session_id),
        created_at=now,
        last_seen_at=now,
        expires_at=now + policy.lifetime,
        **holder,
    )
    uow.session.add(row)
    uow.session.flush()
    return session_id, row


def open_session(
    uow: UnitOfWork, principal: Principal, policy: SessionPolicy
) -> tuple[str, SessionRow]:
    """A staff member's session: its id (for the cookie, once) and its row."""
    return _new_session(uow, policy, user_id=principal.user_id, token_id=principal.token_id)


def open_learner_session(uow: UnitOfWork, learner: LearnerRow, policy: SessionPolicy) -> str:
    """A learner's session: its id, for the cookie, once. The caller has proved who they are
    (a sign-in link); an erased learner cannot sign in."""
    if learner.erased_at is not None:
        raise Forbidden("an erased learner cannot sign in")
    session_id, _row = _new_session(uow, policy, learner_id=learner.id)
    return session_id


def _live(uow: UnitOfWork, session_id: str, policy: SessionPolicy) -> SessionRow | None:
    row = uow.session.query(SessionRow).filter_by(id_hash=_hash(session_id)).one_or_none()
    now = clock.now()
    if row is None or row.revoked_at is not None or now >= row.expires_at:
        return None
    if now - row.last_seen_at >= policy.idle:
        return None
    if row.token_id is not None:
        token = uow.session.get(ApiTokenRow, row.token_id)
        if token is None or token.revoked_at is not None:
            return None
    if row.learner_id is not None:
        learner = uow.session.get(LearnerRow, row.learner_id)
        if learner is None or learner.erased_at is not None:
            return None
    return row


def _seen_due(row: SessionRow) -> bool:
    return clock.now() - row.last_seen_at >= _SEEN_GRANULARITY


def session_principal(
    uow: UnitOfWork, session_id: str, policy: SessionPolicy
) -> tuple[Principal, bool] | None:
    """The signed-in staff member and whether `last_seen_at` is due a write; None if ended
    or if the session is a learner's."""
    row = _live(uow, session_id, policy)
    if row is None or row.user_id is None:
        return None
    principal = principal_of(uow, row.user_id, token_id=row.token_id)
    if principal is None:
        return None
    return principal, _seen_due(row)


def session_holder(
    uow: UnitOfWork, session_id: str, policy: SessionPolicy
) -> tuple[Actor, bool] | None:
    """Who the session signs in (staff or learner) and whether `last_seen_at` is due a write."""
    row = _live(uow, session_id, policy)
    if row is None:
        return None
    if row.learner_id is not None:
        learner = uow.session.get(LearnerRow, row.learner_id)
        assert learner is not None  # _live checked it
        return Actor.learner(learner.id, learner.key), _seen_due(row)
    found = session_principal(uow, session_id, policy)
    if found is None:
        return None
    principal, due = found
    return actor_of(principal), due


def touch_session(uow: UnitOfWork, session_id: str, policy: SessionPolicy) -> None:
    row = _live(uow, session_id, policy)
    if row is not None:
        row.last_seen_at = clock.now()


def end_session(uow: UnitOfWork, session_id: str) -> bool:
    """Revoke the session; False if there was none to end."""
    row = uow.session.query(SessionRow).filter_by(id_hash=_hash(session_id)).one_or_none()
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = clock.now()
    return True


def sign_in(runtime: Runtime, token: str, policy: SessionPolicy) -> str | None:
    """Open a page session for the API token's holder: the new session's id (for the cookie,
    once), or None when the token is unknown or revoked."""
    with runtime.uow() as uow:
        principal = authenticate(uow, token.strip())
        if principal is None:
            return None
        session_id, _row = open_session(uow, principal, policy)
        uow.commit()
    return session_id


def sign_out(runtime: Runtime, session_id: str) -> bool:
    """End the session on the server too, so a copied cookie is useless; False if none was."""
    with runtime.uow() as uow:
        ended = end_session(uow, session_id)
        uow.commit()
    return ended


@dataclass(frozen=True)
class TokenHolder:
    actor: Actor
    token_id: int
    use_due: bool
    """The token's "last used" is older than its granularity: worth a note (`note_use`)."""

    def note_use(self, runtime: Runtime) -> None:
        """Token bookkeeping, at most hourly, in its own short write a busy database skips."""
        if self.use_due:
            token_id = self.token_id
            runtime.note(lambda uow: record_token_use(uow, token_id))


def token_holder(runtime: Runtime, token: str) -> TokenHolder | None:
    """Who an API token stands for, or None if it is unknown or revoked; only reads."""
    with runtime.uow(write=False) as uow:
        principal = authenticate(uow, token)
    if principal is None or principal.token_id is None:
        return None
    return TokenHolder(actor_of(principal), principal.token_id, principal.token_use_due)


def session_actor(
    runtime: Runtime, session_id: str, policy: SessionPolicy, *, touch: bool
) -> Actor | None:
    """The signed-in staff member or learner, or None if the session ended, expired or never was.

    Reads in its own read-only unit of work; with `touch`, moving the idle deadline (at most
    once a minute) is a separate short write that a busy database simply skips. Only reads
    touch: a write request's own unit of work may already hold the (SQLite) write lock."""
    with runtime.uow(write=False) as uow:
        found = session_holder(uow, session_id, policy)
    if found is None:
        return None
    actor, due = found
    if due and touch:
        runtime.note(lambda uow: touch_session(uow, session_id, policy))
    return actor
