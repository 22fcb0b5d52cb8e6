"""Quads of JSON subtrees remembered by content, so a template's fixed parts expand once.

Credentials of one achievement template share most of their JSON: the issuer profile, the
achievement with its criteria, alignments and result descriptions, the schema entry. Only
the subject, dates, ids, results, evidence and status entry change per credential. The fast
expansion therefore remembers what a node object below the document's root expanded to —
its quads, blank nodes numbered from zero, the graph it sits in left as a slot — and later
documents that hold the same subtree under the same active context and property take those
quads instead of expanding it again.

The key is the subtree's content: its ``marshal`` (version 2) bytes, which exist only for
plain ``dict``/``list``/``str``/``int``/``float``/``bool``/``None`` values, keep key order,
tell ``1`` from ``1.0`` from ``True`` and a tuple from a list, and depend on nothing but the
values (version 2 writes no object references). Beside it stand the active context (an
immutable compiled context, held by the entry so its ``id`` stays unique), the property name
and whether the subtree sits in a list. A subtree is remembered only the second time it is
met, so parts that differ per credential do not churn the cache, and the cache is bounded in
entries and in key bytes (least recently used go first): a stream of distinct documents
cannot grow it without bound.

The key costs a ``marshal`` of the subtree, which for the parts that differ per credential
(the subject, which holds the whole achievement, the evidence, the status entry) buys
nothing. So the cache also counts, per position (active context, property, in a list or
not), lookups that missed since the last hit: a position past ``_SKIP_AFTER`` misses in a
row is looked up only once every ``_SKIP_AFTER`` times, and a hit there makes it an ordinary
position again. Skipping a lookup only means expanding the subtree, so the bytes never
depend on it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from credstack.vc.fastcanon.firstdegree import first_degree_hash, group_by_blank_node

__all__ = ["GRAPH_SLOT", "Fragment", "FragmentCache", "Placement", "fragment_cache"]

Quad = tuple[str, str, str, str]
KindKey = tuple[str, str, str]

# Stands for the graph the subtree sits in; real terms start with '<', '"' or '_:', or are ''.
GRAPH_SLOT = "?"
_BLANK = "_:b"
_MAX_PLACEMENTS = 4
_SKIP_AFTER = 32
_MAX_POSITIONS = 4096


def _relabel(term: str, offset: int, graph: str) -> str:
    if term == GRAPH_SLOT:
        return graph
    if term.startswith(_BLANK):
        return _BLANK + str(int(term[3:]) + offset)
    return term


@dataclass(frozen=True, slots=True)
class Placement:
    """A fragment's statements with its blank nodes numbered after ``offset`` in ``graph``."""

    subject: str | None
    quads: frozenset[Quad]
    repeats: tuple[Quad, ...]
    lists: tuple[Quad, ...]  # first occurrences of empty-list statements (see _Dataset)
    kinds: tuple[tuple[KindKey, int], ...]
    # First-degree hashes (code point order) of the blank nodes inside: all but the subject
    # and the graph, which statements outside the fragment also name.
    first_degree: dict[str, str]


class Fragment:
    """What one subtree expanded to, with blank nodes ``_:b1``… and the graph as a slot."""

    __slots__ = (
        "_placements",
        "blanks",
        "booleans",
        "context",
        "kinds",
        "lists",
        "numbers",
        "quads",
        "repeats",
        "size",
        "subject",
    )

    def __init__(
        self,
        context: object,
        subject: str | None,
        *,
        blanks: int,
        quads: tuple[Quad, ...],
        repeats: tuple[Quad, ...],
        lists: tuple[Quad, ...],
        kinds: tuple[tuple[KindKey, int], ...],
        booleans: int,
        numbers: int,
    ) -> None:
        self.context = context
        self.subject = subject
        self.blanks = blanks
        self.quads = quads
        self.repeats = repeats
        self.lists = lists
        self.kinds = kinds
        self.booleans = booleans
        self.numbers = numbers
        # Text of its quads, counted once for the fragment and once per remembered placement.
        text = sum(len(s) + len(p) + len(o) + len(g) for s, p, o, g in quads)
        self.size = text * (1 + _MAX_PLACEMENTS)
        self._placements: dict[tuple[int, str], Placement] = {}

    @property
    def is_node(self) -> bool:
        """A node object (worth remembering), not a value object or nothing."""
        return self.subject is not None and not self.subject.startswith('"')

    def place(self, offset: int, graph: str) -> Placement:
        """The statements as they appear after ``offset`` blank nodes, in ``graph``.

        Documents of one template meet a subtree at the same offset, so placements are
        remembered (a few per fragment).
        """
        found = self._placements.get((offset, graph))
        if found is not None:
            return found

        def quad(q: Quad) -> Quad:
            s, p, o, g = q
            return (
                _relabel(s, offset, graph),
                p,
                _relabel(o, offset, graph),
                _relabel(g, offset, graph),
            )

        subject = None if self.subject is None else _relabel(self.subject, offset, graph)
        quads = frozenset(quad(q) for q in self.quads)
        repeats = tuple(quad(q) for q in self.repeats)
        placement = Placement(
            subject=subject,
            quads=quads,
            repeats=repeats,
            lists=tuple(quad(q) for q in self.lists),
            kinds=tuple(
                ((_relabel(s, offset, graph), p, _relabel(g, offset, graph)), bits)
                for (s, p, g), bits in self.kinds
            ),
            first_degree=_inner_hashes((*quads, *repeats), {subject, graph}),
        )
        if len(self._placements) < _MAX_PLACEMENTS:
            self._placements[(offset, graph)] = placement
        return placement


