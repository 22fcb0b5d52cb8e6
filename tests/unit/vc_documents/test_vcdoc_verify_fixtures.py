"""Every negative fixture of the official 1EdTech validator fails, with the right check.

The fixtures' issuers are trusted through ``fixture_resolver`` (their keys, nothing fetched).
The validator's probe for each fixture maps onto one of our checks: ContextPropertyProbe to
"context", TypePropertyProbe to "type", the schema and sub-object type probes to "schema",
EmbeddedProofProbe to "signature", Expiration/IssuanceProbe to "validity".
"""

from __future__ import annotations

import pytest
from vcdoc_helpers import NOW, OB30, fixture_resolver, load_json

from credstack.vc.resolve import DidResolver
from credstack.vc.status import FetchedStatusList
from credstack.vc.verify import verify_credential

RESOLVER: DidResolver = fixture_resolver()

NEGATIVE = {
    "simple-err-context.json": {"context"},
    "simple-err-type.json": {"type"},
    "simple-err-issuer.json": {"schema", "issuer"},
    "simple-err-issuer-type.json": {"schema"},
    "simple-err-issuer-parentorg-type.json": {"schema"},
    "simple-err-issuer-otheridentifier-type.json": {"schema"},
    "simple-err-credential-subject-type.json": {"schema"},
    "simple-err-credential-subject-identifier-type.json": {"schema"},
    "simple-err-credential-subject-profile-type.json": {"schema"},
    "simple-err-credential-subject-result-type.json": {"schema"},
    "simple-err-credential-subject-achievement-result-description-type.json": {"schema"},
    "simple-err-evidence-type.json": {"schema"},
    "simple-err-expired.json": {"validity"},
    "simple-err-issued.json": {"validity"},
    "simple-err-proof-method.json": {"signature", "issuer"},
    "simple-err-proof-method-no-scheme.json": {"signature", "issuer"},
    "simple-err-proof-method-unknown-scheme.json": {"signature", "issuer"},
    "simple-err-proof-method-unknown-did-method.json": {"signature", "issuer"},
    "simple-err-proof-value.json": {"signature"},
}


def test_every_negative_fixture_is_listed() -> None:
    assert {p.name for p in OB30.glob("simple-err-*")} == set(NEGATIVE)


@pytest.mark.parametrize(("name", "failing"), sorted(NEGATIVE.items()))
def test_negative_fixture_fails_with_the_right_check(name: str, failing: set[str]) -> None:
    result = verify_credential((OB30 / name).read_bytes(), resolver=RESOLVER, now=NOW)
    assert not result.verified
    assert failing <= {check.name for check in result.failures}


def test_failure_messages_are_plain_sentences() -> None:
    def message(name: str, check: str) -> str:
        result = verify_credential((OB30 / name).read_bytes(), resolver=RESOLVER, now=NOW)
        found = result.check(check)
        assert found is not None
        return found.message

    assert message("simple-err-expired.json", "validity") == (
        "The credential expired on 2010-01-01."
    )
    assert message("simple-err-issued.json", "validity") == (
        "The credential is not valid until 2040-01-01."
    )
    assert message("simple-err-proof-value.json", "signature").startswith(
        "The signature is invalid"
    )
    assert "could not be resolved" in message("simple-err-proof-method.json", "issuer")
    assert "OtherCredential" in message("simple-err-type.json", "type")
    assert "InvalidEvidence" in message("simple-err-evidence-type.json", "schema")


@pytest.mark.parametrize(
    "name",
    [
        "simple.json",
        "simple.1ob",
        "simple-context-alias.json",
        "simple-context-version.json",
        "simple-did-web-method.json",
        "simple-multiple-proofs.json",
        "endorsement-valid.json",
        "simple-json.png",
        "simple-json.svg",
    ],
)
def test_positive_fixture_verifies(name: str) -> None:
    result = verify_credential((OB30 / name).read_bytes(), resolver=RESOLVER, now=NOW)
    assert result.verified, result.failures


def test_positive_fixture_is_not_verified_without_its_issuer_key() -> None:
    result = verify_credential((OB30 / "simple.json").read_bytes(), resolver=DidResolver(), now=NOW)
    assert not result.verified
    issuer = result.check("issuer")
    assert issuer is not None
    assert issuer.message == (
        "The issuer's key https://example.com/issuers/876543#"
        "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi could not be resolved, "
        "so the issuer is not known."
    )


def test_did_key_signature_does_not_make_the_key_holder_the_issuer() -> None:
    # Stricter than the validator, on purpose: the issuer (urn:uuid:...) does not control
    # the did:key that signed, so anyone could have made this credential in its name.
    result = verify_credential(
        (OB30 / "simple-did-key-method.json").read_bytes(), resolver=RESOLVER, now=NOW
    )
    assert not result.verified
    assert {"signature", "issuer"} <= {c.name for c in result.failures}


def test_vc_1_1_fixtures_are_refused_at_the_context_check() -> None:
    for name in ("simple_v1.json", "simple-eddsa-2022.json", "simple-noproof.json"):
        result = verify_credential((OB30 / name).read_bytes(), resolver=RESOLVER, now=NOW)
        assert "context" in {c.name for c in result.failures}, name


def test_rs256_jwt_fixtures_fail_the_signature_check_plainly() -> None:
    for name in ("simple.jwt", "simple-jwt.png", "simple-jwt.svg"):
        result = verify_credential((OB30 / name).read_bytes(), resolver=RESOLVER, now=NOW)
        signature = result.check("signature")
        assert signature is not None
        assert not signature.passed
        assert "RS256" in signature.message


def test_revoked_fixture_is_reported_revoked_with_its_date() -> None:
    credential = OB30 / "bit-string-list" / "credential-status-revoked.json"
    testlist = load_json(OB30 / "bit-string-list" / "testlist")
    url = load_json(credential)["credentialStatus"]["statusListCredential"]
    revoked_on = NOW.replace(year=2025, month=2, day=14)

    def lists(requested: str) -> FetchedStatusList | None:
        return FetchedStatusList(testlist, {23: revoked_on}) if requested == url else None

    result = verify_credential(
        credential.read_bytes(), resolver=RESOLVER, status_lists=lists, now=NOW
    )
    assert [c.name for c in result.failures] == ["status"]
    assert result.failures[0].message == "The credential was revoked on 2025-02-14."
    without_lists = verify_credential(credential.read_bytes(), resolver=RESOLVER, now=NOW)
    assert not without_lists.verified
