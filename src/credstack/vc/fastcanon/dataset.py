"""A JSON-LD document straight to its RDF quads, for the JSON-LD credentials actually use.

This follows pyld's expansion (``JsonLdProcessor._expand`` / ``_expand_object``) step by
step — type-scoped contexts reverting at node boundaries, property-scoped contexts applied
twice as pyld does, types expanded against the context before type scoping — but writes
quads as it goes instead of building expanded JSON-LD, a node map and then quads.

Supported: node objects with ``@id``/``@type`` (and their aliases), embedded and scoped
contexts, ``@set``/``@list``/``@graph`` containers (VC 2.0 ``proof`` and
``verifiableCredential`` are ``@graph`` containers), ``@json`` literals, value objects with
``@value``/``@type``/``@language``/``@direction``/``@index``, coercion to ``@id``,
``@vocab`` and datatypes, numbers, booleans. Anything else, every term no context defines
and every IRI that is not absolute raises ``Unsupported``: the general algorithm then
decides, so the fast path can only ever agree with it or step aside.

Quads are tuples ``(subject, predicate, object, graph)`` of canonical N-Quads terms
(``<iri>``, ``_:label``, ``"literal"...``); ``graph`` is ``""`` for the default graph. They
are collected in a set, as pyld's node map merges repeated statements (with the two
exceptions ``_Dataset`` mirrors).
"""

from __future__ import annotations

import marshal
import re
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from pyld.jsonld import _canonicalize_double
from pyld.jsonld import canonicalize as json_canonicalize  # JCS, as pyld writes @json

from credstack.vc.fastcanon.context import ActiveContext, Term, is_keyword
from credstack.vc.fastcanon.fragments import GRAPH_SLOT, Fragment, fragment_cache
from credstack.vc.fastcanon.nquads import (
    RDF_LANGSTRING,
    XSD_STRING,
    escape_iri,
    escape_literal,
    literal_term,
)
from credstack.vc.fastcanon.unsupported import Unsupported

__all__ = ["Quad", "document_quads", "document_quads_and_hashes"]

Quad = tuple[str, str, str, str]

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_RDF_TYPE = f"<{_RDF}type>"
_RDF_FIRST = f"<{_RDF}first>"
_RDF_REST = f"<{_RDF}rest>"
_RDF_NIL = f"<{_RDF}nil>"
_RDF_JSON = f"{_RDF}JSON"
_XSD_BOOLEAN = f"{_XSD}boolean"
_XSD_DOUBLE = f"{_XSD}double"
_XSD_INTEGER = f"{_XSD}integer"

# Absolute by both pyld's test (scheme may hold ',', no whitespace) and the safe-mode test
# in credstack.vc.jsonld (no ',' in the scheme, whitespace allowed): anything between the
# two is left to the general path.
_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s]*\Z")
_IRI_NEEDS_ESCAPE = re.compile('[<>"{}|^`\\\\]')
_VALUE_KEYWORDS = frozenset({"@value", "@language", "@direction", "@index"})
_MAP_CONTAINERS = frozenset({"@language", "@index", "@id", "@type"})
_GRAPH_CONTAINERS = frozenset({"@graph", "@set"})
_NO_TERM: Term | None = None

_iri_terms: dict[str, str] = {}
_MAX_IRI_TERMS = 8192
# Node objects this many levels below the root are expanded as remembered fragments
# (``fragments``); deeper ones are inside those fragments already.
_FRAGMENT_DEPTH = 3


def _iri(value: str | None) -> str:
    """``<iri>`` for an absolute IRI; anything else is the general path's business."""
    if value is None:
        raise Unsupported("a value expands to no IRI")
    term = _iri_terms.get(value)
    if term is not None:
        return term
    if not _ABSOLUTE.match(value):
        raise Unsupported(f"relative IRI or undefined term {value!r}")
    term = "<" + escape_iri(value) + ">"
    if len(_iri_terms) < _MAX_IRI_TERMS:
        _iri_terms[value] = term
    return term


def _predicate(value: str) -> str:
    # pyld hashes related blank nodes with the raw predicate IRI, the first-degree hash with
    # the escaped one; keeping predicates escape-free keeps the two identical.
    if _IRI_NEEDS_ESCAPE.search(value):
        raise Unsupported(f"predicate IRI needs escaping: {value!r}")
    return _iri(value)


