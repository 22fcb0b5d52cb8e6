"""The caches belong to a runtime: two runtimes share none, and none serves what has changed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from credstack.config import Settings
from credstack.service import clock
from credstack.service.actor import Actor
from credstack.service.award_decisions import revoke
from credstack.service.credentials import status_list_document
from credstack.service.runtime import Runtime, initialise, open_runtime
from credstack.service.verification import verifier_for
from credstack.vc.status import Bitstring
from tests.integration.issuance.factories import BASE, Ccrb

FROZEN = datetime(2026, 6, 1, 12, tzinfo=UTC)


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_url, base_url=BASE)


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    made = initialise(settings)
    yield made
    made.close()


def _awarded(runtime: Runtime) -> tuple[str, int]:
    """An award of the clinical research board, signed with the installation's keys."""
    with runtime.uow() as uow:
        board = Ccrb(uow, runtime.master)
        award = board.award(
            board.learner("ben", "ben@example.org"), "gcp-essentials", date(2026, 3, 2)
        )
        assert award.status_list_index is not None
        uow.commit()
        return award.public_id, award.status_list_index


def _revoked(document: dict[str, object], index: int) -> bool:
    subject = document["credentialSubject"]
    assert isinstance(subject, dict)
    return Bitstring.decode(subject["encodedList"]).get(index)


def test_two_runtimes_share_no_cache(runtime: Runtime, settings: Settings) -> None:
    other = open_runtime(settings)
    try:
        mine, theirs = runtime.caches, other.caches
        assert mine is not theirs
        assert mine.decoded is not theirs.decoded
        assert mine.status_lists is not theirs.status_lists
        assert mine.trust is not theirs.trust
        with runtime.uow(write=False) as uow, other.uow(write=False) as elsewhere:
            assert uow.decoded is mine.decoded and elsewhere.decoded is theirs.decoded

        settings.trust_directory.mkdir(parents=True, exist_ok=True)
        (settings.trust_directory / "partners.yaml").write_text(
            "- did: did:key:z6MkpartnerA\n  name: Partner College\n"
        )
        public_id, _index = _awarded(runtime)
        status_list_document(runtime, "ccrb", "revocation-1")
        with runtime.uow(write=False) as uow:
            award = uow.awards.by_public_id(public_id)
            assert award is not None
            assert verifier_for(runtime, uow).verify_award(award).verified

        assert mine.decoded.sizes[0] >= 1 and len(mine.status_lists) >= 1 and len(mine.trust) == 1
        assert theirs.decoded.sizes == (0, 0)
        assert len(theirs.status_lists) == 0 and len(theirs.trust) == 0
    finally:
        other.close()


def test_a_revocation_is_served_at_once_through_the_status_list_cache(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every change happens at one instant, so only the list's bits tell the copies apart.
    monkeypatch.setattr(clock, "utcnow", lambda: FROZEN)
    public_id, index = _awarded(runtime)
    before = status_list_document(runtime, "ccrb", "revocation-1")
    assert status_list_document(runtime, "ccrb", "revocation-1") is before  # signed once
    assert not _revoked(before, index)

    revoke(runtime, Actor.operator(), public_id, reason="exam misconduct found later")

    after = status_list_document(runtime, "ccrb", "revocation-1")
    assert _revoked(after, index)
    assert len(runtime.caches.status_lists) == 1  # the new copy replaced the old one
    with runtime.uow(write=False) as uow:
        award = uow.awards.by_public_id(public_id)
        assert award is not None
        result = verifier_for(runtime, uow, now=FROZEN).verify_award(award)
    assert not result.verified
    status = result.check("status")
    assert status is not None and not status.passed, result.checks
