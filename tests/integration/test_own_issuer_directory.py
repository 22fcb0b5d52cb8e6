"""The verifier's cached directory of our own issuers never serves what has changed.

Two runtimes on one database stand for two processes of `serve --workers N`: one keeps a warm
cache while the other adds an issuer or rotates a key, and the warm one must see it at once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest

from credstack.api.verify_schemas import VerificationOut
from credstack.config import Settings
from credstack.service.actor import Actor
from credstack.service.identity import issuer_did
from credstack.service.issuers import create_issuer, rotate_issuer_key
from credstack.service.runtime import Runtime, initialise, open_runtime
from credstack.service.verification import (
    report_json,
    result_json,
    unusable,
    verifier_for,
)
from credstack.vc import dataintegrity
from credstack.vc.keys import SigningKey
from credstack.vc.result import VerificationResult
from tests.integration.issuance.factories import BASE, Ccrb


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_url, base_url=BASE)


@pytest.fixture
def writer(settings: Settings) -> Iterator[Runtime]:
    made = initialise(settings)
    yield made
    made.close()


@pytest.fixture
def reader(writer: Runtime, settings: Settings) -> Iterator[Runtime]:
    """Another process's runtime on the same database: caches of its own."""
    other = open_runtime(settings)
    yield other
    other.close()


def _credential(runtime: Runtime) -> dict[str, Any]:
    with runtime.uow() as uow:
        board = Ccrb(uow, runtime.master)
        award = board.award(
            board.learner("ben", "ben@example.org"), "gcp-essentials", date(2026, 3, 2)
        )
        uow.commit()
        assert award.credential is not None
        return dict(award.credential)


def _signing_key(runtime: Runtime, issuer_key: str) -> SigningKey:
    with runtime.uow(write=False) as uow:
        issuer = uow.issuers.by_key(issuer_key)
        assert issuer is not None
        return runtime.keys(uow).signing_key(issuer)


def _verify(runtime: Runtime, document: dict[str, Any], now: datetime) -> VerificationResult:
    with runtime.uow(write=False) as uow:
        return verifier_for(runtime, uow, now=now).verify_bytes(json.dumps(document).encode())


def _signed(document: dict[str, Any], key: SigningKey, at: datetime) -> dict[str, Any]:
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    return dataintegrity.sign(unsecured, key, created=at)


def test_a_rotated_key_is_seen_at_once_by_a_warm_cache(writer: Runtime, reader: Runtime) -> None:
    document = _credential(writer)
    later = datetime.now(UTC) + timedelta(minutes=5)
    now = later + timedelta(hours=1)
    assert _verify(reader, document, now).verified
    with reader.uow(write=False) as uow:
        warm = reader.caches.own_issuers.current(uow, BASE)
        assert reader.caches.own_issuers.current(uow, BASE) is warm  # unchanged: not rebuilt
    old_key = _signing_key(writer, "ccrb")

    rotate_issuer_key(writer, Actor.operator(), "ccrb")

    # The reader's cached directory still lists the old key as active; it must not be used.
    forged = _verify(reader, _signed(document, old_key, later), now)
    assert not forged.verified
    signature = forged.check("signature")
    assert signature is not None and not signature.passed
    assert "after the key was retired" in signature.message
    new = _verify(reader, _signed(document, _signing_key(writer, "ccrb"), later), now)
    assert new.verified, new.checks  # the new key, unknown to the warm cache, resolves
    assert _verify(reader, document, now).verified  # signed before the rotation: still good


def test_a_new_issuer_is_recognised_at_once_by_a_warm_cache(
    writer: Runtime, reader: Runtime
) -> None:
    document = _credential(writer)
    now = datetime.now(UTC) + timedelta(hours=1)
    assert _verify(reader, document, now).verified  # the reader's cache is warm

    create_issuer(writer, Actor.operator(), key="nursing", name="Nursing Board")

    did = issuer_did(BASE, "nursing")
    with reader.uow(write=False) as uow:
        known = verifier_for(reader, uow).issuers.by_did(did)
    assert known is not None and known.name == "Nursing Board"
    theirs = {**document, "issuer": {**document["issuer"], "id": did, "name": "Nursing Board"}}
    result = _verify(reader, _signed(theirs, _signing_key(writer, "nursing"), now), now)
    signature = result.check("signature")
    assert signature is not None and signature.passed, result.checks  # its key resolves
    assert result.recognition is not None and result.recognition.signer == did
    assert result.recognition.name == "Nursing Board"


def test_the_report_bytes_are_the_api_model(writer: Runtime, reader: Runtime) -> None:
    document = _credential(writer)
    result = _verify(reader, document, datetime.now(UTC))
    rendered = report_json(result)
    assert orjson.loads(rendered) == VerificationOut.model_validate(result_json(result)).model_dump(
        mode="json"
    )
    odd = json.loads(report_json(unusable("a lone surrogate \ud800", "json")))  # not UTF-8
    assert odd["verified"] is False and odd["checks"][0]["message"].endswith("\ud800")
