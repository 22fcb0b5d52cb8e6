"""Shared builders for the vc documents tests: fixture paths, trusted keys, a sample award."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PIL import Image

from credstack.vc import dataintegrity
from credstack.vc.keys import (
    KeyFormatError,
    SigningKey,
    decode_public_key_multibase,
    generate_signing_key,
    public_key_multibase,
)
from credstack.vc.model import (
    AchievementInfo,
    AchievementType,
    AlignmentInfo,
    AwardInfo,
    CountedRecord,
    EarningRoute,
    IssuerProfile,
    ResultInfo,
    ResultSpec,
    StatusEntryInfo,
    SubjectIdentity,
)
from credstack.vc.recognition import IssuerDirectory, KnownIssuer
from credstack.vc.resolve import DidResolver, did_web_document
from credstack.vc.status import Bitstring, FetchedStatusList, status_list_credential

DATA = Path(__file__).resolve().parents[2] / "data"
OB30 = DATA / "ob30-fixtures"
CLR20 = DATA / "clr20-fixtures"
NOW = datetime(2026, 1, 1, tzinfo=UTC)
ISSUER_DID = "did:web:credentials.example.org"
STATUS_URL = "https://credentials.example.org/status/revocation/1"


def load_json(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def _controller_document(controller: str, keys: dict[str, str]) -> dict[str, Any]:
    methods = [
        {"id": vm, "type": "Multikey", "controller": controller, "publicKeyMultibase": multikey}
        for vm, multikey in keys.items()
    ]
    return {
        "@context": ["https://www.w3.org/ns/did/v1"],
        "id": controller,
        "verificationMethod": methods,
        "assertionMethod": [m["id"] for m in methods],
    }


def fixture_resolver() -> DidResolver:
    """Trust the 1EdTech fixtures' https issuers, as a verifier configured with known issuers.

    The validator's fixtures name their key as ``<issuer URL>#<Multikey>``; here each such
    issuer gets a controller document listing exactly those keys. Nothing is fetched.
    """
    keys: dict[str, dict[str, str]] = {}
    for path in [*OB30.glob("*.json"), OB30 / "bit-string-list" / "testlist"]:
        proofs = load_json(path).get("proof")
        for proof in proofs if isinstance(proofs, list) else [proofs] if proofs else []:
            method = str(proof.get("verificationMethod", ""))
            controller, _, fragment = method.partition("#")
            if not controller.startswith("https://"):
                continue
            try:
                public_key = decode_public_key_multibase(fragment)
            except KeyFormatError:
                continue  # a deliberately broken key (simple-err-proof-method) stays unknown
            keys.setdefault(controller, {})[method] = public_key_multibase(public_key)
    return DidResolver({c: _controller_document(c, k) for c, k in keys.items()})


def issuer_key() -> SigningKey:
    return generate_signing_key(ISSUER_DID)


def resolver_for(key: SigningKey) -> DidResolver:
    fragment = key.verification_method.partition("#")[2]
    return DidResolver({ISSUER_DID: did_web_document(ISSUER_DID, [(fragment, key.public_key)])})


DIRECTORY = IssuerDirectory(
    (
        KnownIssuer(
            (ISSUER_DID,),
            "Tropical Medicine Certification Board",
            url="https://credentials.example.org",
        ),
    )
)
"""Whom the unit tests' verifier recognises: the sample issuer, by its DID."""

ISSUER = IssuerProfile(
    id=ISSUER_DID,
    name="Tropical Medicine Certification Board",
    url="https://credentials.example.org",
    email="registrar@credentials.example.org",
)


def sample_award(**changes: Any) -> AwardInfo:
    achievement = AchievementInfo(
        id="https://credentials.example.org/achievements/ebola-diagnosis",
        name="Ebola diagnosis",
        description="Recognises the ability to diagnose Ebola virus disease in the field.",
        criteria_narrative="Pass the proctored knowledge assessment with at least 70%.",
        kind=AchievementType.MICROCREDENTIAL,
        alignments=(
            AlignmentInfo(
                target_name="Diagnose viral haemorrhagic fevers",
                target_url="https://credentials.example.org/competencies/vhf-dx",
                target_framework="Tropical Medicine Competency Framework",
                target_code="TM-DX-4",
                target_type="CFItem",
            ),
        ),
        result_descriptions=(
            ResultSpec(
                id="urn:uuid:8f2c1c52-8d0e-4d43-9a53-4ad8c5a0d001",
                name="Knowledge assessment score",
                result_type="Percent",
                required_value="70",
                value_min="0",
                value_max="100",
            ),
        ),
        credits_available=1.5,
        ce_hours=6.0,
        tags=("tropical medicine", "diagnosis"),
        image="https://credentials.example.org/images/ebola.png",
    )
    values: dict[str, Any] = {
        "id": "urn:uuid:2d9a8b3e-1a57-4c9e-9a0e-6f3c2b1d4e5f",
        "issuer": ISSUER,
        "achievement": achievement,
        "subject": SubjectIdentity(did="did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"),
        "valid_from": datetime(2025, 6, 1, 9, 0, tzinfo=UTC),
        "valid_until": datetime(2028, 6, 1, 9, 0, tzinfo=UTC),
        "awarded_on": datetime(2025, 6, 1, 9, 0, tzinfo=UTC),
        "route": EarningRoute(
            kind="assessment",
            proctored=True,
            identity_verified=True,
            cut_score="70%",
            assessment_name="the Ebola diagnosis knowledge assessment",
        ),
        "results": (ResultInfo("urn:uuid:8f2c1c52-8d0e-4d43-9a53-4ad8c5a0d001", value="86"),),
        "credits_earned": 1.5,
        "counted_records": (
            CountedRecord(
                credential_id="https://credentials.example.org/credentials/101",
                achievement_name="Viral haemorrhagic fevers: foundations",
                awarded_on=datetime(2025, 3, 1, tzinfo=UTC),
            ),
        ),
        "status": StatusEntryInfo(list_credential_url=STATUS_URL, index=4242),
    }
    values.update(changes)
    return AwardInfo(**values)


SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4"><rect width="4" height="4"/></svg>'


def status_lists(key: SigningKey, revoked: dict[int, datetime] | None = None) -> Any:
    bits = Bitstring()
    for index in revoked or {}:
        bits.set(index)
    document = status_list_credential(
        url=STATUS_URL,
        issuer_id=ISSUER_DID,
        purpose="revocation",
        bits=bits,
        valid_from=datetime(2025, 1, 1, tzinfo=UTC),
    )
    signed = dataintegrity.sign(document, key, created=NOW)
    return lambda url: FetchedStatusList(signed, revoked or {}) if url == STATUS_URL else None


def blank_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, format="PNG")
    return buffer.getvalue()
