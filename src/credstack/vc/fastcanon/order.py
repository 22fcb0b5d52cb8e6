"""Sort orders for canonical N-Quads lines.

RDFC-1.0 sorts by Unicode code point. rdf-canonize 5 (JavaScript) and Java implementations
sort by UTF-16 code unit; the two differ only when quads that share a prefix differ at a
character above U+FFFF versus one in U+E000–U+FFFF. We sign in code point order, as the spec
says, and ``Order.UTF16`` lets a verifier accept proofs made the JavaScript way.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Any

__all__ = ["Order", "sort_key"]


class Order(Enum):
    """How canonical N-Quads lines are sorted."""

    CODE_POINT = "code point"  # RDFC-1.0
    UTF16 = "UTF-16 code unit"  # rdf-canonize (JavaScript), Java String order


def _utf16(line: str) -> bytes:
    return line.encode("utf-16-be")


def sort_key(order: Order) -> Callable[[str], Any] | None:
    """The ``key`` for ``sorted``; None is plain code point order (and fastest)."""
    return _utf16 if order is Order.UTF16 else None
