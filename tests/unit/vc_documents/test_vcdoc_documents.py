"""OB 3.0 documents: schema-valid, every term defined by a context, signable, readable back."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from vcdoc_helpers import ISSUER, NOW, issuer_key, resolver_for, sample_award

from credstack.domain.taxonomy import AchievementType, from_ob_achievement_type
from credstack.vc import dataintegrity
from credstack.vc.documents import (
    credential_parts,
    endorsement_credential,
    hash_email,
    open_badge_credential,
)
from credstack.vc.jsonld import undefined_terms
from credstack.vc.model import EarningRoute, SubjectIdentity
from credstack.vc.recipient import check_recipient
from credstack.vc.schema import schema_errors
from credstack.vc.summary import summarize


def test_award_document_matches_the_official_schema_strictly() -> None:
    assert schema_errors(open_badge_credential(sample_award()), strict=True) == []


def test_parts_built_once_give_the_document_built_whole_and_others_are_ignored() -> None:
    award = sample_award()
    parts = credential_parts(award.issuer, award.achievement)
    whole = open_badge_credential(award)
    assert open_badge_credential(award, parts) == whole
    assert list(open_badge_credential(award, parts)) == list(whole)  # same key order
    renamed = replace(award, achievement=replace(award.achievement, name="Another name"))
    other = open_badge_credential(renamed, parts)
    assert other == open_badge_credential(renamed)
    assert other["credentialSubject"]["achievement"]["name"] == "Another name"


def test_award_document_uses_only_terms_its_contexts_define() -> None:
    assert undefined_terms(open_badge_credential(sample_award())) == []


@pytest.mark.parametrize(
    ("kind", "achievement_type"),
    [
        (AchievementType.BADGE, "Badge"),
        (AchievementType.MICROCREDENTIAL, "MicroCredential"),
        (AchievementType.CERTIFICATE, "Certificate"),
        (AchievementType.CERTIFICATION, "Certification"),
        (AchievementType.DEGREE, "Degree"),
        (AchievementType.CE_ACTIVITY, "ext:ContinuingEducationActivity"),
        (AchievementType.COURSE, "Course"),
    ],
)
def test_each_kind_maps_to_a_schema_valid_achievement_type(
    kind: AchievementType, achievement_type: str
) -> None:
    award = sample_award()
    award = replace(award, achievement=replace(award.achievement, kind=kind))
    document = open_badge_credential(award)
    assert document["credentialSubject"]["achievement"]["achievementType"] == achievement_type
    assert schema_errors(document, strict=True) == []
    assert from_ob_achievement_type(achievement_type) is kind


def test_hashed_email_subject_is_an_identity_object_and_never_the_address() -> None:
    salt = "s4lt-1b2c"
    subject = SubjectIdentity(email_hash=hash_email(" Ana.Diaz@Example.org ", salt), salt=salt)
    document = open_badge_credential(sample_award(subject=subject))
    expected = "sha256$" + hashlib.sha256(b"ana.diaz@example.org" + salt.encode()).hexdigest()
    identity = document["credentialSubject"]["identifier"][0]
    assert identity == {
        "type": "IdentityObject",
        "hashed": True,
        "identityHash": expected,
        "identityType": "emailAddress",
        "salt": salt,
    }
    assert "id" not in document["credentialSubject"]
    assert "ana.diaz" not in str(document).lower()
    assert schema_errors(document, strict=True) == []
    assert undefined_terms(document) == []


def test_subject_needs_an_identity() -> None:
    with pytest.raises(ValueError, match="a DID, an email hash, or both"):
        SubjectIdentity()
    with pytest.raises(ValueError, match="sha256"):
        SubjectIdentity(email_hash="plain@example.org")


def test_route_and_rigor_are_in_the_signed_evidence() -> None:
    document = open_badge_credential(sample_award())
    route = document["evidence"][0]
    assert route["type"] == ["Evidence"]
    assert route["genre"] == "Assessment"
    assert route["description"] == (
        "route: assessment; proctored: yes; identity verified: yes; cut score: 70%."
    )
    assert "proctored assessment with a cut score of 70%" in route["narrative"]
    counted = document["evidence"][1]
    assert counted["id"] == "https://credentials.example.org/credentials/101"
    assert counted["genre"] == "Credential"


def test_attestation_route_records_who_when_and_the_statement() -> None:
    route = EarningRoute(
        kind="attestation",
        attester_name="Maria Lopez (mentor)",
        attested_at=datetime(2025, 5, 30, tzinfo=UTC),
        attestation_statement="Runs effective one-to-ones with her team.",
    )
    document = open_badge_credential(sample_award(route=route))
    narrative = document["evidence"][0]["narrative"]
    assert "Maria Lopez (mentor)" in narrative
    assert "2025-05-30" in narrative
    assert "Runs effective one-to-ones" in narrative
    assert schema_errors(document, strict=True) == []


def test_ce_hours_and_credits_are_results_a_verifier_can_read() -> None:
    summary = summarize(open_badge_credential(sample_award()))
    assert summary.ce_hours == 6.0
    assert summary.credits == 1.5
    assert summary.competencies == ("Diagnose viral haemorrhagic fevers",)
    assert summary.route == "assessment"
    assert summary.proctored is True
    assert summary.identity_verified is True
    assert summary.cut_score == "70%"
    assert summary.kind_words == "microcredential"
    assert summary.counted_credentials == ("Viral haemorrhagic fevers: foundations",)
    assert (
        "Earned by passing an assessment, proctored, identity verified, cut score 70%."
        in summary.text
    )
    assert "Continuing education hours: 6." in summary.text


def test_credential_schema_reference_brings_the_extensions_context() -> None:
    schema_id = (
        "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
        "ob_v3p0_achievementcredential_schema.json"
    )
    document = open_badge_credential(sample_award(schema_ids=(schema_id,)))
    assert document["@context"][-1] == "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
    assert undefined_terms(document) == []
    assert schema_errors(document, strict=True) == []


def test_naive_dates_are_refused() -> None:
    naive = datetime(2025, 1, 1)  # noqa: DTZ001 - the naive value the document refuses
    with pytest.raises(ValueError, match="time zone"):
        open_badge_credential(sample_award(valid_from=naive))


def test_signed_award_verifies_with_the_issuer_key() -> None:
    key = issuer_key()
    signed = dataintegrity.sign(open_badge_credential(sample_award()), key, created=NOW)
    assert dataintegrity.verify(signed, resolver_for(key)).passed
    # A single proof object is a one-element set in JSON-LD; the schema copy wants an array.
    assert schema_errors(signed) == []


def test_endorsement_is_schema_valid_and_defined() -> None:
    document = endorsement_credential(
        credential_id="urn:uuid:0b9c6a57-7a7e-4b8a-8b0e-8f3f2c1e9d10",
        issuer=ISSUER,
        endorsed_id="https://credentials.example.org/achievements/ebola-diagnosis",
        comment="The assessment meets the board's standard for field diagnosis.",
        valid_from=datetime(2025, 1, 1, tzinfo=UTC),
    )
    assert document["type"] == ["VerifiableCredential", "EndorsementCredential"]
    assert schema_errors(document, strict=True) == []
    assert undefined_terms(document) == []


def test_a_bound_did_is_the_subject_id_and_the_address_hash_stays() -> None:
    """A learner who proved a DID is named by it; the e-mail check keeps working."""
    did = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    salt = "pepper"
    subject = SubjectIdentity(did=did, email_hash=hash_email("ana@example.org", salt), salt=salt)
    both = replace(sample_award(), subject=subject)
    document = open_badge_credential(both)
    written = document["credentialSubject"]
    assert written["id"] == did
    assert written["identifier"][0]["identityType"] == "emailAddress"
    assert check_recipient(document, "ana@example.org").matches is True
    assert schema_errors(document, strict=True) == []
    assert undefined_terms(document) == []
