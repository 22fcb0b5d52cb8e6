"""JSON-LD processing that never touches the network and never guesses a term.

Two dangers this module closes:

* A JSON-LD processor fetches every ``@context`` URL it meets. A credential could then make
  a verifier fetch anything, and a changed remote context changes what a signature means.
  ``load_document`` serves only the contexts bundled in ``contexts/`` (copied unchanged from
  their publishers; see ``contexts/NOTICE.md``) and refuses every other URL.
* pyld silently drops a property that no context defines and turns an undefined type into a
  relative IRI, so a signature would not cover what the issuer thinks it covers. Like
  digitalbazaar's "safe mode", ``undefined_terms`` lists such terms; signing refuses them
  and verifying fails on them.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

from pyld import jsonld

__all__ = [
    "CONTEXT_FILES",
    "ContextNotAllowed",
    "JsonLdProcessingError",
    "SafeModeError",
    "expand",
    "load_document",
    "pyld_document_loader",
    "to_rdf_dataset",
    "undefined_terms",
]

CONTEXT_FILES: Mapping[str, str] = json.loads(
    resources.files("credstack.vc").joinpath("contexts/index.json").read_text("utf-8")
)


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")


class ContextNotAllowed(LookupError):  # name fixed by the vc/ interface contract
    """A document named a context that is not bundled; we do not fetch it."""

    def __init__(self, url: str) -> None:
        super().__init__(f"The JSON-LD context {url!r} is not one of the bundled contexts.")
        self.url = url


class JsonLdProcessingError(ValueError):
    """The document is not valid JSON-LD (bad context, colliding keywords, and so on)."""


class SafeModeError(ValueError):
    """The document uses terms or types that no context defines."""

    def __init__(self, terms: list[str]) -> None:
        super().__init__(
            "These terms are not defined by any of the document's contexts: "
            + ", ".join(terms)
            + ". Add the context that defines them (for example the OB 3.0 extensions "
            "context for 1EdTechJsonSchemaValidator2019) or remove them."
        )
        self.terms = terms


def load_document(url: str) -> dict[str, Any]:
    """The bundled context document for ``url``; a fresh copy, so callers may mutate it."""
    return copy.deepcopy(_bundled(url))


def pyld_document_loader(url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """pyld's ``documentLoader`` interface over ``load_document``."""
    return {"contextUrl": None, "documentUrl": url, "document": load_document(url)}


@cache
def _bundled(url: str) -> dict[str, Any]:
    file_name = CONTEXT_FILES.get(url)
    if file_name is None:
        raise ContextNotAllowed(url)
    text = resources.files("credstack.vc").joinpath(f"contexts/{file_name}").read_text("utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


def _options() -> dict[str, Any]:
    # base=None keeps relative references relative (jsonld.js does the same), so an undefined
    # type is reported instead of being resolved against pyld's http://example.org/base/.
    return {"documentLoader": pyld_document_loader, "base": None}


def _unwrap(error: Exception) -> Exception:
    seen = error
    while True:
        cause = getattr(seen, "cause", None) or seen.__cause__
        if isinstance(cause, ContextNotAllowed):
            return cause
        if not isinstance(cause, Exception):
            return JsonLdProcessingError(f"The document is not valid JSON-LD: {error}")
        seen = cause


def expand(document: Mapping[str, Any], dropped: list[str] | None = None) -> list[Any]:
    """Expanded form of ``document``; names of dropped properties go to ``dropped``."""

    def on_dropped(term: object) -> None:
        if dropped is not None:
            dropped.append(str(term) if term is not None else "(a term mapped to null)")

    try:
        result: list[Any] = jsonld.expand(
            dict(document), _options(), on_property_dropped=on_dropped
        )
    except (jsonld.JsonLdError, ValueError) as exc:  # pyld raises bare ValueErrors too
        raise _unwrap(exc) from exc
    return result


def to_rdf_dataset(document: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The document's RDF dataset in pyld's internal form, for canonicalisation."""
    try:
        dataset: dict[str, list[dict[str, Any]]] = jsonld.to_rdf(dict(document), _options())
    except (jsonld.JsonLdError, ValueError) as exc:  # pyld raises bare ValueErrors too
        raise _unwrap(exc) from exc
    return dataset


def undefined_terms(document: Mapping[str, Any]) -> list[str]:
    """Properties and types the document's contexts do not define, in document order.

    Empty means the document is safe to sign: every statement in it reaches the RDF
    that the signature covers.
    """
    dropped: list[str] = []
    expanded = expand(document, dropped)
    found: list[str] = list(dropped)
    _collect_relative(expanded, found)
    return list(dict.fromkeys(found))


def _collect_relative(node: Any, found: list[str]) -> None:
    if isinstance(node, list):
        for item in node:
            _collect_relative(item, found)
        return
    if not isinstance(node, dict):
        return
    if "@value" in node:
        datatype = node.get("@type")
        if isinstance(datatype, str) and not _is_absolute(datatype):
            found.append(datatype)
        return
    for key, value in node.items():
        if key == "@type":
            found.extend(t for t in _as_list(value) if isinstance(t, str) and not _is_absolute(t))
        elif key == "@id":
            if isinstance(value, str) and not _is_absolute(value):
                found.append(value)
        else:
            _collect_relative(value, found)


def _is_absolute(iri: str) -> bool:
    # Blank nodes count: they are how JSON-LD names nodes without ids.
    return iri.startswith("_:") or _SCHEME.match(iri) is not None


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
