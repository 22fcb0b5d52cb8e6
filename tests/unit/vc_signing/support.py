"""Shared paths and keys for the signing tests; data is read from tests/data only."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from credstack.vc.keys import SigningKey, generate_signing_key
from credstack.vc.resolve import DidResolver, did_web_document

DATA = Path(__file__).resolve().parents[2] / "data"
VECTORS = DATA / "vc-di-eddsa"

CREDENTIAL = DATA / "vc_signing" / "achievement-credential.json"

ISSUER_DID = "did:web:credentials.example.edu"
RETIRED = datetime(2026, 6, 1, 12, 0, 0, tzinfo=UTC)


def rotated_keys() -> tuple[SigningKey, SigningKey, DidResolver]:
    """An old key retired at ``RETIRED`` and its successor, both in the issuer's document."""
    old, new = generate_signing_key(ISSUER_DID), generate_signing_key(ISSUER_DID)
    document = did_web_document(
        ISSUER_DID,
        [(old.verification_method, old.public_key), (new.verification_method, new.public_key)],
        {old.verification_method: RETIRED},
    )
    return old, new, DidResolver({ISSUER_DID: document})


def load_json(path: Path) -> Any:
    return json.loads(path.read_text("utf-8"))
