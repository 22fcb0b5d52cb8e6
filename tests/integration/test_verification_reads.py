"""What a verification reads, and what it keeps.

A verification of one of our credentials reads what it needs in one statement, and says what
the verifier said when it read the directory, the list and the award one by one. Others' status
lists from the trust directory are checked once per change of it, and a replaced list (a
revocation by the other institution) is seen at the next verification."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from credstack.config import Settings
from credstack.service.actor import Actor
from credstack.service.award_decisions import revoke
from credstack.service.runtime import Runtime, initialise
from credstack.service.verification import OwnIssuers, Verifier, verifier_for
from credstack.vc.result import VerificationResult
from tests.integration.imports.foreign import Institution
from tests.integration.issuance.factories import BASE, Ccrb

FROZEN = datetime(2026, 6, 1, 12, tzinfo=UTC)


@pytest.fixture
def runtime(tmp_path: Path, database_url: str) -> Iterator[Runtime]:
    made = initialise(
        Settings(data_dir=tmp_path / "data", database_url=database_url, base_url=BASE)
    )
    yield made
    made.close()


def _awarded(runtime: Runtime) -> tuple[str, bytes]:
    with runtime.uow() as uow:
        board = Ccrb(uow, runtime.master)
        award = board.award(
            board.learner("ben", "ben@example.org"), "gcp-essentials", date(2026, 3, 2)
        )
        uow.commit()
        return award.public_id, json.dumps(award.credential).encode("utf-8")


def _both(runtime: Runtime, data: bytes) -> tuple[VerificationResult, VerificationResult]:
    """The runtime's verifier, and one without its caches (each read on its own)."""
    with runtime.uow(write=False) as uow:
        together = verifier_for(runtime, uow, now=FROZEN).verify_bytes(data)
        own = OwnIssuers(uow, runtime.keys(uow), runtime.caches.status_lists)
        apart = Verifier(own, runtime.settings.base_url, now=FROZEN).verify_bytes(data)
    return together, apart


def _statements(runtime: Runtime, data: bytes) -> list[str]:
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH", "INSERT", "UPDATE")):
            seen.append(statement)

    event.listen(runtime.engine, "before_cursor_execute", count)
    try:
        with runtime.uow(write=False) as uow:
            assert verifier_for(runtime, uow, now=FROZEN).verify_bytes(data).verified
    finally:
        event.remove(runtime.engine, "before_cursor_execute", count)
    return seen


def test_one_statement_and_the_same_outcome(runtime: Runtime) -> None:
    public_id, data = _awarded(runtime)
    together, apart = _both(runtime, data)
    assert together.verified
    assert together.checks == apart.checks
    assert len(_statements(runtime, data)) == 1  # the caches are warm: one read

    revoke(runtime, Actor.operator(), public_id, reason="exam misconduct found later")
    together, apart = _both(runtime, data)
    assert not together.verified
    assert together.checks == apart.checks
    assert together.revocation_reason == apart.revocation_reason == "exam misconduct found later"


def test_a_credential_naming_a_list_or_award_that_is_not_there(runtime: Runtime) -> None:
    _public_id, data = _awarded(runtime)
    document = json.loads(data)
    document["id"] = f"{BASE}/credentials/no-such-award"
    document["credentialStatus"]["statusListCredential"] = f"{BASE}/status/nobody/revocation-9"
    changed = json.dumps(document).encode("utf-8")
    together, apart = _both(runtime, changed)
    assert not together.verified  # altered after signing
    assert together.checks == apart.checks


def _verified(runtime: Runtime, data: bytes, *, cached: bool = True) -> VerificationResult:
    with runtime.uow(write=False) as uow:
        verifier = verifier_for(runtime, uow)
        if not cached:  # the same verifier without the runtime's copy of the trusted lists
            assert isinstance(verifier.own, OwnIssuers)
            own = OwnIssuers(verifier.own.uow, verifier.own.keys, verifier.own.status_lists)
            verifier = Verifier(own, verifier.base_url, verifier.trust)
        return verifier.verify_bytes(data)


def _status(result: VerificationResult) -> tuple[bool, str]:
    check = result.check("status")
    assert check is not None
    return check.passed, check.message


def test_a_trusted_list_is_checked_once_and_a_replaced_one_is_seen(runtime: Runtime) -> None:
    trusted = runtime.settings.trust_directory
    harbor = Institution()
    harbor.publish(trusted)
    document = harbor.credential("ann@example.org")
    data = json.dumps(document).encode("utf-8")
    cache = runtime.caches.trusted_status_lists

    first = _verified(runtime, data)
    assert first.verified, first.checks
    assert len(cache) == 1
    with runtime.uow(write=False) as uow:
        ours = runtime.caches.own_issuers.current(uow, runtime.settings.base_url)
    kept = cache.fetch(
        runtime.caches.trust.load(trusted),
        harbor.status_url,
        checked_by=ours,
        verify=lambda _document: pytest.fail("a kept list is not checked again"),
    )
    assert kept is not None and kept.proof is not None and kept.proof.passed
    second = _verified(runtime, data)
    assert _status(second) == _status(first)
    assert second.checks == _verified(runtime, data, cached=False).checks

    harbor.revoke(document)
    harbor.publish(trusted)
    status_file = next(trusted.glob("*-status.json"))
    later = status_file.stat().st_mtime_ns + 1_000_000_000
    os.utime(status_file, ns=(later, later))  # a new file state even within one clock tick
    revoked = _verified(runtime, data)
    assert not revoked.verified
    passed, message = _status(revoked)
    assert not passed and "revoked" in message, message
    assert revoked.checks == _verified(runtime, data, cached=False).checks


def test_a_list_that_does_not_verify_is_refused_as_before(runtime: Runtime) -> None:
    trusted = runtime.settings.trust_directory
    harbor = Institution()
    harbor.publish(trusted)
    document = harbor.credential("ann@example.org")
    status_file = next(trusted.glob("*-status.json"))
    forged = json.loads(status_file.read_text())
    forged["credentialSubject"]["id"] = forged["credentialSubject"].get("id", "") + "#forged"
    status_file.write_text(json.dumps(forged))
    data = json.dumps(document).encode("utf-8")
    for _ in range(2):  # checked, then served as kept: refused both times
        result = _verified(runtime, data)
        passed, message = _status(result)
        assert not passed and "could not be trusted" in message, message
        assert result.checks == _verified(runtime, data, cached=False).checks