def _literal(value: Any, datatype: str | None, language: str | None) -> str:
    """pyld's ``_object_to_rdf`` for a value object, written as a canonical term."""
    if datatype is not None and not _ABSOLUTE.match(datatype):
        raise Unsupported(f"datatype {datatype!r} is not an absolute IRI")
    if value is True or value is False:
        return literal_term("true" if value else "false", datatype or _XSD_BOOLEAN)
    if isinstance(value, float):
        if not value.is_integer():
            return literal_term(_canonicalize_double(value), datatype or _XSD_DOUBLE)
    elif isinstance(value, str):
        if datatype == _XSD_DOUBLE:
            raise Unsupported("a string typed xsd:double")
        if language is not None:
            return literal_term(value, datatype or RDF_LANGSTRING, language)
        return literal_term(value, datatype or XSD_STRING)
    elif not isinstance(value, int):
        raise Unsupported(f"{type(value).__name__} is not a JSON value")
    if datatype == _XSD_DOUBLE or abs(value) >= 1e21:
        try:
            as_float = float(value)
        except OverflowError:
            raise Unsupported("an integer too large for a double") from None
        return literal_term(_canonicalize_double(as_float), datatype or _XSD_DOUBLE)
    return literal_term(str(int(value)), datatype or _XSD_INTEGER)


_DOCUMENT_IRI, _VOCAB_IRI, _TEXT = 0, 1, 2


def _string_rule(ctx: ActiveContext, prop: str, expanded: str | None) -> tuple[int, str]:
    """How a string value of ``prop`` is written: what pyld's ``_expand_value`` and
    ``_object_to_rdf`` decide from the term alone, so a plan decides it once.

    An IRI expanded against the document or the vocabulary, or a literal: its escaped text
    between ``"`` and the suffix returned (closing quote, then datatype or language).
    """
    if expanded == "@id" or expanded == "@type":
        raise Unsupported(f"a keyword alias {prop!r} used as a property")
    term = ctx.term(prop)
    coercion = term.coercion if term is not None else None
    if coercion == "@id" or expanded == "@graph":
        return _DOCUMENT_IRI, ""
    if coercion == "@vocab":
        return _VOCAB_IRI, ""
    if expanded is not None and is_keyword(expanded):
        raise Unsupported(f"a scalar under the keyword {expanded}")
    if coercion is not None and coercion not in ("@id", "@vocab", "@none"):
        if coercion == "@json":
            raise Unsupported("@json coercion inside a container")
        return _TEXT, _literal("", coercion, None)[1:]
    language = ctx.default_language
    if term is not None and term.has_language:
        language = term.language
    return _TEXT, _literal("", None, language)[1:]


