"""Mutated certificates: a PDF is a pointer, so it verifies only as the credential it names.

The certificate our server makes is mutated from a fixed seed and verified with the real
verifier on each database. A mutation may verify only as the award printed on it (the
certificate carries no claim of its own); anything else is a clear error or not verified,
never a traceback.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime

from credstack.errors import InvalidInput
from credstack.service.badges import certificate
from credstack.service.keys import KeyStore
from credstack.service.status import SignedStatusLists
from credstack.service.verification import OwnIssuers, Verifier
from credstack.store.secrets import MasterKey
from credstack.store.uow import UnitOfWork
from tests.mutations import mutate_bytes

from .factories import BASE, ccrb

SEED = 20261202
COUNT = 100
NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def test_mutated_certificates_verify_only_as_the_credential_they_name(
    uow: UnitOfWork, master_key: MasterKey
) -> None:
    board = ccrb(uow, master_key)
    award = board.award(board.learner("ben", "ben@example.org"), "gcp-essentials", date(2026, 3, 2))
    assert award.credential is not None
    pdf = certificate(uow, BASE, award)
    keys = KeyStore(uow, master_key, BASE)
    verifier = Verifier(OwnIssuers(uow, keys, SignedStatusLists()), BASE, now=NOW)
    assert verifier.verify_bytes(pdf).recognised
    rng = random.Random(SEED)
    outcomes = {"verified as printed": 0, "not verified": 0, "unreadable": 0}
    for _ in range(COUNT):
        mutated = mutate_bytes(pdf, rng)
        try:
            result = verifier.verify_bytes(mutated)
        except InvalidInput as exc:
            unreadable = exc.message
            outcomes["unreadable"] += 1
            # a clear error about the file itself: unreadable, or its attached credential is
            assert unreadable.startswith(("the PDF cannot be read", "the PDF's credential.json"))
            continue
        if result.verified:
            assert result.credential is not None
            assert result.credential["id"] == award.credential["id"]
            outcomes["verified as printed"] += 1
        else:
            outcomes["not verified"] += 1
    assert sum(outcomes.values()) == COUNT
