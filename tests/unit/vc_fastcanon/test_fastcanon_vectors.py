"""Standard vectors and conformance fixtures through the fast path."""

from __future__ import annotations

from pathlib import Path

import pytest

from credstack.vc.canon import canonicalize_general
from credstack.vc.fastcanon import Unsupported, fast_canonicalize

from .support import DATA, load_json

RDFC = DATA / "vc-di-eddsa" / "eddsa-rdfc-2022"


def test_spec_document_vector_byte_for_byte() -> None:
    expected = (RDFC / "canonDocDataInt.txt").read_text("utf-8")
    assert fast_canonicalize(load_json(DATA / "vc-di-eddsa" / "unsigned.json")) == expected


def test_spec_proof_configuration_vector_byte_for_byte() -> None:
    expected = (RDFC / "proofCanonDataInt.txt").read_text("utf-8")
    assert fast_canonicalize(load_json(RDFC / "proofConfigDataInt.json")) == expected


def _fixtures() -> list[Path]:
    return sorted(
        [
            *DATA.glob("ob30-fixtures/**/*.json"),
            *DATA.glob("clr20-fixtures/*.json"),
        ]
    )


# Valid fixtures whose contexts we bundle: the fast path must take these. The rest name
# unbundled contexts or undefined terms (the simple-err-* cases) and must step aside.
MUST_BE_FAST = {
    "clr20-fixtures/simple.json",
    "ob30-fixtures/complete.json",
    "ob30-fixtures/endorsement-valid.json",
    "ob30-fixtures/simple.json",
    "ob30-fixtures/simple-eddsa-2022.json",
    "ob30-fixtures/simple-did-key-method.json",
    "ob30-fixtures/simple-did-web-method.json",
    "ob30-fixtures/simple-multiple-proofs.json",
    "ob30-fixtures/simple-context-alias.json",
    "ob30-fixtures/simple-context-version.json",
    "ob30-fixtures/bit-string-list/credential-status-revoked-blank-nodes.json",
}


@pytest.mark.parametrize("path", _fixtures(), ids=lambda p: str(p.relative_to(DATA)))
def test_fixtures_agree_or_fall_back(path: Path) -> None:
    document = load_json(path)
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    name = str(path.relative_to(DATA))
    try:
        fast = fast_canonicalize(unsecured)
    except Unsupported:
        assert name not in MUST_BE_FAST
        return
    assert fast == canonicalize_general(unsecured)