class _Dataset:
    __slots__ = (
        "_blank",
        "_booleans",
        "_kinds",
        "_numbers",
        "depth",
        "first_degree",
        "lists",
        "quads",
        "repeats",
    )

    def __init__(self, depth: int = 0) -> None:
        self.depth = depth
        self.quads: set[Quad] = set()
        # pyld's node map keeps a repeated empty list (two rdf:nil statements) when a node
        # appears twice; mirrored here so the bytes match. ``lists`` holds the first
        # occurrences, so a fragment merged into a larger dataset can find its repeats there.
        self.repeats: list[Quad] = []
        self.lists: list[Quad] = []
        # First-degree hashes of merged fragments' inner blank nodes (see Placement).
        self.first_degree: dict[str, str] = {}
        self._blank = 0
        # Direct boolean / number values of the property being expanded, and per statement
        # which of the two it has seen: pyld de-duplicates values with Python ==, where
        # True == 1, so it keeps one of [true, 1] where a set of quads keeps both.
        self._booleans = 0
        self._numbers = 0
        self._kinds: dict[tuple[str, str, str], int] = {}

    def blank(self) -> str:
        self._blank += 1
        return "_:b" + str(self._blank)

    def expand(
        self,
        ctx: ActiveContext,
        prop: str | None,
        value: Any,
        graph: str,
        inside_list: bool,
        out: list[str],
    ) -> None:
        """Append the object terms ``value`` expands to (pyld's ``_expand``)."""
        if value is None:
            return
        if isinstance(value, list):
            if not inside_list and prop is not None:
                term = ctx.term(prop)
                inside_list = term is not None and "@list" in term.containers
            for item in value:
                if inside_list and isinstance(item, list):
                    raise Unsupported("a list of lists")
                self.expand(ctx, prop, item, graph, inside_list, out)
            return
        if isinstance(value, dict):
            term_value = self.node(ctx, prop, value, graph, inside_list)
            if term_value is not None:
                out.append(term_value)
            return
        if prop is None:
            return  # free-floating scalar: dropped
        expanded = ctx.expand_vocab(prop)
        if not inside_list and expanded == "@graph":
            return
        self._count_kind(value)
        out.append(self.scalar(ctx, prop, expanded, value))

    def node(
        self,
        ctx: ActiveContext,
        prop: str | None,
        element: dict[str, Any],
        graph: str,
        inside_list: bool,
    ) -> str | None:
        """``element``, taken from the fragment cache when this subtree was expanded before.

        The same result as ``element`` in every respect (quads, blank node numbers, the
        bookkeeping of repeats and value kinds): a fragment is expanded in a dataset of its
        own, numbered from zero, and merged here renumbered.
        """
        if self.depth >= _FRAGMENT_DEPTH or type(element) is not dict or "@value" in element:
            return self.element(ctx, prop, element, graph, inside_list)
        cache = fragment_cache()
        position = (id(ctx), prop, inside_list)
        if not cache.worth_a_lookup(position):
            return self.element(ctx, prop, element, graph, inside_list)
        try:
            content = marshal.dumps(element, 2)
        except ValueError:  # not plain JSON values (a subclass, a tuple of objects, ...)
            return self.element(ctx, prop, element, graph, inside_list)
        key = (id(ctx), prop, inside_list, content)
        fragment = cache.get(key, ctx)
        cache.looked_up(position, fragment is not None)
        if fragment is None:
            if not cache.seen_before(key):
                return self.element(ctx, prop, element, graph, inside_list)
            child = _Dataset(self.depth + 1)
            subject = child.element(ctx, prop, element, GRAPH_SLOT, inside_list)
            fragment = child.fragment(ctx, subject)
            if fragment.is_node:
                cache.put(key, len(content), fragment)
        return self.merge(fragment, graph)

    def fragment(self, ctx: ActiveContext, subject: str | None) -> Fragment:
        return Fragment(
            ctx,
            subject,
            blanks=self._blank,
            quads=tuple(self.quads),
            repeats=tuple(self.repeats),
            lists=tuple(self.lists),
            kinds=tuple(self._kinds.items()),
            booleans=self._booleans,
            numbers=self._numbers,
        )

    def merge(self, fragment: Fragment, graph: str) -> str | None:
        """Add a fragment's statements as if its subtree had been expanded here."""
        placement = fragment.place(self._blank, graph)
        quads = self.quads
        for statement in placement.lists:
            if statement in quads:
                self.repeats.append(statement)
            else:
                self.lists.append(statement)
        kinds = self._kinds
        for kind_key, bits in placement.kinds:
            merged = kinds.get(kind_key, 0) | bits
            if merged == 3:
                raise Unsupported("booleans and numbers as values of one property")
            kinds[kind_key] = merged
        quads |= placement.quads
        self.repeats.extend(placement.repeats)
        if placement.first_degree:
            self.first_degree.update(placement.first_degree)
        self._blank += fragment.blanks
        self._booleans += fragment.booleans
        self._numbers += fragment.numbers
        return placement.subject

    def _count_kind(self, value: Any) -> None:
        if value is True or value is False:
            self._booleans += 1
        elif isinstance(value, int | float):
            self._numbers += 1

    def scalar(self, ctx: ActiveContext, prop: str, expanded: str | None, value: Any) -> str:
        """pyld's ``_expand_value`` then ``_object_to_rdf``."""
        if isinstance(value, str):
            return self.string(_string_rule(ctx, prop, expanded), ctx, value)
        if expanded == "@id" or expanded == "@type":
            raise Unsupported(f"a keyword alias {prop!r} used as a property")
        term = ctx.term(prop)
        coercion = term.coercion if term is not None else None
        if expanded is not None and is_keyword(expanded):
            raise Unsupported(f"a scalar under the keyword {expanded}")
        if coercion is not None and coercion not in ("@id", "@vocab", "@none"):
            if coercion == "@json":
                raise Unsupported("@json coercion inside a container")
            return _literal(value, coercion, None)
        return _literal(value, None, None)

    def string(self, rule: tuple[int, str], ctx: ActiveContext, value: str) -> str:
        """A string value written by its property's rule (see ``_string_rule``)."""
        kind, suffix = rule
        if kind == _TEXT:
            return '"' + escape_literal(value) + suffix
        if kind == _DOCUMENT_IRI:
            return self.reference(ctx.expand_document(value))
        return self.reference(ctx.expand_vocab(value))

    def reference(self, iri: str | None) -> str:
        if iri is not None and iri.startswith("_:"):
            raise Unsupported("a blank node identifier in the document")
        return _iri(iri)

    def element(
        self,
        ctx: ActiveContext,
        prop: str | None,
        element: dict[str, Any],
        graph: str,
        inside_list: bool,
    ) -> str | None:
        """A JSON object: a node (its quads added, its subject returned) or a value.

        Node objects of a shape met before (same active context, property, keys and types)
        take that shape's compiled plan (``_Shape``); the rest, and value objects, are worked
        out key by key.
        """
        shape = _shape(ctx, prop, element)
        if shape is not None:
            return self.emit(shape, element, graph)
        node_ctx, type_scoped, _ = _node_contexts(ctx, prop, element)
        entries = _entries(node_ctx, type_scoped, element)
        subject: str | None = None
        if entries.id_key is not None:
            subject = self.reference(node_ctx.expand_document(element[entries.id_key]))
        types = entries.types
        value_entries = entries.values(element)
        if "@value" in value_entries:
            if subject is not None or entries.properties:
                raise Unsupported("a value object with other entries")
            if prop is None and not inside_list:
                raise Unsupported("a free-floating value object")
            datatype = None
            if types is not None:
                if len(types) != 1 or isinstance(element[entries.type_key or ""], list):
                    raise Unsupported("a value object with several types")
                datatype = types[0]
            return self.value_object(value_entries, datatype)
        if value_entries.keys() - {"@index"} or not isinstance(
            value_entries.get("@index", ""), str
        ):
            raise Unsupported("language or direction outside a value object")

        if subject is None:
            subject = self.blank()
        quads = self.quads
        if types:
            for name in _type_terms(types):
                quads.add((subject, _RDF_TYPE, name, graph))
        for key, expanded in entries.properties:
            self.property(_step(node_ctx, key, expanded), subject, element[key], graph)
        return subject

    def emit(self, shape: _Shape, element: dict[str, Any], graph: str) -> str:
        """A node object by its shape's plan: the same quads as ``element`` works out."""
        if shape.id_key is not None:
            node_id = element[shape.id_key]
            if not isinstance(node_id, str):
                raise Unsupported("an unusual @id")
            subject = self.reference(shape.ctx.expand_document(node_id))
        else:
            subject = self.blank()
        quads = self.quads
        for name in shape.types:
            quads.add((subject, _RDF_TYPE, name, graph))
        for step in shape.steps:
            value = element[step.key]
            if step.string_rule is not None and type(value) is str:
                # A string straight under a plain property: property() would go through
                # expand() to scalar() and add the one statement.
                obj = self.string(step.string_rule, step.term_ctx, value)
                quads.add((subject, step.predicate, obj, graph))
            else:
                self.property(step, subject, value, graph)
        return subject

    def value_object(self, entries: dict[str, Any], datatype: str | None) -> str | None:
        value = entries["@value"]
        language = entries.get("@language")
        if "@direction" in entries and entries["@direction"] not in ("ltr", "rtl"):
            raise Unsupported("an invalid @direction")
        if not isinstance(entries.get("@index", ""), str):
            raise Unsupported("a non-string @index")
        if language is not None and not isinstance(language, str):
            raise Unsupported("a non-string @language")
        if datatype is not None and (language is not None or "@direction" in entries):
            raise Unsupported("a value object with a type and a language")
        if "@index" in entries:
            raise Unsupported("an indexed value (pyld keeps it apart from equal values)")
        if value is None:
            return None
        if isinstance(value, dict | list):
            raise Unsupported("an object or array as @value")
        if language is not None and not isinstance(value, str):
            raise Unsupported("a language-tagged non-string")
        self._count_kind(value)
        # rdfDirection is unset, as in credstack.vc.jsonld: the direction is not in the RDF.
        return _literal(value, datatype, language.lower() if language is not None else None)

    def property(self, step: _Step, subject: str, value: Any, graph: str) -> None:
        predicate, term, term_ctx, containers = (
            step.predicate,
            step.term,
            step.term_ctx,
            step.containers,
        )
        key = step.key
        if term is not None:
            if isinstance(value, dict) and containers & _MAP_CONTAINERS:
                raise Unsupported("a language, index, id or type map")
            if term.coercion == "@json":
                if containers - {"@set"}:
                    raise Unsupported("@json in a container")
                text = json_canonicalize(value).decode("utf-8")
                self.quads.add((subject, predicate, literal_term(text, _RDF_JSON), graph))
                return
        if value is None:
            return
        quads = self.quads
        if "@graph" in containers:
            if containers - _GRAPH_CONTAINERS:
                raise Unsupported("a @graph container combined with another")
            out: list[str] = []
            for item in value if isinstance(value, list) else [value]:
                if item is None:
                    continue
                if not isinstance(item, dict):
                    raise Unsupported("a @graph container holding a non-object")
                name = self.blank()
                node = self.node(term_ctx, key, item, name, False)
                if node is None:
                    continue
                if node.startswith('"'):
                    raise Unsupported("a @graph container holding a value")
                out.append(name)
            for name in out:
                quads.add((subject, predicate, name, graph))
            return
        objects: list[str] = []
        saved = self._booleans, self._numbers
        self._booleans = self._numbers = 0
        self.expand(term_ctx, key, value, graph, False, objects)
        if "@list" in containers:
            self._booleans, self._numbers = saved
            if not objects and not isinstance(value, list):
                return
            statement = (subject, predicate, self.rdf_list(objects, graph), graph)
            if statement in quads:
                self.repeats.append(statement)
            elif statement[2] == _RDF_NIL:
                self.lists.append(statement)
            quads.add(statement)
            return
        if self._booleans or self._numbers:
            kinds = self._kinds.get((subject, predicate, graph), 0)
            kinds |= (1 if self._booleans else 0) | (2 if self._numbers else 0)
            if kinds == 3:
                raise Unsupported("booleans and numbers as values of one property")
            self._kinds[(subject, predicate, graph)] = kinds
        self._booleans, self._numbers = saved
        for obj in objects:
            quads.add((subject, predicate, obj, graph))

    def rdf_list(self, items: list[str], graph: str) -> str:
        if not items:
            return _RDF_NIL
        head = node = self.blank()
        last = len(items) - 1
        for index, item in enumerate(items):
            self.quads.add((node, _RDF_FIRST, item, graph))
            following = _RDF_NIL if index == last else self.blank()
            self.quads.add((node, _RDF_REST, following, graph))
            node = following
        return head


