"""The hash-chained audit trail: what is recorded, tampering found, concurrent appends."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, text

from credstack.domain.audit_trail import GENESIS, AuditEvent, first_broken_link
from credstack.service import audit_trail
from credstack.service.lifecycle import revoke_award
from credstack.service.people import add_user, grant_role, issue_token, remove_role, revoke_token
from credstack.store import migrate
from credstack.store.db import make_engine
from credstack.store.models import AuditEventRow
from credstack.store.secrets import MasterKey
from credstack.store.uow import UnitOfWork, UnitOfWorkFactory
from tests.conftest import DatabaseFactory
from tests.helpers import Cli
from tests.integration.issuance.factories import Ccrb

AT = datetime(2026, 12, 2, 19, 0, tzinfo=UTC)


def _actions(uow: UnitOfWork) -> list[str]:
    return list(uow.session.scalars(select(AuditEventRow.action).order_by(AuditEventRow.seq)))


def test_a_changed_event_breaks_its_own_link_and_a_removed_one_the_next() -> None:
    first = AuditEvent(1, AT, "system", "key.created", "issuer:x", {"key": "z1"})
    second = AuditEvent(2, AT, "system", "award.issued", "award:a", {}, prev_hash=first.digest())
    chain = [(first, first.digest()), (second, second.digest())]
    assert first_broken_link(chain) is None
    edited = AuditEvent(1, AT, "system", "key.created", "issuer:x", {"key": "z2"})
    broken = first_broken_link([(edited, first.digest()), (second, second.digest())])
    assert broken is not None and broken.seq == 1
    gap = first_broken_link([(second, second.digest())])
    assert gap is not None and gap.seq == 2 and "missing" in gap.why
    assert first.prev_hash == GENESIS


def test_awards_keys_catalog_roles_and_tokens_are_recorded(
    uow: UnitOfWork, master_key: MasterKey
) -> None:
    ccrb = Ccrb(uow, master_key)
    award = ccrb.award(ccrb.learner("ana", "ana@example.org"), "gcp-essentials", date(2026, 3, 9))
    user = add_user(uow, email="reg@ccrb.example", name="Registrar")
    grant_role(uow, user=user, issuer=ccrb.issuer, role="admin")
    issue_token(uow, user=user, name="ops")
    revoke_award(uow, award, reason="exam irregularity", by_user_id=user.id)
    ccrb.keys.create(ccrb.issuer)
    token = issue_token(uow, user=user, name="laptop")
    revoke_token(uow, user=user, token=token[:8])
    remove_role(uow, user=user, issuer=ccrb.issuer, role="admin")
    actions = _actions(uow)
    assert actions[:2] == ["key.created", "catalog.loaded"]
    assert actions[-9:] == [
        "award.issued",
        "key.used",
        "role.granted",
        "token.created",
        "award.revoked",
        "key.rotated",
        "token.created",
        "token.revoked",
        "role.removed",
    ]
    removed, revoked_token = (
        uow.session.scalars(select(AuditEventRow).where(AuditEventRow.action == action)).one()
        for action in ("role.removed", "token.revoked")
    )
    assert removed.subject == revoked_token.subject == "user:reg@ccrb.example"
    assert removed.details == {"issuer": "ccrb", "role": "admin", "scope": ""}
    assert revoked_token.details == {"name": "laptop", "prefix": token[:8]}
    revoked = uow.session.scalars(
        select(AuditEventRow).where(AuditEventRow.action == "award.revoked")
    ).one()
    assert revoked.actor == "user:reg@ccrb.example"
    assert revoked.subject == f"award:{award.public_id}"
    assert revoked.details == {"reason": "exam irregularity"}
    report = audit_trail.verify_chain(uow)
    assert report.broken is None and report.count == len(actions)


def test_a_rolled_back_change_leaves_no_entry(units: UnitOfWorkFactory) -> None:
    with units() as uow:
        add_user(uow, email="a@example.org", name="A")
        uow.commit()
    with units() as uow:
        user = uow.users.by_email("a@example.org")
        assert user is not None
        issue_token(uow, user=user, name="t")
        uow.rollback()
    with units() as uow:
        assert "token.created" not in _actions(uow)


def test_audit_trail_verify_reports_the_first_tampered_event(
    tmp_path: Path, database_url: str
) -> None:
    cli = Cli(tmp_path / "data", database_url)
    cli.ok("init")
    cli.ok("issuer", "add", "ccrb", "--name", "CCRB")
    cli.ok("user", "add", "reg@ccrb.example", "--name", "Registrar")
    cli.ok("user", "grant", "reg@ccrb.example", "--issuer", "ccrb", "--role", "admin")
    cli.ok("user", "token", "reg@ccrb.example")
    assert cli.ok("audit-trail", "verify").strip() == "3 events, chain intact"
    listed = cli.ok("audit-trail", "list").splitlines()
    assert [line.split("\t")[3] for line in listed] == [
        "key.created",
        "role.granted",
        "token.created",
    ]
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text("UPDATE audit_events SET actor = 'user:mallory@example.org' WHERE seq = 2")
            )
    finally:
        engine.dispose()
    result = cli.run("audit-trail", "verify")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "error: audit trail broken at event 2: its content does not match its hash"
    )
    bad = cli.run("audit-trail", "list", "--limit", "0")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


@pytest.mark.postgres
def test_concurrent_appends_on_postgresql_never_fork_the_chain(tmp_path: Path) -> None:
    databases = DatabaseFactory("postgresql", tmp_path)
    engine = make_engine(databases.create())
    try:
        migrate.upgrade(engine)
        units = UnitOfWorkFactory(engine)
        writers, each = 6, 15
        start = threading.Barrier(writers)
        errors: list[BaseException] = []

        def append(n: int) -> None:
            try:
                start.wait()
                for i in range(each):
                    with units() as uow:
                        audit_trail.record(uow, action="test.append", subject=f"w{n}:{i}")
                        uow.commit()
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=append, args=(n,)) for n in range(writers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        with units() as uow:
            report = audit_trail.verify_chain(uow)
            seqs = list(uow.session.scalars(select(AuditEventRow.seq).order_by(AuditEventRow.seq)))
        assert report.broken is None and report.count == writers * each
        assert seqs == list(range(1, writers * each + 1))
    finally:
        engine.dispose()
        databases.drop_all()


def _record_then_fail(uow: UnitOfWork) -> None:
    with audit_trail.deferred(uow):
        audit_trail.record(uow, action="dropped", subject="x:4")
        raise RuntimeError("the unit of work fails")


def test_deferred_events_are_appended_in_order_at_the_end_of_the_block(
    units: UnitOfWorkFactory,
) -> None:
    """Inside `audit_trail.deferred` nothing is appended until the block ends; then every
    event, in the order recorded and each at its own instant, extends an intact chain. An
    exception leaving the block drops them; an inner block leaves them to the outer one."""
    with units() as uow:
        audit_trail.record(uow, action="first", subject="x:1")
        with audit_trail.deferred(uow):
            audit_trail.record(uow, action="second", subject="x:2", details={"n": 2})
            with audit_trail.deferred(uow):
                audit_trail.record(uow, action="third", subject="x:3")
            assert _actions(uow)[-1] == "first"
        assert _actions(uow)[-3:] == ["first", "second", "third"]
        with pytest.raises(RuntimeError):
            _record_then_fail(uow)
        assert "dropped" not in _actions(uow)
        audit_trail.record(uow, action="after", subject="x:5")
        assert _actions(uow)[-4:] == ["first", "second", "third", "after"]
        rows = list(uow.session.scalars(select(AuditEventRow).order_by(AuditEventRow.seq)))
        assert rows[-3].details == {"n": 2}
        assert [row.at for row in rows[-4:]] == sorted(row.at for row in rows[-4:])
        report = audit_trail.verify_chain(uow)
        assert report.broken is None
