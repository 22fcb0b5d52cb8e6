"""Learners' names and addresses at rest: sealed, looked up by keyed hash, erasable."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from credstack.errors import Conflict, InvalidInput
from credstack.service.audit_trail import verify_chain
from credstack.service.badges import certificate
from credstack.service.keys import KeyStore
from credstack.service.learners import (
    ERASED_NAME,
    by_email,
    erase_learner,
    profile,
    set_profile,
)
from credstack.service.sharing import ShareLinks
from credstack.service.status import SignedStatusLists
from credstack.service.verification import OwnIssuers, Verifier
from credstack.store.models import AuditEventRow, Base, LearnerRow
from credstack.store.models.learners import new_public_id
from credstack.store.secrets import MasterKey, PersonalData
from credstack.store.uow import UnitOfWork
from credstack.vc import dataintegrity
from tests.integration.issuance.factories import BASE, Ccrb

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
PEOPLE = {
    "ana": ("Anaïs Quintanilha", "Anais.Quintanilha@Example.org"),
    "ben": ("Benedikt Brandt", None),
}


def dump(uow: UnitOfWork) -> str:
    """Every row of every table, as text: what a stolen database dump would show."""
    out = []
    for table in Base.metadata.sorted_tables:
        for row in uow.session.execute(select(table)).all():
            for value in row:
                if isinstance(value, bytes):
                    out.append(value.decode("latin-1"))
                elif isinstance(value, dict | list):
                    out.append(json.dumps(value, ensure_ascii=False))
                else:
                    out.append(str(value))
    return "\n".join(out).lower()


def _board(uow: UnitOfWork, master: MasterKey) -> tuple[Ccrb, dict[str, LearnerRow]]:
    board = Ccrb(uow, master)
    learners = {key: board.learner(key) for key in PEOPLE}
    for key, (name, email) in PEOPLE.items():
        set_profile(uow, learners[key], name=name, email=email)
        board.award(learners[key], "gcp-essentials", date(2026, 3, 9))
    return board, learners


def test_a_database_dump_holds_no_learner_name_or_address(
    uow: UnitOfWork, master_key: MasterKey
) -> None:
    _board(uow, master_key)
    uow.session.flush()
    text = dump(uow)
    for name, email in PEOPLE.values():
        for part in name.lower().split():
            assert part not in text
        if email:
            assert email.lower() not in text
            assert email.split("@")[0].lower() not in text


def test_names_and_addresses_open_with_the_master_key_only(
    uow: UnitOfWork, master_key: MasterKey
) -> None:
    _made, learners = _board(uow, master_key)
    assert profile(uow, learners["ana"]).name == "Anaïs Quintanilha"
    assert profile(uow, learners["ana"]).email == "Anais.Quintanilha@Example.org"
    assert profile(uow, learners["ben"]).email is None
    found = by_email(uow, "  ANAIS.quintanilha@example.ORG ")
    assert found is learners["ana"]
    other = UnitOfWork(uow.session, PersonalData.derive(MasterKey(b"o" * 32)))
    assert by_email(other, "anais.quintanilha@example.org") is None
    with pytest.raises(Exception, match="wrong master key"):
        profile(other, learners["ana"])
    # a sealed name copied onto another learner does not open there
    learners["ben"].name_sealed = learners["ana"].name_sealed
    with pytest.raises(Exception, match="moved to another learner"):
        profile(uow, learners["ben"])


def test_a_second_learner_with_the_same_address_is_refused(
    uow: UnitOfWork, master_key: MasterKey
) -> None:
    board, _made = _board(uow, master_key)
    with pytest.raises(Conflict):
        board.learner("ana2", "anais.quintanilha@example.org ")
    with pytest.raises(InvalidInput):
        board.learner("nobody", "not-an-address")


def test_the_credential_names_its_subject_by_salted_hash_only(
    uow: UnitOfWork, master_key: MasterKey
) -> None:
    _board(uow, master_key)
    for learner in uow.session.scalars(select(LearnerRow)).all():
        for award in uow.awards.for_learner(learner.id):
            assert award.credential is not None
            document = json.dumps(award.credential).lower()
            assert not {"alves", "anais.quintanilha@example.org", "brandt", "benedikt"} & set(
                document.replace('"', " ").split()
            )
            assert "alves" not in document and "brandt" not in document
            identifier = award.credential["credentialSubject"]["identifier"][0]
            assert identifier["identityHash"] == learner.identity_hash
            assert identifier["hashed"] is True


def test_an_erased_learner_keeps_verifiable_credentials_and_leaves_an_audit_entry(
    uow: UnitOfWork, master_key: MasterKey
) -> None:
    _made, learners = _board(uow, master_key)
    ana = learners["ana"]
    [award] = uow.awards.for_learner(ana.id)
    payload = json.dumps(award.credential).encode()
    erase_learner(
        uow,
        ana,
        reason="the learner asked (ticket 42)",
        actor="user:dpo@ccrb.example",
        keys=_made.keys,
    )
    uow.session.flush()
    assert profile(uow, ana).name == ERASED_NAME and profile(uow, ana).email is None
    assert ana.key.startswith("erased.") and uow.learners.by_key("ana") is None
    assert by_email(uow, "anais.quintanilha@example.org") is None
    assert "quintanilha" not in dump(uow)
    keys = KeyStore(uow, master_key, BASE)
    own = OwnIssuers(uow, keys, SignedStatusLists(), ShareLinks(master_key))
    verifier = Verifier(own, BASE, now=NOW)
    assert verifier.verify_bytes(payload).verified
    assert uow.awards.for_learner(ana.id) == [award]
    event = uow.session.scalars(
        select(AuditEventRow).where(AuditEventRow.action == "learner.erased")
    ).one()
    assert (event.subject, event.actor) == (f"learner:{ana.public_id}", "user:dpo@ccrb.example")
    assert event.details == {"reason": "the learner asked (ticket 42)"}
    assert verify_chain(uow).broken is None
    with pytest.raises(Conflict):
        erase_learner(uow, ana, reason="again", actor="system", keys=_made.keys)
    with pytest.raises(InvalidInput):
        erase_learner(uow, learners["ben"], reason="  ", actor="system", keys=_made.keys)


def _every_part(name: str, email: str | None) -> list[str]:
    parts = [part.lower() for part in name.split()] + [name.lower()]
    if email:
        parts += [email.lower(), email.split("@")[0].lower()]
    return parts


def test_erasure_leaves_no_name_or_address_in_clear_in_any_table(
    uow: UnitOfWork, master_key: MasterKey
) -> None:
    """Read back every table's raw content after erasure, a credential from before names
    were hashed (the name in clear in its subject) included: it is re-signed without it."""
    _made, learners = _board(uow, master_key)
    keys = KeyStore(uow, master_key, BASE)
    ana = learners["ana"]
    [award] = uow.awards.for_learner(ana.id)
    assert award.credential is not None
    # What `pdfkeys` issued: the name in clear as a second identifier, signed.
    legacy = {k: v for k, v in award.credential.items() if k != "proof"}
    clear_name = {
        "type": "IdentityObject",
        "hashed": False,
        "identityHash": PEOPLE["ana"][0],
        "identityType": "name",
    }
    legacy["credentialSubject"] = {
        **legacy["credentialSubject"],
        "identifier": [*legacy["credentialSubject"]["identifier"], clear_name],
    }
    award.credential = dataintegrity.sign(legacy, keys.signing_key(_made.issuer), created=NOW)
    held = json.dumps(award.credential).encode()
    uow.session.flush()
    assert "quintanilha" in dump(uow)  # the legacy credential names her in clear
    erase_learner(uow, ana, reason="asked", actor="system", keys=keys)
    erase_learner(uow, learners["ben"], reason="asked", actor="system", keys=keys)
    uow.session.flush()
    text = dump(uow)
    for name, email in PEOPLE.values():
        for part in _every_part(name, email):
            assert part not in text, part
    own = OwnIssuers(uow, keys, SignedStatusLists(), ShareLinks(master_key))
    verifier = Verifier(own, BASE, now=NOW)
    assert verifier.verify_bytes(held).verified  # the copy she holds
    kept = verifier.verify_bytes(json.dumps(award.credential).encode())
    assert kept.verified, kept.headline
    event = uow.session.scalars(
        select(AuditEventRow).where(
            AuditEventRow.action == "learner.erased",
            AuditEventRow.subject == f"learner:{ana.public_id}",
        )
    ).one()
    assert event.details["resigned"] == [award.public_id]
    with pytest.raises(Conflict, match="erased learner"):
        certificate(uow, BASE, award)  # it would print a name no longer kept
    assert verify_chain(uow).broken is None


def test_public_ids_never_read_as_a_command_line_option() -> None:
    ids = [new_public_id() for _ in range(2000)]
    assert not any(i.startswith("-") for i in ids)
    assert all(i != i.lower() and len(i) == 22 for i in ids)
