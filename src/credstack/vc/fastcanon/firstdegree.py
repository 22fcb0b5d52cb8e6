"""First-degree hashes of blank nodes (RDFC-1.0 §4.6) and the N-Quads line they hash.

A blank node's first-degree hash depends only on the statements that name it, with itself
written ``_:a`` and every other blank node ``_:z``. Labelling (``rdfc``) needs it for every
blank node of a document; a remembered fragment (``fragments``) computes it once per
placement for the blank nodes inside it, which no statement outside the fragment can name,
so documents of one template do not hash the template's blank nodes again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from hashlib import sha256
from typing import Any

__all__ = ["first_degree_hash", "group_by_blank_node", "nquads_line"]


def nquads_line(subject: str, predicate: str, obj: str, graph: str) -> str:
    if graph:
        return subject + " " + predicate + " " + obj + " " + graph + " .\n"
    return subject + " " + predicate + " " + obj + " .\n"


def group_by_blank_node(
    statement: tuple[str, str, str, str], groups: dict[str, list[tuple[str, str, str, str]]]
) -> None:
    """File ``statement`` under each blank node it names, once per position (a statement
    naming a node twice is hashed twice for it, as RDFC-1.0 reads its quads)."""
    subject, _, obj, graph = statement
    if subject[0] == "_":
        groups.setdefault(subject, []).append(statement)
    if obj[0] == "_":
        groups.setdefault(obj, []).append(statement)
    if graph and graph[0] == "_":
        groups.setdefault(graph, []).append(statement)


def first_degree_hash(
    blank: str,
    statements: Iterable[tuple[str, str, str, str]],
    key: Callable[[str], Any] | None = None,
) -> str:
    """The hash of ``blank`` from every statement that names it (once per position)."""
    lines = []
    for subject, predicate, obj, graph in statements:
        if subject[0] == "_":
            subject = "_:a" if subject == blank else "_:z"
        if obj[0] == "_":
            obj = "_:a" if obj == blank else "_:z"
        if graph and graph[0] == "_":
            graph = "_:a" if graph == blank else "_:z"
        lines.append(nquads_line(subject, predicate, obj, graph))
    lines.sort(key=key)
    return sha256("".join(lines).encode("utf-8")).hexdigest()
