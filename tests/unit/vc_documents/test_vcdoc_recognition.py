"""Issuer recognition and the recipient check: what "Verified" adds to a valid signature."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from vcdoc_helpers import DIRECTORY, ISSUER_DID, NOW, issuer_key, resolver_for, sample_award

from credstack.errors import InvalidInput
from credstack.service.trust_lists import TrustStore, TrustStores, parse_trust_list
from credstack.vc import dataintegrity, jose
from credstack.vc.documents import hash_email, open_badge_credential
from credstack.vc.keys import SigningKey, signing_key_from_private_key
from credstack.vc.model import SubjectIdentity
from credstack.vc.recipient import check_recipient
from credstack.vc.recognition import RecognitionStatus
from credstack.vc.result import VerificationResult
from credstack.vc.verify import verify_credential

REAL_NAME = "Tropical Medicine Certification Board"


def _stranger() -> SigningKey:
    return signing_key_from_private_key("did:key", Ed25519PrivateKey.generate())


def _unsigned(**issuer: Any) -> dict[str, Any]:
    document = open_badge_credential(sample_award())
    document.pop("credentialStatus", None)
    document["issuer"] = {**document["issuer"], **issuer}
    return document


def _verify(data: str) -> VerificationResult:
    return verify_credential(data, resolver=resolver_for(issuer_key()), now=NOW, issuers=DIRECTORY)


def test_re_signed_by_a_stranger_with_the_name_kept_is_an_impersonation() -> None:
    stranger = _stranger()
    forged = dataintegrity.sign(_unsigned(id=stranger.controller), stranger, created=NOW)
    result = _verify(json.dumps(forged))
    # the cryptography holds (the stranger did sign it) ...
    assert all(c.passed for c in result.checks if c.name != "status"), result.failures
    # ... but the credential pretends to be from a recognised issuer
    assert result.recognition is not None
    assert result.recognition.status is RecognitionStatus.IMPERSONATION
    assert result.recognition.signer == stranger.controller
    assert not result.verified and not result.recognised
    assert result.headline == (
        f"Not verified: The credential claims to be from {REAL_NAME}, but it was signed by "
        f"{stranger.controller}, which {REAL_NAME} never used: an impersonation."
    )
    assert result.summary is not None and result.summary.issuer_name is None
    assert f'calls itself "{REAL_NAME}", not a recognised issuer' in result.summary.text


def test_keeping_our_id_or_only_our_web_address_is_an_impersonation_too() -> None:
    stranger = _stranger()
    kept_id = dataintegrity.sign(_unsigned(), stranger, created=NOW)
    by_url = dataintegrity.sign(
        _unsigned(
            id=stranger.controller, name="Tropical Med", url="https://credentials.example.org"
        ),
        stranger,
        created=NOW,
    )
    for forged in (kept_id, by_url):
        result = _verify(json.dumps(forged))
        assert result.impersonation and not result.verified
        assert result.headline.startswith(
            f"Not verified: The credential claims to be from {REAL_NAME}"
        )


def test_a_self_issued_vc_jwt_with_our_name_is_an_impersonation() -> None:
    stranger = _stranger()
    token = jose.sign_jwt(_unsigned(id=stranger.controller), stranger)
    result = _verify(token)
    assert result.check("signature") is not None and result.check("signature").passed  # type: ignore[union-attr]
    assert result.impersonation and not result.verified
    assert stranger.controller in result.headline


def test_an_authentic_credential_from_an_unknown_issuer_says_so_first() -> None:
    stranger = _stranger()
    theirs = dataintegrity.sign(
        _unsigned(id=stranger.controller, name="Acme Skills", url="https://acme.example"),
        stranger,
        created=NOW,
    )
    result = _verify(json.dumps(theirs))
    assert result.verified and not result.recognised
    assert result.recognition is not None
    assert result.recognition.status is RecognitionStatus.UNRECOGNISED
    assert result.headline.startswith(
        f"Authentic, but not from a recognised issuer: The issuer {stranger.controller} calls "
        'itself "Acme Skills", not a recognised issuer.'
    )
    assert result.summary is not None
    assert result.summary.issuer_name is None
    assert result.summary.issuer_claimed_name == "Acme Skills"
    assert "issued by did:key:" in result.summary.text


def test_the_recognised_name_comes_from_the_directory_not_the_file() -> None:
    key = issuer_key()
    renamed = dataintegrity.sign(
        _unsigned(name="Tropical Medicine Board (renamed)"), key, created=NOW
    )
    result = verify_credential(
        json.dumps(renamed), resolver=resolver_for(key), now=NOW, issuers=DIRECTORY
    )
    assert result.recognised
    assert result.summary is not None and result.summary.issuer_name == REAL_NAME
    assert result.recognition is not None and result.recognition.signer == ISSUER_DID


def test_recipient_is_checked_with_the_credentials_own_salt() -> None:
    salted = SubjectIdentity(email_hash=hash_email("Ada@Example.org", "pepper"), salt="pepper")
    document = open_badge_credential(sample_award(subject=salted))
    assert check_recipient(document, " ada@example.org ").matches is True
    assert check_recipient(document, "eve@example.org").matches is False
    assert check_recipient(document, "eve@example.org").message == (
        "Issued to the holder of eve@example.org: no."
    )
    by_did = open_badge_credential(sample_award())
    assert check_recipient(by_did, "ada@example.org").matches is None


def test_trust_lists_yaml_and_the_dcc_registry(tmp_path: Path) -> None:
    (tmp_path / "partners.yaml").write_text(
        "- did: did:key:z6MkpartnerA\n  name: Partner College\n  url: https://partner.example\n"
    )
    registry = {
        "meta": {"created": "2024-01-01"},
        "registry": {
            "did:web:oneuni.example": {
                "name": "One University",
                "url": "https://oneuni.example",
                "location": "Somewhere",
            }
        },
    }
    (tmp_path / "registry.json").write_text(json.dumps(registry))
    store = TrustStore.read(tmp_path)
    assert [(i.dids, i.name, i.source) for i in store.issuers] == [
        (("did:key:z6MkpartnerA",), "Partner College", "trust list partners.yaml"),
        (("did:web:oneuni.example",), "One University", "trust list registry.json"),
    ]
    assert store.documents == {}  # a registry is not mistaken for a trusted document


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("a.yaml", "did: x\n", "a trust list is a YAML list"),
        ("b.yaml", "- name: No Did\n", "entry 1: did must be a DID"),
        ("c.yaml", "- did: did:key:z6Mk\n  name: ''\n", "entry 1: name must be 1 to 300"),
        ("d.yaml", "- [unclosed\n", "line 1: malformed YAML"),
        ("e.json", '{"registry": {"did:key:z": {"url": "x"}}}', "name must be 1 to 300"),
    ],
)
def test_bad_trust_lists_name_the_file(name: str, text: str, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_trust_list(Path(f"/etc/trust/{name}"), text)
    assert caught.value.message.startswith(f"/etc/trust/{name}: ")
    assert message in caught.value.message


def test_an_oversized_trust_list_is_refused(tmp_path: Path) -> None:
    (tmp_path / "huge.yaml").write_bytes(b"#" * (4 * 1024 * 1024 + 1))
    (tmp_path / "huge.json").write_bytes(b" " * (4 * 1024 * 1024 + 1))
    with pytest.raises(InvalidInput, match=r"huge\.json: a file in the trust directory may be"):
        TrustStore.read(tmp_path)
    (tmp_path / "huge.json").unlink()
    with pytest.raises(InvalidInput, match=r"huge\.yaml: a file in the trust directory may be"):
        TrustStores().load(tmp_path)
