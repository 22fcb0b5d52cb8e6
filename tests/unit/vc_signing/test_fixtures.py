"""The official 1EdTech validator's fixtures, checked where their keys resolve offline."""

from __future__ import annotations

from typing import Any

import pytest

from credstack.vc.dataintegrity import verify
from credstack.vc.resolve import DidResolver

from .support import DATA, load_json

OB30 = DATA / "ob30-fixtures"


def _controller_documents(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Controller documents an issuer would publish for the fixture's https key ids.

    The fixtures name keys as ``<issuer URL>#<publicKeyMultibase>``; the 1EdTech validator
    reads the key from that fragment. We never do that implicitly: the test supplies the
    controller document a verifier would have been given for the issuer.
    """
    documents: dict[str, dict[str, Any]] = {}
    proofs = document.get("proof")
    for proof in proofs if isinstance(proofs, list) else [proofs]:
        method = str((proof or {}).get("verificationMethod", ""))
        controller, _, fragment = method.partition("#")
        if controller.startswith("https://") and fragment.startswith("z6Mk"):
            documents.setdefault(
                controller, {"id": controller, "verificationMethod": [], "assertionMethod": []}
            )
            documents[controller]["verificationMethod"].append(
                {
                    "id": method,
                    "type": "Multikey",
                    "controller": controller,
                    "publicKeyMultibase": fragment,
                }
            )
            documents[controller]["assertionMethod"].append(method)
    return documents


VALID = [
    "simple.json",
    "simple-context-alias.json",
    "simple-context-version.json",
    "simple-did-web-method.json",
    "simple-eddsa-2022.json",
    "simple-multiple-proofs.json",
    "complete.json",
    "endorsement-valid.json",
    # These two fail the validator for dates, not for their signatures.
    "simple-err-expired.json",
    "simple-err-issued.json",
]


@pytest.mark.parametrize("name", VALID)
def test_signed_fixtures_verify(name: str) -> None:
    document = load_json(OB30 / name)
    check = verify(document, DidResolver(_controller_documents(document)))
    assert check.passed, check.message


def test_clr_fixture_verifies() -> None:
    document = load_json(DATA / "clr20-fixtures" / "simple.json")
    check = verify(document, DidResolver(_controller_documents(document)))
    assert check.passed, check.message


def test_did_key_fixture_verifies_but_its_issuer_does_not_control_the_key() -> None:
    document = load_json(OB30 / "simple-did-key-method.json")
    assert verify(document, DidResolver(), issuer_must_control_key=False).passed
    assert not verify(document, DidResolver()).passed


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("simple-err-proof-value.json", "changed after it was signed"),
        ("simple-err-proof-method.json", "could not be found"),
        ("simple-err-proof-method-no-scheme.json", "could not be found"),
        ("simple-err-proof-method-unknown-did-method.json", "could not be found"),
        ("simple-err-proof-method-unknown-scheme.json", "could not be found"),
        ("simple-err-context.json", "none of its contexts define"),
        ("simple-err-type.json", "OtherCredential"),
        ("simple-err-issuer-type.json", "InvalidProfile"),
        ("simple-err-credential-subject-type.json", "InvalidAchievementSubject"),
        ("simple-err-evidence-type.json", "InvalidEvidence"),
        ("simple-noproof.json", "no eddsa-rdfc-2022"),
    ],
)
def test_bad_fixtures_fail(name: str, reason: str) -> None:
    document = load_json(OB30 / name)
    check = verify(document, DidResolver(_controller_documents(document)))
    assert not check.passed
    assert reason in check.message
