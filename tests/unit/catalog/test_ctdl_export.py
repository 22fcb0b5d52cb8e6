"""Every example catalog exports as CTDL JSON-LD that Credential Engine's own files accept.

"Accept" means: pyld expands it against the bundled contexts dropping nothing, every key and
type is a full IRI in the CTDL namespaces, every class, property, range and concept is declared
by the published schema encodings, the properties the Registry requires are present, and every
reference resolves to a node of the same document.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from pyld import jsonld

from credstack.catalog.ctdl import (
    CTDL_CONTEXT_URL,
    CTDLASN_CONTEXT_URL,
    ctid,
    document_loader,
    export_ctdl,
    load_context,
)
from credstack.catalog.parse import parse_catalog
from credstack.domain.catalog import Catalog
from credstack.errors import InvalidInput
from tests.unit.catalog import ctdl_schema

REPO = Path(__file__).resolve().parents[3]
EXAMPLES = sorted((REPO / "examples").glob("*.yaml"))
BASE = "https://credentials.example.org"
NAMESPACES = ("https://purl.org/ctdl/terms/", "https://purl.org/ctdlasn/terms/")
NAMESPACES += ("https://schema.org/",)
CTID = re.compile(r"^ce-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
CREDENTIALS = {
    "ceterms:OpenBadge",
    "ceterms:MicroCredential",
    "ceterms:Certificate",
    "ceterms:Certification",
    "ceterms:Degree",
}
LEARNING = {"ceterms:Course", "ceterms:LearningOpportunityProfile"}
# What the Credential Registry's minimum data policy asks of each kind of resource.
REQUIRED = {
    "credential": {
        "ceterms:ctid",
        "ceterms:name",
        "ceterms:description",
        "ceterms:subjectWebpage",
        "ceterms:inLanguage",
        "ceterms:credentialStatusType",
        "ceterms:ownedBy",
    },
    "learning": {
        "ceterms:ctid",
        "ceterms:name",
        "ceterms:description",
        "ceterms:subjectWebpage",
        "ceterms:inLanguage",
        "ceterms:lifeCycleStatusType",
        "ceterms:offeredBy",
    },
    "ceterms:AssessmentProfile": {
        "ceterms:ctid",
        "ceterms:name",
        "ceterms:description",
        "ceterms:inLanguage",
        "ceterms:lifeCycleStatusType",
        "ceterms:ownedBy",
    },
    "ceterms:CredentialOrganization": {
        "ceterms:ctid",
        "ceterms:name",
        "ceterms:description",
        "ceterms:subjectWebpage",
    },
    "ceasn:CompetencyFramework": {
        "ceterms:ctid",
        "ceasn:name",
        "ceasn:description",
        "ceasn:inLanguage",
        "ceasn:publisher",
    },
    "ceasn:Competency": {"ceterms:ctid", "ceasn:competencyText", "ceasn:isPartOf"},
    "ceterms:ConditionProfile": {"ceterms:description"},
}


def _catalog(path: Path) -> Catalog:
    result = parse_catalog(path.read_text(encoding="utf-8"), str(path))
    assert result.ok and result.catalog is not None, result.problems
    return result.catalog


def _expand(document: dict[str, Any]) -> tuple[list[Any], list[str]]:
    dropped: list[str] = []
    expanded = jsonld.expand(
        document,
        {"documentLoader": document_loader, "base": None},
        on_property_dropped=lambda term: dropped.append(str(term)),
    )
    return expanded, dropped


def _iris(node: Any, found: list[str]) -> None:
    """Every property IRI and type IRI of the expanded form."""
    if isinstance(node, list):
        for item in node:
            _iris(item, found)
    elif isinstance(node, dict):
        if "@value" in node:
            return
        for key, value in node.items():
            if key == "@type":
                found.extend(value if isinstance(value, list) else [value])
            elif not key.startswith("@"):
                found.append(key)
                _iris(value, found)
            else:
                _iris(value, found)


def _walk(value: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(value, list):
        for item in value:
            found.extend(_walk(item))
    elif isinstance(value, dict):
        if "@type" in value:
            found.append(value)
        for key, inner in value.items():
            if not key.startswith("@"):
                found.extend(_walk(inner))
    return found


@pytest.fixture(scope="module", params=[p.name for p in EXAMPLES])
def exported(request: pytest.FixtureRequest) -> dict[str, Any]:
    return export_ctdl(_catalog(REPO / "examples" / request.param), base_url=BASE)


def test_every_example_catalog_is_exported() -> None:
    assert len(EXAMPLES) >= 8


def test_expands_against_the_bundled_contexts_without_dropping_a_term(
    exported: dict[str, Any],
) -> None:
    assert exported["@context"] == [CTDL_CONTEXT_URL, CTDLASN_CONTEXT_URL]
    expanded, dropped = _expand(exported)
    assert dropped == []
    iris: list[str] = []
    _iris(expanded, iris)
    assert iris, "nothing expanded"
    outside = sorted({iri for iri in iris if not iri.startswith(NAMESPACES)})
    assert outside == [], "keys or types that are not CTDL / CTDL-ASN / schema.org IRIs"


def test_every_class_property_range_and_concept_is_declared_by_ctdl(
    exported: dict[str, Any],
) -> None:
    assert ctdl_schema.problems(exported) == []


def test_required_properties_are_present(exported: dict[str, Any]) -> None:
    for node in _walk(exported["@graph"]):
        cls = node["@type"]
        kind = "credential" if cls in CREDENTIALS else "learning" if cls in LEARNING else cls
        missing = REQUIRED.get(kind, set()) - set(node)
        assert not missing, f"{node.get('@id', cls)} lacks {sorted(missing)}"
        if kind == "credential":
            assert node["ceterms:ownedBy"] and node["ceterms:offeredBy"]


def test_ids_are_unique_and_every_reference_resolves(exported: dict[str, Any]) -> None:
    graph = exported["@graph"]
    ids = [n["@id"] for n in graph]
    assert len(ids) == len(set(ids))
    ctids = [n["ceterms:ctid"] for n in graph]
    assert all(CTID.match(c) for c in ctids) and len(ctids) == len(set(ctids))
    by_id = {n["@id"]: n for n in graph}
    references = (
        "ceterms:targetCredential",
        "ceterms:targetLearningOpportunity",
        "ceterms:targetAssessment",
        "ceterms:ownedBy",
        "ceterms:offeredBy",
        "ceterms:owns",
        "ceterms:offers",
        "ceasn:publisher",
        "ceasn:creator",
        "ceasn:isPartOf",
        "ceasn:isTopChildOf",
        "ceasn:hasTopChild",
    )
    for node in _walk(graph):
        for key in references:
            values = node.get(key, [])
            for ref in values if isinstance(values, list) else [values]:
                assert ref in by_id, f"{key} -> {ref} is not in the document"
        aligned = [*node.get("ceterms:targetCompetency", []), *node.get("ceterms:teaches", [])]
        for alignment in aligned:
            assert by_id[alignment["ceterms:targetNode"]]["@type"] == "ceasn:Competency"
            framework = by_id[alignment["ceterms:framework"]]
            assert framework["@type"] == "ceasn:CompetencyFramework"
            assert alignment["ceterms:targetNode"] in framework["ceasn:hasTopChild"]


def test_the_bundled_contexts_are_the_only_ones_served() -> None:
    assert "@context" in load_context(CTDL_CONTEXT_URL)
    with pytest.raises(LookupError, match="not one of the bundled"):
        load_context("https://example.org/context.json")
    loaded = load_context(CTDLASN_CONTEXT_URL)
    loaded["@context"].clear()  # a copy: the cache is untouched
    assert load_context(CTDLASN_CONTEXT_URL)["@context"]


def test_export_is_deterministic_and_ctids_follow_the_base_url() -> None:
    catalog = _catalog(REPO / "examples" / "lakeside-university.yaml")
    first = export_ctdl(catalog, base_url=BASE)
    assert export_ctdl(catalog, base_url=BASE + "/") == first
    other = export_ctdl(catalog, base_url="https://elsewhere.example")
    assert other["@graph"][0]["ceterms:ctid"] != first["@graph"][0]["ceterms:ctid"]
    assert first["@graph"][0]["ceterms:ctid"] == ctid(f"{BASE}/issuers/lakeside")


def test_taxonomy_classes_and_the_organization() -> None:
    graph = export_ctdl(_catalog(REPO / "examples" / "lakeside-university.yaml"), base_url=BASE)
    by_key = {
        n["@id"].rsplit("/", 1)[1]: n for n in graph["@graph"] if "/achievements/" in n["@id"]
    }
    org = graph["@graph"][0]
    assert org["@type"] == "ceterms:CredentialOrganization"
    assert org["ceterms:agentType"][0]["ceterms:targetNode"] == "orgType:Postsecondary"
    assert by_key["ms-data-science"]["@type"] == "ceterms:Degree"
    assert by_key["cert-machine-learning"]["@type"] == "ceterms:Certificate"
    course = by_key["de-pipelines"]
    assert course["@type"] == "ceterms:Course"
    assert course["ceterms:creditValue"][0]["schema:value"] == 3
    assert course["ceterms:teaches"][0]["ceterms:targetNodeName"] == {"en-US": "Data engineering"}


def test_a_catalog_without_an_issuer_or_with_a_bad_base_url_is_refused() -> None:
    text = (REPO / "examples" / "lakeside-university.yaml").read_text()
    without = re.sub(r"(?m)^issuer:\n(?:  .*\n)+", "", text)
    result = parse_catalog(without)
    assert result.ok and result.catalog is not None and result.catalog.issuer is None
    with pytest.raises(InvalidInput, match="no `issuer:` section"):
        export_ctdl(result.catalog, base_url=BASE)
    with pytest.raises(InvalidInput, match="must start with https://"):
        export_ctdl(_catalog(REPO / "examples" / "lakeside-university.yaml"), base_url="x")


def test_the_checks_catch_what_they_claim_to() -> None:
    """A misspelt term, a term on the wrong class, an unknown concept, a dangling reference and
    an unprefixed key are each caught, so the passing checks above mean something."""
    good = export_ctdl(_catalog(REPO / "examples" / "northwind-data-academy.yaml"), base_url=BASE)
    assert ctdl_schema.problems(good) == []
    credential = next(n for n in good["@graph"] if n["@type"] in CREDENTIALS)
    org = good["@graph"][0]

    def broken(node: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
        copy = {**good, "@graph": [dict(n) for n in good["@graph"]]}
        target = next(n for n in copy["@graph"] if n["@id"] == node["@id"])
        target[key] = value
        return copy

    cases = {
        "is not a CTDL property": broken(credential, "ceterms:nmae", {"en-US": "x"}),
        "is not a property of ceterms:CredentialOrganization": broken(
            org, "ceterms:credentialStatusType", credential["ceterms:credentialStatusType"]
        ),
        "is not a node of this document": broken(
            credential, "ceterms:ownedBy", ["https://nowhere.example/org"]
        ),
        "is not a CTDL concept": broken(
            credential,
            "ceterms:credentialStatusType",
            {
                **credential["ceterms:credentialStatusType"],
                "ceterms:targetNode": "credentialStat:Nope",
            },
        ),
        "is not in its range": broken(credential, "ceterms:ownedBy", [credential["@id"]]),
    }
    for message, document in cases.items():
        assert any(message in p for p in ctdl_schema.problems(document)), message
    _, dropped = _expand(broken(credential, "name", "unprefixed"))
    assert dropped == ["name"]
