"""Canonical forms of proof configurations, compiled once with only ``created`` left open.

Every proof one key makes has the same configuration (type, cryptosuite, verification
method, purpose, the document's contexts) except its ``created`` time, so expanding and
labelling it for each credential repeats the same work. A configuration is one node, a
blank node or none, so no hash decides a label: its canonical form is its statements with
that node written ``_:c14n0``, sorted. The statements other than ``created``'s are therefore
compiled once per configuration-without-``created`` and each proof writes only its own
``created`` line and sorts.

Compiling expands the configuration twice, with two probe times, and keeps the result only
when the two differ in exactly one statement whose object is the time written as a literal
(``"…"`` plus a datatype or language suffix that both probes share): then any string time
gives that statement with its own text, and nothing else changes. Anything else — a term
that makes ``created`` an IRI, more than one node, a repeated statement — is not compiled
and takes the ordinary fast path, which may in turn step aside for pyld.
"""

from __future__ import annotations

import marshal
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from credstack.vc.fastcanon.dataset import Quad, document_quads
from credstack.vc.fastcanon.nquads import escape_literal
from credstack.vc.fastcanon.order import Order, sort_key
from credstack.vc.fastcanon.rdfc import canonical_nquads, nquads_line
from credstack.vc.fastcanon.unsupported import Unsupported, fast_path_enabled

__all__ = ["ProofConfigCache", "fast_canonicalize_proof_config", "proof_config_cache"]

_CREATED = "created"
_PROBES = ("1970-01-01T00:00:00Z", "2001-02-03T04:05:06Z")
_LABEL = "_:c14n0"
_MAX_KEY_BYTES = 8192


@dataclass(frozen=True, slots=True)
class _Compiled:
    lines: tuple[str, ...]  # canonical lines of every statement but created's
    prefix: str  # created's line up to its text: '_:c14n0 <…created> "'
    suffix: str  # after its text: '"^^<…dateTime> .\n'

    def canonical(self, created: str, order: Order) -> str:
        lines = [*self.lines, self.prefix + escape_literal(created) + self.suffix]
        lines.sort(key=sort_key(order))
        return "".join(lines)


def _compile(config: dict[str, Any]) -> _Compiled | None:
    probed: list[list[Quad]] = []
    for probe in _PROBES:
        try:
            probed.append(document_quads({**config, _CREATED: probe}))
        except Unsupported:
            return None
    first, second = probed
    if len(set(first)) != len(first) or len(set(second)) != len(second):
        return None
    only_first = set(first) - set(second)
    only_second = set(second) - set(first)
    if len(only_first) != 1 or len(only_second) != 1:
        return None
    statement = only_first.pop()
    subject, predicate, obj, graph = statement
    subject2, predicate2, obj2, graph2 = only_second.pop()
    if (subject, predicate, graph) != (subject2, predicate2, graph2):
        return None
    head = ['"' + escape_literal(probe) for probe in _PROBES]
    if not (obj.startswith(head[0]) and obj2.startswith(head[1])):
        return None
    suffix = obj[len(head[0]) :]
    if obj2[len(head[1]) :] != suffix or not suffix.startswith('"'):
        return None
    blanks = {term for quad in first for term in quad if term.startswith("_:")}
    if len(blanks) > 1:
        return None

    def relabel(term: str) -> str:
        return _LABEL if term in blanks else term

    lines = tuple(
        nquads_line(relabel(s), p, relabel(o), relabel(g))
        for s, p, o, g in first
        if (s, p, o, g) != statement
    )
    end = (" " + relabel(graph) if graph else "") + " .\n"
    return _Compiled(lines, f'{relabel(subject)} {predicate} "', suffix + end)


class ProofConfigCache:
    """Bounded LRU of compiled configurations (None remembers one that does not compile)."""

    def __init__(self, max_entries: int = 256) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[bytes, _Compiled | None] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def compiled(self, key: bytes, config: dict[str, Any]) -> _Compiled | None:
        with self._lock:
            if key in self._entries:
                self.hits += 1
                self._entries.move_to_end(key)
                return self._entries[key]
        self.misses += 1
        compiled = _compile(config)
        with self._lock:
            self._entries[key] = compiled
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return compiled

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.hits = self.misses = 0


_CACHE = ProofConfigCache()


def proof_config_cache() -> ProofConfigCache:
    """The process-wide cache (tests clear it and read its counters)."""
    return _CACHE


def fast_canonicalize_proof_config(
    config: Mapping[str, Any], order: Order = Order.CODE_POINT
) -> str:
    """Canonical N-Quads of a proof configuration by the fast path; raises ``Unsupported``.

    The same bytes as ``fast_canonicalize(config, order)``, from the compiled form when the
    configuration has a string ``created`` and compiles.
    """
    if not fast_path_enabled():
        raise Unsupported("fast path disabled")
    created = config.get(_CREATED)
    if type(config) is dict and type(created) is str:
        try:
            key = marshal.dumps({**config, _CREATED: None}, 2)
        except ValueError:  # not plain JSON values
            key = b""
        if 0 < len(key) <= _MAX_KEY_BYTES:
            compiled = _CACHE.compiled(key, config)
            if compiled is not None:
                return compiled.canonical(created, order)
    return canonical_nquads(document_quads(config), order)
