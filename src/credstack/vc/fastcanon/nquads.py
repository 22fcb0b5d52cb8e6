"""Canonical N-Quads text for IRIs and literals (RDFC-1.0 §4.1, RDF 1.2 N-Quads).

pyld's own writer predates the canonical form: it leaves control characters such as U+0008
raw, where RDFC-1.0 (and rdf-canonize, which digitalbazaar's signers use) writes ``\\b`` or
``\\u0001``. Both the general path (``credstack.vc.canon``) and the fast path write terms
with these functions, so the two can only differ in which quads they produce.
"""

from __future__ import annotations

import re

__all__ = [
    "RDF_LANGSTRING",
    "XSD_STRING",
    "escape_iri",
    "escape_literal",
    "literal_term",
]

RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

_LITERAL_ESCAPES = {
    **{chr(n): f"\\u{n:04X}" for n in [*range(0x20), 0x7F]},
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
    '"': '\\"',
    "\\": "\\\\",
}
_LITERAL_NEEDS_ESCAPE = re.compile('[\\x00-\\x1f\\x7f"\\\\]')
_IRI_NEEDS_ESCAPE = re.compile('[\\x00-\\x20<>"{}|^`\\\\]')


def escape_literal(value: str) -> str:
    return _LITERAL_NEEDS_ESCAPE.sub(lambda m: _LITERAL_ESCAPES[m.group()], value)


def escape_iri(value: str) -> str:
    return _IRI_NEEDS_ESCAPE.sub(lambda m: f"\\u{ord(m.group()):04X}", value)


def literal_term(lexical: str, datatype: str, language: str | None = None) -> str:
    """A literal as it appears in a canonical quad: ``"text"``, ``"text"@en`` or typed."""
    text = '"' + escape_literal(lexical) + '"'
    if datatype == RDF_LANGSTRING:
        return text + "@" + language if language else text
    if datatype == XSD_STRING:
        return text
    return text + "^^<" + escape_iri(datatype) + ">"