def _node_contexts(
    ctx: ActiveContext, prop: str | None, element: dict[str, Any]
) -> tuple[ActiveContext, ActiveContext, str | None]:
    """The contexts a JSON object is read in: its own, the one its types expand in, and
    the first key (in sorted order) that names its types."""
    term = ctx.term(prop) if prop is not None else None
    property_scoped = term.scoped if term is not None else None
    previous = ctx.previous
    if previous is not None:
        must_revert = True
        if len(element) <= 2 and "@context" not in element:
            for key in sorted(element):
                expanded = ctx.expand_vocab(key)
                if expanded == "@value":
                    must_revert = False
                    break
                if expanded == "@id" and len(element) == 1:
                    must_revert = False
                    break
        if must_revert:
            ctx = previous
    if property_scoped is not None:
        ctx = ctx.derive_scoped(property_scoped, override_protected=True)
    if "@context" in element:
        ctx = ctx.derive(element["@context"])
    type_scoped = ctx
    type_key = None
    for key in sorted(element):
        if ctx.expand_vocab(key) != "@type":
            continue
        type_key = type_key or key
        raw_types = element[key]
        names = raw_types if isinstance(raw_types, list) else [raw_types]
        for name in sorted(n for n in names if isinstance(n, str)):
            type_term = type_scoped.term(name)
            scoped = type_term.scoped if type_term is not None else None
            if scoped is not None and scoped is not False:
                ctx = ctx.derive_scoped(scoped, propagate=False)
    return ctx, type_scoped, type_key