def _inner_hashes(statements: tuple[Quad, ...], outer: set[str | None]) -> dict[str, str]:
    """First-degree hashes of the blank nodes that only these statements name.

    Grouped as labelling groups a document's statements (a statement once per position
    that names the node), so each hash is the one the whole document would give.
    """
    named: dict[str, list[Quad]] = {}
    for statement in statements:
        group_by_blank_node(statement, named)
    return {
        blank: first_degree_hash(blank, found)
        for blank, found in named.items()
        if blank not in outer
    }


class FragmentCache:
    """Bounded LRU of fragments, admitting a key on its second sighting."""

    def __init__(self, max_entries: int = 1024, max_bytes: int = 16 * 1024 * 1024) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.max_entry_bytes = max_bytes // 16
        self._entries: OrderedDict[tuple[Any, ...], Fragment] = OrderedDict()
        self._seen: set[int] = set()
        # Per position: lookups since its last hit that missed (skipped ones included).
        self._misses_in_a_row: dict[tuple[Any, ...], int] = {}
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0
        self.skipped = 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def bytes(self) -> int:
        return self._bytes

    def get(self, key: tuple[Any, ...], context: object) -> Fragment | None:
        fragment = self._entries.get(key)
        if fragment is None or fragment.context is not context:
            self.misses += 1
            return None
        self.hits += 1
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
        return fragment

    def worth_a_lookup(self, position: tuple[Any, ...]) -> bool:
        """Whether to build the content key at ``position``; False counts as a miss there.

        ``position`` holds an active context's ``id``: a reused id only misleads this
        counter, never the entries, whose keys hold the context itself.
        """
        misses = self._misses_in_a_row.get(position, 0)
        if misses < _SKIP_AFTER or misses % _SKIP_AFTER == 0:
            return True
        self._misses_in_a_row[position] = misses + 1
        self.skipped += 1
        return False

    def looked_up(self, position: tuple[Any, ...], hit: bool) -> None:
        """Record a lookup's outcome at ``position`` (see ``worth_a_lookup``)."""
        counts = self._misses_in_a_row
        if hit:
            if position in counts:
                del counts[position]
            return
        if len(counts) >= _MAX_POSITIONS and position not in counts:
            counts.clear()  # a stream of odd positions must not grow it without bound
        counts[position] = counts.get(position, 0) + 1

    def seen_before(self, key: tuple[Any, ...]) -> bool:
        """Whether ``key`` was met before; records it (by hash, bounded) when not."""
        digest = hash(key)
        if digest in self._seen:
            return True
        with self._lock:
            if len(self._seen) >= 4 * self.max_entries:
                self._seen.clear()
            self._seen.add(digest)
        return False

    def put(self, key: tuple[Any, ...], content_bytes: int, fragment: Fragment) -> None:
        cost = content_bytes + fragment.size
        if cost > self.max_entry_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= _cost(key, old)
            self._entries[key] = fragment
            self._bytes += cost
            while self._entries and (
                len(self._entries) > self.max_entries or self._bytes > self.max_bytes
            ):
                evicted_key, evicted = self._entries.popitem(last=False)
                self._bytes -= _cost(evicted_key, evicted)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._seen.clear()
            self._misses_in_a_row.clear()
            self._bytes = 0
            self.hits = self.misses = self.skipped = 0


def _cost(key: tuple[Any, ...], fragment: Fragment) -> int:
    return len(key[-1]) + fragment.size


_CACHE = FragmentCache()


def fragment_cache() -> FragmentCache:
    """The process-wide cache (tests clear it and read its counters)."""
    return _CACHE
