"""Page sessions end on sign-out, when idle, at the absolute limit, and with their token."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from credstack.errors import Forbidden
from credstack.service import clock
from credstack.service.actor import ActorKind
from credstack.service.keys import MemoryKeys
from credstack.service.learners import erase_learner
from credstack.service.people import (
    add_learner,
    add_user,
    authenticate,
    issue_token,
    revoke_token,
)
from credstack.service.sessions import (
    SessionPolicy,
    end_session,
    open_learner_session,
    open_session,
    session_holder,
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


def test_a_learner_session_signs_in_that_learner_only_and_ends_with_erasure(
    uow: UnitOfWork,
) -> None:
    ana = add_learner(uow, key="ana", name="Ana Lima", email="ana@example.org")
    add_learner(uow, key="ben", name="Ben Okoro", email="ben@example.org")
    session_id = open_learner_session(uow, ana, POLICY)
    found = session_holder(uow, session_id, POLICY)
    assert found is not None
    actor, _due = found
    assert actor.kind is ActorKind.LEARNER and actor.learner_id == ana.id
    assert actor.roles == frozenset()
    assert session_principal(uow, session_id, POLICY) is None  # no staff principal behind it
    erase_learner(
        uow,
        ana,
        reason="asked to be forgotten",
        actor="operator",
        keys=MemoryKeys(uow, "https://badges.example.org"),
    )
    assert session_holder(uow, session_id, POLICY) is None
    with pytest.raises(Forbidden):
        open_learner_session(uow, ana, POLICY)


def test_a_learner_session_ends_on_sign_out_when_idle_and_at_its_limit(uow: UnitOfWork) -> None:
    ana = add_learner(uow, key="ana", name="Ana Lima", email="ana@example.org")
    idle = open_learner_session(uow, ana, POLICY)
    row = uow.session.query(SessionRow).filter(SessionRow.learner_id == ana.id).one()
    row.last_seen_at -= timedelta(minutes=31)
    assert session_holder(uow, idle, POLICY) is None
    ended = open_learner_session(uow, ana, POLICY)
    assert end_session(uow, ended) is True
    assert session_holder(uow, ended, POLICY) is None


def test_a_session_has_exactly_one_holder(uow: UnitOfWork) -> None:
    """The database refuses a session that belongs to nobody (or to a user and a learner)."""
    uow.session.add(
        SessionRow(
            id_hash="0" * 64,
            created_at=clock.now(),
            last_seen_at=clock.now(),
            expires_at=clock.now() + timedelta(hours=1),
        )
    )
    with pytest.raises(IntegrityError):
        uow.session.flush()
