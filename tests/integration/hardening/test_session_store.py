"""Page sessions end on sign-out, when idle, at the absolute limit, and with their token."""

from __future__ import annotations

from datetime import timedelta

from credstack.service.people import add_user, authenticate, issue_token, revoke_token
from credstack.service.sessions import (
    SessionPolicy,
    end_session,
    open_session,
    session_principal,
    touch_session,
)
from credstack.store.models import SessionRow
from credstack.store.uow import UnitOfWork

POLICY = SessionPolicy(idle=timedelta(minutes=30), lifetime=timedelta(hours=12))


def _signed_in(uow: UnitOfWork, name: str = "cli") -> tuple[str, SessionRow, str]:
    user = uow.users.by_email("amy@example.org") or add_user(
        uow, email="amy@example.org", name="Amy"
    )
    token = issue_token(uow, user=user, name=name)
    principal = authenticate(uow, token)
    assert principal is not None
    session_id, row = open_session(uow, principal, POLICY)
    return session_id, row, token


def test_a_session_is_stored_hashed_and_signs_its_user_in(uow: UnitOfWork) -> None:
    session_id, row, _token = _signed_in(uow)
    assert len(session_id) >= 43 and row.id_hash != session_id
    found = session_principal(uow, session_id, POLICY)
    assert found is not None and found[0].email == "amy@example.org"
    assert session_principal(uow, session_id + "x", POLICY) is None


def test_idle_sessions_end_and_activity_keeps_them_alive(uow: UnitOfWork) -> None:
    session_id, row, _token = _signed_in(uow)
    row.last_seen_at -= timedelta(minutes=29)
    found = session_principal(uow, session_id, POLICY)
    assert found is not None and found[1] is True  # due a last-seen write
    touch_session(uow, session_id, POLICY)
    assert session_principal(uow, session_id, POLICY) is not None
    row.last_seen_at -= timedelta(minutes=31)
    assert session_principal(uow, session_id, POLICY) is None


def test_sessions_end_at_the_absolute_limit_even_when_active(uow: UnitOfWork) -> None:
    session_id, row, _token = _signed_in(uow)
    row.created_at -= timedelta(hours=12)
    row.expires_at -= timedelta(hours=12)
    assert session_principal(uow, session_id, POLICY) is None


def test_sign_out_and_token_revocation_end_the_session(uow: UnitOfWork) -> None:
    session_id, _row, token = _signed_in(uow)
    user = uow.users.by_email("amy@example.org")
    assert user is not None
    revoke_token(uow, user=user, token=token[:8])
    assert session_principal(uow, session_id, POLICY) is None
    assert authenticate(uow, token) is None
    other, _row, _token = _signed_in(uow, name="second")
    assert end_session(uow, other) is True
    assert end_session(uow, other) is False
    assert session_principal(uow, other, POLICY) is None
