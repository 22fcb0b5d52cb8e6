from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest

from credstack.vc.canon import canonicalize
from credstack.vc.jsonld import (
    CONTEXT_FILES,
    ContextNotAllowed,
    JsonLdProcessingError,
    load_document,
    undefined_terms,
)

from .support import CREDENTIAL, load_json

VC2 = "https://www.w3.org/ns/credentials/v2"
OB3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB3_EXT = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"


@pytest.mark.parametrize("url", sorted(CONTEXT_FILES))
def test_every_bundled_context_is_served_unchanged(url: str) -> None:
    path = resources.files("credstack.vc").joinpath(f"contexts/{CONTEXT_FILES[url]}")
    assert load_document(url) == json.loads(path.read_text("utf-8"))


def test_required_contexts_are_bundled() -> None:
    required = {
        VC2,
        "https://www.w3.org/2018/credentials/v1",
        "https://www.w3.org/ns/credentials/examples/v2",
        "https://w3id.org/security/data-integrity/v1",
        "https://www.w3.org/ns/did/v1",
        "https://www.w3.org/ns/credentials/status/v1",
        "https://purl.imsglobal.org/spec/ob/v3p0/context.json",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
        OB3,
        OB3_EXT,
        "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
        "https://w3id.org/openbadges/v2",
    }
    assert required <= set(CONTEXT_FILES)


def test_load_document_returns_a_copy() -> None:
    load_document(VC2)["@context"]["id"] = "changed"
    assert load_document(VC2)["@context"]["id"] == "@id"


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/context.json",
        "http://www.w3.org/ns/credentials/v2",
        "file:///etc/passwd",
    ],
)
def test_any_other_url_is_refused(url: str) -> None:
    with pytest.raises(ContextNotAllowed):
        load_document(url)


def test_document_with_unknown_context_cannot_be_processed() -> None:
    document = {
        "@context": [VC2, "https://attacker.example/ctx.json"],
        "type": "VerifiableCredential",
    }
    with pytest.raises(ContextNotAllowed) as caught:
        canonicalize(document)
    assert caught.value.url == "https://attacker.example/ctx.json"
    with pytest.raises(ContextNotAllowed):
        undefined_terms(document)


def test_invalid_json_ld_is_reported_as_such() -> None:
    with pytest.raises(JsonLdProcessingError):
        undefined_terms({"@context": {"@version": 2.0}, "id": "urn:x"})


def _credential(**extra: Any) -> dict[str, Any]:
    document = {
        "@context": [VC2, OB3],
        "id": "urn:uuid:0b1e6f0c-5b0b-4f3e-9d55-0c1b1c2d3e4f",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "https://example.edu/issuers/1", "type": ["Profile"]},
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {"type": ["AchievementSubject"]},
    }
    document.update(extra)
    return document


def test_well_formed_credential_has_no_undefined_terms() -> None:
    assert undefined_terms(_credential()) == []
    assert undefined_terms(load_json(CREDENTIAL)) == []


def test_undefined_property_is_reported() -> None:
    assert undefined_terms(_credential(favouriteColour="blue")) == ["favouriteColour"]


def test_undefined_nested_type_is_reported() -> None:
    subject = {"type": ["AchievementSubject", "SpecialSubject"]}
    assert undefined_terms(_credential(credentialSubject=subject)) == ["SpecialSubject"]


def test_relative_id_is_reported() -> None:
    assert undefined_terms(_credential(id="credential-1")) == ["credential-1"]


def test_ob3_schema_validator_type_needs_the_extensions_context() -> None:
    # Finding: VC 2.0 has no @vocab and OB 3.0.3 does not define the type; the OB 3.0
    # extensions context does, and the spec's examples include it wherever it is used.
    schema = [
        {
            "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json",
            "type": "1EdTechJsonSchemaValidator2019",
        }
    ]
    without = _credential(credentialSchema=schema)
    assert undefined_terms(without) == ["1EdTechJsonSchemaValidator2019"]
    with_extensions = _credential(credentialSchema=schema)
    with_extensions["@context"] = [VC2, OB3, OB3_EXT]
    assert undefined_terms(with_extensions) == []
