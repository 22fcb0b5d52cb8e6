"""Server-side page sessions: the browser holds a random id, never an API token.

The id is 256 random bits; only its SHA-256 is stored, so a copy of the database opens no
session. A session ends when its holder signs out, when the token that opened it is revoked,
after `idle` without a request, and at the latest `lifetime` after sign-in.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from credstack.service import clock
from credstack.service.people import Principal, principal_of
from credstack.store.models import ApiTokenRow, SessionRow
from credstack.store.uow import UnitOfWork

__all__ = ["SessionPolicy", "end_session", "open_session", "session_principal", "touch_session"]

_SEEN_GRANULARITY = timedelta(minutes=1)
"""`last_seen_at` is written at most once a minute, so browsing stays (almost) read-only."""


@dataclass(frozen=True)
class SessionPolicy:
    idle: timedelta
    lifetime: timedelta


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def open_session(
    uow: UnitOfWork, principal: Principal, policy: SessionPolicy
) -> tuple[str, SessionRow]:
    """Return the new session's id (for the cookie, once) and its row."""
    session_id = secrets.token_urlsafe(32)
    now = clock.now()
    row = SessionRow(
        id_hash=_hash(session_id),
        user_id=principal.user_id,
        token_id=principal.token_id,
        created_at=now,
        last_seen_at=now,
        expires_at=now + policy.lifetime,
    )
    uow.session.add(row)
    uow.session.flush()
    return session_id, row


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
    return row


def session_principal(
    uow: UnitOfWork, session_id: str, policy: SessionPolicy
) -> tuple[Principal, bool] | None:
    """The signed-in principal and whether `last_seen_at` is due a write; None if ended."""
    row = _live(uow, session_id, policy)
    if row is None:
        return None
    principal = principal_of(uow, row.user_id, token_id=row.token_id)
    if principal is None:
        return None
    return principal, clock.now() - row.last_seen_at >= _SEEN_GRANULARITY


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