@dataclass(frozen=True, slots=True)
class _Entries:
    """What each key of a JSON object is: its @id, its types, value keywords, properties."""

    id_key: str | None
    type_key: str | None
    types: list[str] | None
    value_keys: tuple[tuple[str, str], ...]  # (keyword, key)
    properties: tuple[tuple[str, str], ...]  # (key, property IRI)

    def values(self, element: dict[str, Any]) -> dict[str, Any]:
        return {keyword: element[key] for keyword, key in self.value_keys}


def _entries(ctx: ActiveContext, type_scoped: ActiveContext, element: dict[str, Any]) -> _Entries:
    id_key: str | None = None
    type_key: str | None = None
    types: list[str] | None = None
    value_keys: dict[str, str] = {}
    properties: list[tuple[str, str]] = []
    for key, value in element.items():
        if key == "@context":
            continue
        if not isinstance(key, str):
            raise Unsupported("a non-string key")
        expanded = ctx.expand_vocab(key)
        if expanded is None:
            raise Unsupported(f"undefined term {key!r}")
        if is_keyword(expanded):
            if expanded == "@id":
                if id_key is not None or not isinstance(value, str):
                    raise Unsupported("an unusual @id")
                id_key = key
            elif expanded == "@type":
                if types is not None:
                    raise Unsupported("two keys for @type")
                names = value if isinstance(value, list) else [value]
                if not all(isinstance(n, str) for n in names):
                    raise Unsupported("a non-string type")
                types = [type_scoped.expand_vocab(n) or "" for n in names]  # "" fails _iri
                type_key = key
            elif expanded in _VALUE_KEYWORDS:
                if expanded in value_keys:
                    raise Unsupported(f"two keys for {expanded}")
                value_keys[expanded] = key
            else:
                raise Unsupported(f"the keyword {expanded}")
            continue
        if not _ABSOLUTE.match(expanded):
            raise Unsupported(f"undefined term {key!r}")
        properties.append((key, expanded))
    if len(properties) > 1 and len({p[1] for p in properties}) != len(properties):
        # pyld merges such values with Python == (True == 1); leave it to pyld.
        raise Unsupported("two keys for one property")
    return _Entries(id_key, type_key, types, tuple(value_keys.items()), tuple(properties))


