"""RDFC-1.0 canonical labelling of blank nodes, directly over fast-path quads.

Documents credstack issues have a handful of blank nodes (results, alignments, the proof
graph), almost always told apart by their first-degree hashes, so that step is done with
plain string work and the N-degree algorithm runs only for the nodes whose hashes collide.
The algorithm mirrors pyld's URDNA2015 (the general path's oracle), including its
permutation order, so both paths issue the same labels.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from hashlib import sha256
from typing import Any

from pyld.canon import permutations

from credstack.vc.fastcanon.dataset import Quad
from credstack.vc.fastcanon.firstdegree import (
    first_degree_hash,
    group_by_blank_node,
    nquads_line,
)
from credstack.vc.fastcanon.order import Order, sort_key

__all__ = ["canonical_nquads", "nquads_line"]


class _Issuer:
    """Identifier issuer: labels in the order they were first asked for."""

    __slots__ = ("issued", "prefix")

    def __init__(self, prefix: str, issued: dict[str, str] | None = None) -> None:
        self.prefix = prefix
        self.issued: dict[str, str] = issued if issued is not None else {}

    def get(self, old: str) -> str:
        label = self.issued.get(old)
        if label is None:
            label = self.issued[old] = self.prefix + str(len(self.issued))
        return label

    def copy(self) -> _Issuer:
        return _Issuer(self.prefix, dict(self.issued))


class _Canonicaliser:
    def __init__(self, quads: Collection[Quad], key: Callable[[str], Any] | None) -> None:
        self.key = key
        # Most statements name no blank node: their lines are final as soon as they are
        # read, so one pass writes them and sets the others aside for labelling.
        self.lines: list[str] = []
        self.with_blanks: list[Quad] = []
        by_blank: dict[str, list[Quad]] = {}
        append_line = self.lines.append
        for quad in quads:
            subject, predicate, obj, graph = quad
            if subject[0] == "_" or obj[0] == "_" or (graph and graph[0] == "_"):
                self.with_blanks.append(quad)
                group_by_blank_node(quad, by_blank)
            elif graph:
                append_line(f"{subject} {predicate} {obj} {graph} .\n")
            else:
                append_line(f"{subject} {predicate} {obj} .\n")
        self.by_blank = by_blank
        self.first_degree: dict[str, str] = {}
        self.canonical = _Issuer("_:c14n")

    def hash_first_degree(self, blank: str) -> str:
        found = self.first_degree.get(blank)
        if found is not None:
            return found
        digest = first_degree_hash(blank, self.by_blank[blank], self.key)
        self.first_degree[blank] = digest
        return digest

    def label(self) -> None:
        if not self.by_blank:
            return
        if len(self.by_blank) == 1:
            # One blank node (a proof configuration, say) is one group: it is issued
            # _:c14n0 whatever its hash, so the hash is not computed.
            self.canonical.get(next(iter(self.by_blank)))
            return
        groups: dict[str, list[str]] = {}
        for blank in self.by_blank:
            groups.setdefault(self.hash_first_degree(blank), []).append(blank)
        ordered = sorted(groups.items())
        for _, blanks in ordered:
            if len(blanks) == 1:
                self.canonical.get(blanks[0])
        for _, blanks in ordered:
            if len(blanks) == 1:
                continue
            results = []
            for blank in blanks:
                if blank in self.canonical.issued:
                    continue
                issuer = _Issuer("_:b")
                issuer.get(blank)
                results.append(self.hash_n_degree(blank, issuer))
            for _, issuer in sorted(results, key=lambda result: result[0]):
                for existing in issuer.issued:
                    self.canonical.get(existing)

    def hash_related(self, related: str, predicate: str, issuer: _Issuer, position: str) -> str:
        if related in self.canonical.issued:
            label = self.canonical.issued[related]
        elif related in issuer.issued:
            label = issuer.issued[related]
        else:
            label = self.hash_first_degree(related)
        text = position + (predicate if position != "g" else "") + label
        return sha256(text.encode("utf-8")).hexdigest()

    def hash_n_degree(self, blank: str, issuer: _Issuer) -> tuple[str, _Issuer]:
        related_by_hash: dict[str, list[str]] = {}
        for subject, predicate, obj, graph in self.by_blank[blank]:
            for component, position in ((subject, "s"), (obj, "o"), (graph, "g")):
                if component and component[0] == "_" and component != blank:
                    digest = self.hash_related(component, predicate, issuer, position)
                    related_by_hash.setdefault(digest, []).append(component)
        data = sha256()
        for digest, related_nodes in sorted(related_by_hash.items()):
            data.update(digest.encode("utf-8"))
            chosen_path = ""
            chosen_issuer: _Issuer | None = None
            for permutation in permutations(related_nodes):
                issuer_copy = issuer.copy()
                path = ""
                recursion: list[str] = []
                skip = False
                for related in permutation:
                    if related in self.canonical.issued:
                        path += self.canonical.issued[related]
                    else:
                        if related not in issuer_copy.issued:
                            recursion.append(related)
                        path += issuer_copy.get(related)
                    if chosen_path and len(path) >= len(chosen_path) and path > chosen_path:
                        skip = True
                        break
                if skip:
                    continue
                for related in recursion:
                    result_hash, issuer_copy = self.hash_n_degree(related, issuer_copy)
                    path += issuer_copy.get(related) + "<" + result_hash + ">"
                    if chosen_path and len(path) >= len(chosen_path) and path > chosen_path:
                        skip = True
                        break
                if skip:
                    continue
                if not chosen_path or path < chosen_path:
                    chosen_path = path
                    chosen_issuer = issuer_copy
            data.update(chosen_path.encode("utf-8"))
            assert chosen_issuer is not None  # the first permutation is never skipped
            issuer = chosen_issuer
        return data.hexdigest(), issuer

    def nquads(self) -> str:
        labels = self.canonical.issued
        lines = self.lines
        append = lines.append
        for subject, predicate, obj, graph in self.with_blanks:
            if subject[0] == "_":
                subject = labels[subject]
            if obj[0] == "_":
                obj = labels[obj]
            if graph:
                if graph[0] == "_":
                    graph = labels[graph]
                append(f"{subject} {predicate} {obj} {graph} .\n")
            else:
                append(f"{subject} {predicate} {obj} .\n")
        lines.sort(key=self.key)
        return "".join(lines)


def canonical_nquads(
    quads: Collection[Quad],
    order: Order = Order.CODE_POINT,
    first_degree: Mapping[str, str] | None = None,
) -> str:
    """Canonical N-Quads (RDFC-1.0) of a fast-path dataset.

    ``first_degree`` holds hashes already known, in code point order, for blank nodes of
    these quads (those inside remembered fragments); other orders compute their own.
    """
    canonicaliser = _Canonicaliser(quads, sort_key(order))
    if first_degree and order is Order.CODE_POINT:
        canonicaliser.first_degree.update(first_degree)
    canonicaliser.label()
    return canonicaliser.nquads()
