"""The verifier's checked copies of our status lists never serve a status that has changed.

Two runtimes on one database stand for two processes of `serve --workers N`: the reader
verifies (so its copy of the list is checked, decoded and kept), the writer revokes or
suspends, and the reader's next verification must say so.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from credstack.config import Settings
from credstack.domain.records import AwardStatus
from credstack.service import clock
from credstack.service.actor import Actor
from credstack.service.award_decisions import revoke
from credstack.service.runtime import Runtime
from credstack.service.status import mark_reinstated, mark_suspended
from credstack.vc.result import VerificationResult
from tests.integration.issuance.factories import BASE, Ccrb
from tests.integration.two_runtimes import check, runtimes, verify

FROZEN = datetime(2026, 6, 1, 12, tzinfo=UTC)


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_url, base_url=BASE)


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


def _awarded(runtime: Runtime, *learners: str) -> list[tuple[str, dict[str, Any]]]:
    """An award to each learner, signed with the installation's keys (one status list)."""
    with runtime.uow() as uow:
        board = Ccrb(uow, runtime.master)
        awards = [
            board.award(
                board.learner(name, f"{name}@example.org"), "gcp-essentials", date(2026, 3, 2)
            )
            for name in learners
        ]
        uow.commit()
        return [(a.public_id, dict(a.credential or {})) for a in awards]


def _verify(runtime: Runtime, document: dict[str, Any]) -> VerificationResult:
    return verify(runtime, document, FROZEN)


def _set_suspended(runtime: Runtime, public_id: str, suspended: bool) -> None:
    with runtime.uow() as uow:
        award = uow.awards.by_public_id(public_id)
        assert award is not None
        if suspended:
            mark_suspended(uow, award)
            award.status = AwardStatus.SUSPENDED
        else:
            mark_reinstated(uow, award)
            award.status = AwardStatus.ACTIVE
        award.status_changed_at = clock.now()
        uow.commit()


def test_a_revocation_is_seen_by_a_warm_verifier_in_another_runtime(
    writer: Runtime, reader: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One instant for every change: the lists' bits, not their dates, tell the copies apart.
    monkeypatch.setattr(clock, "utcnow", lambda: FROZEN)
    (public_id, document), (_other_id, other) = _awarded(writer, "ben", "ada")
    assert _verify(reader, document).verified
    assert _verify(reader, other).verified
    assert len(reader.caches.checked_status_lists) == 1  # checked once, for both credentials

    revoke(writer, Actor.operator(), public_id, reason="exam misconduct found later")

    result = _verify(reader, document)
    assert not result.verified
    passed, message = check(result, "status")
    assert not passed and message == f"The credential was revoked on {FROZEN.date()}.", message
    assert result.revocation_reason == "exam misconduct found later"
    assert _verify(reader, other).verified  # the same list, another index: still good
    assert len(reader.caches.checked_status_lists) == 1  # the new copy replaced the old one


def test_a_suspension_and_its_lifting_are_seen_by_a_warm_verifier(
    writer: Runtime, reader: Runtime
) -> None:
    [(public_id, document)] = _awarded(writer, "ben")
    assert _verify(reader, document).verified

    _set_suspended(writer, public_id, True)
    suspended = _verify(reader, document)
    assert not suspended.verified
    passed, message = check(suspended, "suspension")
    assert not passed and message.startswith("The credential was suspended on "), message

    _set_suspended(writer, public_id, False)
    lifted = _verify(reader, document)
    assert lifted.verified, lifted.checks
    assert check(lifted, "suspension") == (True, "The issuer has not suspended the credential.")
