"""Active contexts compiled once and reused for every document that names them.

Processing a context (term definitions, protection, scoped contexts) is most of what a
general JSON-LD processor does per document. The contexts credstack accepts are a fixed
bundle, so each active context is processed once by pyld — the same code the general path
runs, so term definitions cannot drift — and wrapped here with the lookups the fast
expansion needs: term definitions flattened into ``Term`` values, IRI expansion memoised,
and every derived context (type-scoped, property-scoped, embedded) cached on its parent.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, ClassVar

from pyld import jsonld
from pyld.context_resolver import ContextResolver

from credstack.vc.fastcanon.unsupported import Unsupported
from credstack.vc.jsonld import pyld_document_loader

__all__ = ["ActiveContext", "Term", "is_keyword"]

_KEYWORDS = frozenset(jsonld.KEYWORDS)
_KEYWORD_LIKE = re.compile(r"^@[a-zA-Z]+$")
# Derived contexts are cached on their parent; a verifier that meets many distinct context
# lists (each a permutation of bundled URLs) would otherwise grow the cache without bound.
_MAX_DERIVED = 256
_MAX_MEMO = 4096


def is_keyword(value: str) -> bool:
    return value in _KEYWORDS


@dataclass(frozen=True, slots=True)
class Term:
    """What expansion needs from one term definition (pyld's mapping, flattened)."""

    iri: str | None
    coercion: str | None  # the term's @type: "@id", "@vocab", "@json", a datatype IRI
    containers: frozenset[str]
    scoped: Any  # the term's local @context, None when it has none
    has_language: bool
    language: str | None
    has_direction: bool
    direction: str | None
    reverse: bool


def _term(mapping: dict[str, Any]) -> Term:
    container = mapping.get("@container", ())
    return Term(
        iri=mapping.get("@id"),
        coercion=mapping.get("@type"),
        containers=frozenset([container] if isinstance(container, str) else container),
        scoped=mapping.get("@context"),
        has_language="@language" in mapping,
        language=mapping.get("@language"),
        has_direction="@direction" in mapping,
        direction=mapping.get("@direction"),
        reverse=bool(mapping.get("reverse")),
    )


class _Pyld:
    """The one place that calls pyld's context processing (a private API, pinned here)."""

    processor = jsonld.JsonLdProcessor()
    options: ClassVar[dict[str, Any]] = {
        "documentLoader": pyld_document_loader,
        "base": None,
        "contextResolver": ContextResolver(jsonld._resolved_context_cache, pyld_document_loader),
        "processingMode": "json-ld-1.1",
        "isFrame": False,
        "keepFreeFloatingNodes": False,
    }

    @classmethod
    def initial(cls) -> dict[str, Any]:
        initial: dict[str, Any] = cls.processor._get_initial_context(cls.options)
        return initial

    @classmethod
    def process(
        cls, raw: dict[str, Any], local: Any, *, propagate: bool, override_protected: bool
    ) -> dict[str, Any]:
        try:
            processed: dict[str, Any] = cls.processor._process_context(
                raw,
                local,
                cls.options,
                override_protected=override_protected,
                propagate=propagate,
            )
        except Exception as exc:
            raise Unsupported(f"context processing failed: {exc}") from exc
        return processed


class ActiveContext:
    """An immutable active context with memoised lookups and derived contexts."""

    __slots__ = ("_derived", "_memo", "_previous", "_raw", "_terms", "default_language")

    _wrappers: ClassVar[
        dict[int, ActiveContext]
    ] = {}  # id(raw) -> wrapper; wrappers keep raw alive

    def __init__(self, raw: dict[str, Any]) -> None:
        self._raw = raw
        self._terms: dict[str, Term | None] = {}
        self._memo: dict[str, str | None] = {}
        self._derived: dict[tuple[Any, bool, bool], tuple[Any, ActiveContext]] = {}
        self._previous: ActiveContext | None = None
        self.default_language: str | None = raw.get("@language")

    @classmethod
    def wrap(cls, raw: dict[str, Any]) -> ActiveContext:
        found = cls._wrappers.get(id(raw))
        if found is not None and found._raw is raw:
            return found
        wrapper = cls(raw)
        if len(cls._wrappers) < 4 * _MAX_DERIVED:
            cls._wrappers[id(raw)] = wrapper
        return wrapper

    @classmethod
    def initial(cls) -> ActiveContext:
        return cls.wrap(_Pyld.initial())

    @property
    def has_default_direction(self) -> bool:
        return "@direction" in self._raw

    @property
    def default_direction(self) -> str | None:
        direction: str | None = self._raw.get("@direction")
        return direction

    @property
    def previous(self) -> ActiveContext | None:
        """The context a type-scoped context reverts to (None when not type-scoped)."""
        raw_previous = self._raw.get("previousContext")
        if not raw_previous:
            return None
        if self._previous is None or self._previous._raw is not raw_previous:
            self._previous = ActiveContext.wrap(raw_previous)
        return self._previous

    def term(self, name: str) -> Term | None:
        """The term definition of ``name``; None when undefined or mapped to null."""
        try:
            return self._terms[name]
        except KeyError:
            pass
        mapping = self._raw["mappings"].get(name)
        term = _term(mapping) if mapping is not None else None
        if len(self._terms) < _MAX_MEMO:
            self._terms[name] = term
        return term

    def defines(self, name: str) -> bool:
        return name in self._raw["mappings"]

    def expand_vocab(self, value: str) -> str | None:
        """IRI expansion relative to the vocabulary (keys, types, @vocab coercion)."""
        try:
            return self._memo[value]
        except KeyError:
            pass
        result = self._expand(value, vocab=True)
        if len(self._memo) < _MAX_MEMO:
            self._memo[value] = result
        return result

    def expand_document(self, value: str) -> str | None:
        """IRI expansion of an @id value. There is no base IRI, so relative stays relative."""
        return self._expand(value, vocab=False)

    def _expand(self, value: str, *, vocab: bool) -> str | None:
        # pyld's _expand_iri with base=None, which is how credstack.vc.jsonld calls it.
        if value in _KEYWORDS:
            return value
        if _KEYWORD_LIKE.match(value):
            return None
        mappings = self._raw["mappings"]
        if vocab and value in mappings:
            mapping = mappings[value]
            return None if mapping is None else mapping["@id"]
        colon = value.find(":")
        if colon > 0:
            prefix, suffix = value[:colon], value[colon + 1 :]
            if prefix == "_" or suffix.startswith("//"):
                return value
            mapping = mappings.get(prefix)
            if mapping and mapping["_prefix"]:
                return mapping["@id"] + suffix  # type: ignore[no-any-return]
            if jsonld._is_absolute_iri(value):
                return value
        if vocab and "@vocab" in self._raw:
            return self._raw["@vocab"] + value  # type: ignore[no-any-return]
        return value

    def derive(
        self, local: Any, *, propagate: bool = True, override_protected: bool = False
    ) -> ActiveContext:
        """This context with a document's ``local`` context applied; cached by its value."""
        key: Any = _context_key(local)
        return self._derive(key, local, propagate, override_protected)

    def derive_scoped(
        self, local: Any, *, propagate: bool = True, override_protected: bool = False
    ) -> ActiveContext:
        """This context with a scoped context from a term definition applied.

        Scoped contexts are objects inside compiled contexts, so they are cached by
        identity (the cache entry holds the object, so the identity stays unique).
        """
        key: Any = local if isinstance(local, str) else id(local)
        return self._derive(key, local, propagate, override_protected)

    def _derive(
        self, key: Any, local: Any, propagate: bool, override_protected: bool
    ) -> ActiveContext:
        cache_key = (key, propagate, override_protected)
        found = self._derived.get(cache_key)
        if found is not None and (isinstance(key, str | tuple) or found[0] is local):
            return found[1]
        derived = ActiveContext.wrap(
            _Pyld.process(
                self._raw, local, propagate=propagate, override_protected=override_protected
            )
        )
        if len(self._derived) < _MAX_DERIVED:
            self._derived[cache_key] = (local, derived)
        return derived


def _context_key(local: Any) -> Any:
    if isinstance(local, str):
        return local
    if isinstance(local, list) and all(isinstance(item, str) for item in local):
        return tuple(local)
    return json.dumps(local, sort_keys=True, ensure_ascii=False)