def _type_terms(types: list[str]) -> tuple[str, ...]:
    for name in types:
        if name.startswith("_:"):
            raise Unsupported("a blank node type")
    return tuple(_iri(name) for name in types)


@dataclass(frozen=True, slots=True)
class _Step:
    """One property of a node: what ``_Dataset.property`` needs besides the value."""

    key: str
    predicate: str
    term: Term | None
    term_ctx: ActiveContext
    containers: frozenset[str]
    # How a string value is written when it is one plain statement (no container or @json
    # to handle); None sends every value through property().
    string_rule: tuple[int, str] | None


def _step(ctx: ActiveContext, key: str, expanded: str) -> _Step:
    predicate = _predicate(expanded)
    term = ctx.term(key)
    term_ctx = ctx
    containers: frozenset[str] = frozenset()
    if term is not None:
        if term.reverse:
            raise Unsupported("a reverse property")
        if term.scoped is not None:
            term_ctx = ctx.derive_scoped(term.scoped, override_protected=True)
        containers = term.containers
    string_rule = None
    if (term is None or term.coercion != "@json") and not containers & {"@graph", "@list"}:
        expanded_here = term_ctx.expand_vocab(key)
        if expanded_here != "@graph":  # expand() drops such a string
            # When the rule refuses, property() raises it if a string comes, not otherwise.
            with suppress(Unsupported):
                string_rule = _string_rule(term_ctx, key, expanded_here)
    return _Step(key, predicate, term, term_ctx, containers, string_rule)


