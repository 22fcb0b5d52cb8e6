"""What the fast path does not handle, and how often it stepped aside.

The fast path is strict: anything outside the JSON-LD it was built for (an unusual keyword
or container, a relative IRI, an undefined term, a context pyld rejects) raises
``Unsupported`` and the caller runs the general algorithm instead, which either gives the
same canonical form or reports the problem in its own words. Counting both outcomes lets
tests assert that the documents credstack issues really take the fast path.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

__all__ = ["PathCounts", "Unsupported", "fast_path_enabled", "general_path_only", "path_counts"]


class Unsupported(Exception):
    """The document needs the general JSON-LD algorithm."""


@dataclass
class PathCounts:
    """How many canonicalisations took the fast path, and why others fell back."""

    fast: int = 0
    fallback: int = 0
    reasons: Counter[str] = field(default_factory=Counter)

    def record_fast(self) -> None:
        self.fast += 1

    def record_fallback(self, reason: str) -> None:
        self.fallback += 1
        # Reasons can quote document text; keep the tally bounded.
        if reason in self.reasons or len(self.reasons) < 100:
            self.reasons[reason] += 1

    def reset(self) -> None:
        self.fast = 0
        self.fallback = 0
        self.reasons.clear()


_COUNTS = PathCounts()


def path_counts() -> PathCounts:
    """The process-wide counters (tests reset them before a run and read them after)."""
    return _COUNTS


_ENABLED: ContextVar[bool] = ContextVar("credstack_fast_canon_enabled", default=True)


def fast_path_enabled() -> bool:
    return _ENABLED.get()


@contextmanager
def general_path_only() -> Iterator[None]:
    """Within this block every canonicalisation takes the general (pyld) path.

    For the benchmark's side-by-side figures and for tests that compare whole proofs made
    by either path; production code never needs it.
    """
    token = _ENABLED.set(False)
    try:
        yield
    finally:
        _ENABLED.reset(token)
