"""Suspending and reinstating an award, end to end on SQLite and PostgreSQL.

Two runtimes on one database stand for two processes: the writer suspends or reinstates
through the use case an admin runs, and the reader's verification (warm caches and all) says so.
What the change owes is checked where it lands: the learner's e-mail in the outbox, the
issuer's webhook event, the award's history, and an audit trail whose chain still holds.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from credstack.config import Settings
from credstack.errors import Conflict, Forbidden, InvalidInput
from credstack.service import audit_trail, clock
from credstack.service.actor import Actor
from credstack.service.award_decisions import reinstate, revoke, suspend
from credstack.service.award_records import award_history_of, find_awards
from credstack.service.lifecycle import REASON_MAX, expire_award
from credstack.service.mail.messages import render
from credstack.service.people import add_user, grant_role, local_actor
from credstack.service.runtime import Runtime
from credstack.service.webhooks import endpoints
from credstack.store.models import AuditEventRow, OutboxMessageRow
from credstack.vc.result import VerificationResult
from tests.integration.issuance.factories import BASE, Ccrb
from tests.integration.two_runtimes import check, runtimes, verify

FROZEN = datetime(2026, 6, 1, 12, tzinfo=UTC)
ADMIN = "registrar@ccrb.example"
MENTOR = "mentor@ccrb.example"
HOOK = "http://127.0.0.1:9/credstack"


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        base_url=BASE,
        webhooks_allow_loopback=True,
    )


@pytest.fixture
def both(settings: Settings) -> Iterator[tuple[Runtime, Runtime]]:
    with runtimes(settings) as made:
        yield made


@pytest.fixture
def writer(both: tuple[Runtime, Runtime]) -> Runtime:
    return both[0]


@pytest.fixture
def reader(both: tuple[Runtime, Runtime]) -> Runtime:
    return both[1]


def _board(runtime: Runtime, *learners: str) -> list[tuple[str, dict[str, Any]]]:
    """The board, its registrar (admin) and a mentor (no admin role), a webhook endpoint for
    suspensions and reinstatements, and a GCP award to each learner, signed."""
    with runtime.uow() as uow:
        board = Ccrb(uow, runtime.master)
        admin = add_user(uow, email=ADMIN, name="Rita Registrar")
        grant_role(uow, user=admin, issuer=board.issuer, role="admin")
        mentor = add_user(uow, email=MENTOR, name="Mo Mentor")
        grant_role(uow, user=mentor, issuer=board.issuer, role="registrar")
        awards = [
            board.award(
                board.learner(name, f"{name}@example.org"), "gcp-essentials", date(2026, 3, 2)
            )
            for name in learners
        ]
        uow.commit()
        found = [(a.public_id, dict(a.credential or {})) for a in awards]
    events = ["credential.suspended", "credential.reinstated"]
    endpoints.add_endpoint(runtime, Actor.operator(), "ccrb", HOOK, events)
    return found


def _verify(runtime: Runtime, document: dict[str, Any]) -> VerificationResult:
    return verify(runtime, document, FROZEN)


def _outbox(runtime: Runtime, kind: str) -> list[OutboxMessageRow]:
    with runtime.uow(write=False) as uow:
        rows = uow.session.scalars(
            select(OutboxMessageRow).where(OutboxMessageRow.kind == kind).order_by("id")
        ).all()
        uow.session.expunge_all()
        return list(rows)


def _mail(runtime: Runtime, kind: str) -> list[str]:
    """The text of every e-mail of this kind, as the sender would render it."""
    with runtime.uow(write=False) as uow:
        rows = uow.session.scalars(
            select(OutboxMessageRow).where(OutboxMessageRow.kind == kind).order_by("id")
        ).all()
        texts = []
        for row in rows:
            rendered = render(uow, row, BASE)
            assert rendered is not None
            texts.append(f"{rendered.subject}\n{rendered.text}")
        return texts


def _webhooks(runtime: Runtime) -> list[tuple[str, str | None]]:
    return [
        (row.details["type"], row.details["data"].get("reason"))
        for row in _outbox(runtime, "webhook")
    ]


def test_a_suspension_fails_verification_until_the_award_is_reinstated(
    writer: Runtime, reader: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(clock, "utcnow", lambda: FROZEN)
    (public_id, document), (_other_id, other) = _board(writer, "ben", "ada")
    assert _verify(reader, document).verified  # the reader's copy of the lists is warm

    admin = local_actor(writer, ADMIN)
    done = suspend(writer, admin, public_id, reason="exam misconduct under investigation")
    assert (done.public_id, done.flagged) == (public_id, ())

    suspended = _verify(reader, document)
    assert not suspended.verified
    assert check(suspended, "suspension") == (
        False,
        f"The credential was suspended on {FROZEN.date()}.",
    )
    assert check(suspended, "status")[0]  # not revoked: the revocation bit is clear
    assert _verify(reader, other).verified  # the same lists, another index
    [listed] = find_awards(writer, state="suspended").awards
    assert listed.public_id == public_id and listed.state == "suspended"

    [said] = _mail(writer, "award.suspended")
    assert said.startswith("Your credential GCP Essentials was suspended\n")
    assert "was suspended: exam misconduct under investigation." in said
    assert "told it is suspended and not valid" in said

    done_again = reinstate(writer, admin, public_id, reason="investigation found no misconduct")
    assert (done_again.public_id, done_again.cleared) == (public_id, ())
    lifted = _verify(reader, document)
    assert lifted.verified, lifted.checks
    assert check(lifted, "suspension") == (True, "The issuer has not suspended the credential.")
    assert find_awards(writer, state="suspended").awards == []
    [said] = _mail(writer, "award.reinstated")
    assert "was reinstated: investigation found no misconduct." in said
    # The suspension's e-mail still says why it was suspended, rendered after the lifting.
    assert "exam misconduct under investigation" in _mail(writer, "award.suspended")[0]

    # Suspended again: a second suspension is news again, for the learner and the endpoint.
    suspend(writer, admin, public_id, reason="a second complaint")
    assert not _verify(reader, document).verified
    assert len(_mail(writer, "award.suspended")) == 2
    assert _webhooks(writer) == [
        ("credential.suspended", "exam misconduct under investigation"),
        ("credential.reinstated", "investigation found no misconduct"),
        ("credential.suspended", "a second complaint"),
    ]

    history = [(e.kind, e.actor, e.reason) for e in award_history_of(writer, public_id)]
    rita = f"Rita Registrar <{ADMIN}>"
    assert history[1:] == [
        ("suspended", rita, "exam misconduct under investigation"),
        ("reinstated", rita, "investigation found no misconduct"),
        ("suspended", rita, "a second complaint"),
    ]
    with writer.uow(write=False) as uow:
        actions = uow.session.scalars(
            select(AuditEventRow.action)
            .where(AuditEventRow.subject == f"award:{public_id}")
            .order_by(AuditEventRow.seq)
        ).all()
        assert actions[-3:] == ["award.suspended", "award.reinstated", "award.suspended"]
        report = audit_trail.verify_chain(uow)
        assert report.broken is None and report.count > 3


def test_only_an_active_award_is_suspended_and_only_a_suspended_one_reinstated(
    writer: Runtime,
) -> None:
    [(public_id, _doc), (lapsed_id, _lapsed)] = _board(writer, "ben", "ada")
    admin = local_actor(writer, ADMIN)

    with pytest.raises(Conflict, match="only a suspended award can be reinstated; this one is act"):
        reinstate(writer, admin, public_id, reason="nothing to lift")
    with pytest.raises(InvalidInput, match="a suspension needs a reason"):
        suspend(writer, admin, public_id, reason="   ")
    with pytest.raises(InvalidInput, match=f"at most {REASON_MAX} characters"):
        suspend(writer, admin, public_id, reason="x" * (REASON_MAX + 1))
    with pytest.raises(Forbidden, match="may not suspend awards"):
        suspend(writer, local_actor(writer, MENTOR), public_id, reason="I was told to")

    suspend(writer, admin, public_id, reason="under investigation")
    with pytest.raises(Conflict, match="only an active award can be suspended; this one is susp"):
        suspend(writer, admin, public_id, reason="again")
    with pytest.raises(InvalidInput, match="a reinstatement needs a reason"):
        reinstate(writer, admin, public_id, reason="")
    with pytest.raises(Forbidden, match="may not reinstate awards"):
        reinstate(writer, local_actor(writer, MENTOR), public_id, reason="cleared")

    # A suspended award may be revoked; a revocation is final.
    revoke(writer, admin, public_id, reason="misconduct confirmed")
    with pytest.raises(Conflict, match="this one is revoked"):
        reinstate(writer, admin, public_id, reason="changed our mind")
    with pytest.raises(Conflict, match="this one is revoked"):
        suspend(writer, admin, public_id, reason="again")

    with writer.uow() as uow:
        award = uow.awards.by_public_id(lapsed_id)
        assert award is not None
        expire_award(uow, award, reason="validity ended", on=date(2026, 5, 1))
        uow.commit()
    with pytest.raises(Conflict, match="this one is expired"):
        suspend(writer, admin, lapsed_id, reason="too late")
    assert _outbox(writer, "award.reinstated") == []
    assert len(_outbox(writer, "award.suspended")) == 1