@dataclass(frozen=True, slots=True)
class _Shape:
    """The plan of a node object: every key-dependent decision of ``element``, made once.

    Valid for every JSON object with the same keys in the same order, the same types and
    embedded context, under the same active context and property; only the values (the
    @id, property values) are read per object.
    """

    ctx: ActiveContext
    id_key: str | None
    types: tuple[str, ...]
    steps: tuple[_Step, ...]


class _Shapes:
    """Shapes under one (active context, property, keys): one per value of the type key."""

    __slots__ = ("ctx", "shapes", "type_key")

    def __init__(self, ctx: ActiveContext, type_key: str | None) -> None:
        self.ctx = ctx  # held so the id() in the key stays this context's
        self.type_key = type_key
        self.shapes: dict[Any, _Shape | None] = {}


# (id of the active context, property, keys, embedded context URLs) -> shapes
_SHAPES: dict[tuple[int, str | None, tuple[str, ...], Any], _Shapes] = {}
_MAX_SHAPE_KEYS = 2048
_MAX_SHAPES_PER_KEY = 32
_MAX_SHAPE_ENTRIES = 64  # larger objects are worked out key by key, never remembered


def _shape(ctx: ActiveContext, prop: str | None, element: dict[str, Any]) -> _Shape | None:
    """The plan for ``element``, None for value objects and anything unusual.

    Embedded contexts other than URLs, types other than strings and objects of more than
    ``_MAX_SHAPE_ENTRIES`` keys are left to the key-by-key work; a plan is made the first
    time a shape is met. The plans are bounded in number (cleared when full).
    """
    if len(element) > _MAX_SHAPE_ENTRIES:
        return None
    local: Any = None
    if "@context" in element:
        local = element["@context"]
        if type(local) is list and all(type(url) is str for url in local):
            local = tuple(local)
        elif type(local) is not str:
            return None
    lookup = (id(ctx), prop, tuple(element), local)
    found = _SHAPES.get(lookup)
    if found is None or found.ctx is not ctx:
        found = _Shapes(ctx, _node_contexts(ctx, prop, element)[2])
        if len(_SHAPES) >= _MAX_SHAPE_KEYS:
            _SHAPES.clear()  # a stream of odd shapes must not crowd out the usual ones
        _SHAPES[lookup] = found
    types: Any = None
    if found.type_key is not None:
        types = element[found.type_key]
        if type(types) is list:
            if not all(type(name) is str for name in types):
                return None
            types = (tuple(types),)  # a list is told apart from a lone string
        elif type(types) is not str:
            return None
    if types in found.shapes:
        return found.shapes[types]
    shape = _make_shape(ctx, prop, element, found.type_key)
    if len(found.shapes) < _MAX_SHAPES_PER_KEY:
        found.shapes[types] = shape
    return shape


def _make_shape(
    ctx: ActiveContext, prop: str | None, element: dict[str, Any], type_key: str | None
) -> _Shape | None:
    node_ctx, type_scoped, _ = _node_contexts(ctx, prop, element)
    entries = _entries(node_ctx, type_scoped, element)
    if entries.value_keys or entries.type_key != type_key:
        return None
    return _Shape(
        node_ctx,
        entries.id_key,
        _type_terms(entries.types) if entries.types else (),
        tuple(_step(node_ctx, key, expanded) for key, expanded in entries.properties),
    )


def document_quads(document: Mapping[str, Any]) -> list[Quad]:
    """The quads of a JSON-LD document; raises ``Unsupported`` for the general path.

    Each statement once, except where pyld's node map repeats one (see ``_Dataset``).
    """
    return document_quads_and_hashes(document)[0]


def document_quads_and_hashes(document: Mapping[str, Any]) -> tuple[list[Quad], dict[str, str]]:
    """``document_quads`` and the first-degree hashes (code point order) already known for
    some of their blank nodes: those inside remembered fragments."""
    if not isinstance(document, dict):
        document = dict(document)
    dataset = _Dataset()
    dataset.element(ActiveContext.initial(), None, document, "", False)
    return [*dataset.quads, *dataset.repeats], dataset.first_degree
