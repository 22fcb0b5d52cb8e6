"""The credential's stable URL sends the signed document as the database keeps it: read fresh
each time, so a credential re-signed (an erasure removes a clear name) is served as re-signed
at once, and an award not signed is no credential."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from credstack.store.secrets import MasterKey
from credstack.store.uow import UnitOfWork
from credstack.vc import dataintegrity
from tests.integration.issuance.factories import Ccrb


def test_the_stored_text_is_the_signed_document_as_it_is_now(
    uow: UnitOfWork, master_key: MasterKey
) -> None:
    board = Ccrb(uow, master_key)
    award = board.award(board.learner("ana"), "gcp-essentials", date(2026, 3, 9))
    uow.session.flush()
    assert award.credential is not None
    text = uow.awards.signed_text(award.public_id)
    assert text is not None and json.loads(text) == award.credential

    document = {k: v for k, v in award.credential.items() if k != "proof"}
    document["name"] = "re-signed"
    signing_key = board.keys.signing_key(board.issuer)
    award.credential = dataintegrity.sign(
        document, signing_key, created=datetime(2026, 3, 10, tzinfo=UTC)
    )
    uow.session.flush()
    again = uow.awards.signed_text(award.public_id)
    assert again is not None and json.loads(again) == award.credential
    assert json.loads(again)["name"] == "re-signed"

    award.credential = None
    uow.session.flush()
    assert uow.awards.signed_text(award.public_id) is None
    assert uow.awards.signed_text("no-such-credential") is None
