"""CLR 2.0 learner records wrapping signed OB 3.0 credentials."""

from __future__ import annotations

import json
from typing import Any

from vcdoc_helpers import CLR20, ISSUER, NOW, issuer_key, load_json, resolver_for, sample_award

from credstack.vc import dataintegrity
from credstack.vc.clr import AssociationInfo, clr_credential, clr_structure_check
from credstack.vc.documents import open_badge_credential
from credstack.vc.jsonld import undefined_terms
from credstack.vc.keys import SigningKey
from credstack.vc.model import SubjectIdentity
from credstack.vc.verify import verify_credential

LEARNER = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"


def _record(key: SigningKey, credentials: list[dict[str, Any]]) -> dict[str, Any]:
    return clr_credential(
        credential_id="urn:uuid:6a1d9e58-9d55-4c86-8e32-2f57d4a0c0aa",
        issuer=ISSUER,
        name="Learner record",
        subject=SubjectIdentity(did=LEARNER),
        credentials=credentials,
        valid_from=NOW,
        associations=(
            AssociationInfo(
                "https://credentials.example.org/achievements/ebola-diagnosis",
                "https://credentials.example.org/achievements/tropical-medicine",
                "isPartOf",
            ),
        ),
        partial=True,
    )


def _credentials(key: SigningKey) -> list[dict[str, Any]]:
    first = open_badge_credential(sample_award(status=None))
    second = open_badge_credential(sample_award(id="urn:uuid:second", status=None))
    return [dataintegrity.sign(c, key, created=NOW) for c in (first, second)]


def test_record_uses_defined_terms_and_verifies_with_its_contents() -> None:
    key = issuer_key()
    record = _record(key, _credentials(key))
    assert undefined_terms(record) == []
    assert clr_structure_check(record).passed
    signed = dataintegrity.sign(record, key, created=NOW)
    result = verify_credential(json.dumps(signed), resolver=resolver_for(key), now=NOW)
    assert result.verified, result.failures
    embedded = result.check("embedded")
    assert embedded is not None
    assert embedded.message == "All 2 credentials in the record verified."


def test_record_with_a_tampered_credential_fails() -> None:
    key = issuer_key()
    credentials = _credentials(key)
    credentials[1]["name"] = "Something else"
    signed = dataintegrity.sign(_record(key, credentials), key, created=NOW)
    result = verify_credential(json.dumps(signed), resolver=resolver_for(key), now=NOW)
    assert [c.name for c in result.failures] == ["embedded"]
    assert result.failures[0].message.startswith("Credential 2 in the record failed")


def test_validator_clr_fixture_has_the_clr_structure() -> None:
    assert clr_structure_check(load_json(CLR20 / "simple.json")).passed
    broken = load_json(CLR20 / "simple.json")
    broken["credentialSubject"]["type"] = ["AchievementSubject"]
    assert not clr_structure_check(broken).passed
