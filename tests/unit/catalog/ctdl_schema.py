"""Credential Engine's CTDL and CTDL-ASN schema encodings, as a checker for exported graphs.

The encodings (tests/data/ctdl, see its NOTICE.md) declare every class, property and vocabulary
concept with ``schema:domainIncludes`` / ``schema:rangeIncludes`` and ``rdfs:subClassOf``; a
term the export invents, or puts on the wrong class, is reported with the node it is on.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parents[2] / "data" / "ctdl"
SCHEMAS = {
    "ctdl-schema.json.gz": "a2dd28cb08f9e5e0324fe155e7381c276d70e69cb95521dab120f042cc538776",
    "ctdlasn-schema.json.gz": "8bacfcec140c03e144903acd04eeacc3f466c2245ca2a1bb703a322981fda0b7",
}
# Values that are web addresses or concepts, not nodes of the document.
EXTERNAL = {
    "ceterms:subjectWebpage",
    "ceterms:image",
    "ceasn:source",
    "ceterms:framework",
    "ceterms:targetNode",
    "ceasn:publicationStatusType",
}
# Datatype ranges: a plain JSON value is expected, not a node.
DATATYPES = {"rdf:langString", "xsd:string", "xsd:language", "xsd:float", "xsd:integer"}
DATATYPES |= {"xsd:anyURI", "xsd:date", "xsd:boolean", "schema:Duration", "xsd:decimal"}


@dataclass
class Term:
    kind: str
    domain: set[str] = field(default_factory=set)
    range: set[str] = field(default_factory=set)
    parents: set[str] = field(default_factory=set)


def _graph(name: str) -> list[dict[str, Any]]:
    raw = gzip.decompress((DATA / name).read_bytes())
    assert hashlib.sha256(raw).hexdigest() == SCHEMAS[name], f"{name} is not the published file"
    nodes: list[dict[str, Any]] = json.loads(raw)["@graph"]
    return nodes


@cache
def terms() -> dict[str, Term]:
    found: dict[str, Term] = {}
    for name in SCHEMAS:
        for node in _graph(name):
            kinds = node.get("@type")
            kind = kinds[0] if isinstance(kinds, list) else str(kinds)
            term = found.setdefault(node["@id"], Term(kind))
            term.domain |= set(node.get("schema:domainIncludes", []))
            term.range |= set(node.get("schema:rangeIncludes", []))
            term.parents |= set(node.get("rdfs:subClassOf", []))
    return found


def lineage(cls: str) -> set[str]:
    """The class and all its superclasses."""
    seen: set[str] = set()
    todo = [cls]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        term = terms().get(current)
        if term is not None:
            todo.extend(term.parents)
    return seen


def _nodes(value: Any, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(value, list):
        for i, item in enumerate(value):
            yield from _nodes(item, f"{path}[{i}]")
    elif isinstance(value, dict) and "@type" in value:
        yield path, value
        for key, inner in value.items():
            if not key.startswith("@"):
                yield from _nodes(inner, f"{path}.{key}")


def problems(document: dict[str, Any]) -> list[str]:
    """Every class, property, range and concept in the graph that the schemas do not allow."""
    known = terms()
    types = {n["@id"]: n["@type"] for n in document["@graph"] if "@id" in n}
    found: list[str] = []
    for path, node in _nodes(document["@graph"], "@graph"):
        cls = node["@type"]
        if known.get(cls, Term("")).kind != "rdfs:Class":
            found.append(f"{path}: {cls} is not a CTDL class")
            continue
        classes = lineage(cls)
        for key, value in node.items():
            if key.startswith("@"):
                continue
            term = known.get(key)
            if term is None or term.kind != "rdf:Property":
                found.append(f"{path}: {key} is not a CTDL property")
                continue
            if term.domain and not term.domain & classes:
                found.append(f"{path}: {key} is not a property of {cls}")
            found.extend(_range_problems(path, key, term, value, types))
    return found


def _range_problems(
    path: str, key: str, term: Term, value: Any, types: dict[str, str]
) -> list[str]:
    found: list[str] = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, dict) and "@type" in item:
            target: str | None = item["@type"]
        elif isinstance(item, str) and "skos:Concept" in term.range:
            target = None
            if known_concept(item) is not True:
                found.append(f"{path}.{key}: {item} is not a CTDL concept")
        elif isinstance(item, str) and key not in EXTERNAL and "@id" not in term.range:
            target = types.get(item)
            if target is None and not term.range <= DATATYPES | {"rdfs:Resource"}:
                found.append(f"{path}.{key}: {item} is not a node of this document")
                continue
        else:
            target = None
        if target is not None and term.range and not term.range & lineage(target):
            found.append(f"{path}.{key}: a {target} is not in its range")
        if key in {"ceterms:targetNode", "ceasn:publicationStatusType"} and isinstance(item, str):
            concept = known_concept(item)
            if concept is False:
                found.append(f"{path}.{key}: {item} is not a CTDL concept")
    return found


def known_concept(value: str) -> bool | None:
    """True/False for a compact concept IRI (``orgType:...``); None for anything else."""
    prefix, _, local = value.partition(":")
    if not local or prefix in {"http", "https", "urn"}:
        return None
    return terms().get(value, Term("")).kind == "skos:Concept"
