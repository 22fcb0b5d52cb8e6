"""RDF Dataset Canonicalization (RDFC-1.0) of JSON-LD documents.

Two paths give the same bytes. The fast path (``credstack.vc.fastcanon``) handles the JSON-LD
that credentials use, with contexts compiled once; anything else falls back to the general
path here: pyld's URDNA2015 — the algorithm RDFC-1.0 standardised — with a canonical
N-Quads writer. pyld's own writer predates the canonical form: it leaves control characters
such as U+0008 raw, where RDFC-1.0 (and rdf-canonize, which digitalbazaar's signers use)
writes ``\\b`` or ``\\u0001``. The blank-node hashes and the output both depend on that text,
so the general path runs pyld's algorithm with the canonical writer for both.

Sort order: RDFC-1.0 sorts N-Quads in Unicode code point order. rdf-canonize 5 (JavaScript)
and Java implementations sort by UTF-16 code unit instead; see ``fastcanon.order``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from pyld.canon import URDNA2015

from credstack.vc.fastcanon import (
    Order,
    Unsupported,
    escape_iri,
    escape_literal,
    fast_canonicalize,
    path_counts,
    sort_key,
)
from credstack.vc.fastcanon.nquads import RDF_LANGSTRING, XSD_STRING
from credstack.vc.jsonld import to_rdf_dataset

__all__ = [
    "Order",
    "canonicalize",
    "canonicalize_dataset",
    "canonicalize_general",
    "serialize_quad",
]


def _term(component: Mapping[str, Any]) -> str:
    if component["type"] == "IRI":
        return "<" + escape_iri(component["value"]) + ">"
    return str(component["value"])


def serialize_quad(quad: Mapping[str, Any]) -> str:
    """One quad in canonical N-Quads (RDFC-1.0 §4.1 / RDF 1.2 N-Quads canonical form)."""
    text = _term(quad["subject"]) + " " + _term(quad["predicate"]) + " "
    obj = quad["object"]
    if obj["type"] == "literal":
        text += '"' + escape_literal(obj["value"]) + '"'
        if obj["datatype"] == RDF_LANGSTRING:
            if obj.get("language"):
                text += "@" + obj["language"]
        elif obj["datatype"] != XSD_STRING:
            text += "^^<" + escape_iri(obj["datatype"]) + ">"
    else:
        text += _term(obj)
    name = quad.get("name")
    if name is not None and name.get("value") is not None:
        text += " " + _term(name)
    return text + " .\n"


class _Rdfc10(URDNA2015):  # type: ignore[misc]  # pyld ships no type hints
    """pyld's URDNA2015 with canonical N-Quads in the first-degree hashes."""

    def __init__(self, order: Order) -> None:
        super().__init__()
        self._key = sort_key(order)

    def hash_first_degree_quads(self, id_: str) -> str:
        info: dict[str, Any] = self.blank_node_info[id_]
        if "hash" in info:
            return str(info["hash"])
        nquads = []
        for quad in info["quads"]:
            masked = {
                key: component
                if key == "predicate"
                else self.modify_first_degree_component(id_, component, key)
                for key, component in quad.items()
            }
            nquads.append(serialize_quad(masked))
        nquads.sort(key=self._key)
        info["hash"] = self.hash_nquads(nquads)
        return str(info["hash"])


def canonicalize_dataset(
    dataset: Mapping[str, list[dict[str, Any]]], order: Order = Order.CODE_POINT
) -> str:
    """Canonical N-Quads of a pyld dataset (which is copied, not changed)."""
    algorithm = _Rdfc10(order)
    # main() relabels blank nodes in place and writes with pyld's writer; we discard that
    # text and write the relabelled quads canonically.
    algorithm.main(copy.deepcopy(dict(dataset)), {"format": "application/n-quads"})
    return "".join(sorted((serialize_quad(q) for q in algorithm.quads), key=sort_key(order)))


def canonicalize_general(document: Mapping[str, Any], order: Order = Order.CODE_POINT) -> str:
    """Canonical N-Quads by pyld's general JSON-LD algorithms (the fast path's oracle)."""
    return canonicalize_dataset(to_rdf_dataset(document), order)


def canonicalize(document: Mapping[str, Any], order: Order = Order.CODE_POINT) -> str:
    """Canonical N-Quads of a JSON-LD document, contexts served from the bundle only."""
    try:
        text = fast_canonicalize(document, order)
    except Unsupported as exc:
        path_counts().record_fallback(str(exc))
        return canonicalize_general(document, order)
    path_counts().record_fast()
    return text
