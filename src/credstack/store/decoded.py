"""Stored achievement definitions decoded to typed values once, for one runtime.

The store keeps the author's definition as written (it is what is versioned, hashed and shown
for provenance); services read it as a typed `domain.catalog.Achievement`, decoded by the
catalog's own rules. Decoding and indexing an issuer's requirement trees on every request
would dominate settling, so a `DecodedCatalog` keeps the results, keyed by content hash (or,
for an issuer's stack index, by the hashes of its issuable versions): a version never changes,
so nothing cached here goes stale and nothing needs invalidating.

A runtime owns one and hands it to its units of work (`UnitOfWorkFactory(decoded=...)`), so two
runtimes, or two tests, never share one; the sizes are bounded so memory does not grow with
the versions a long-lived server sees.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from credstack.catalog.parse import StoredDefinitionError, decode_achievement
from credstack.domain.catalog import Achievement
from credstack.domain.dependants import DependantIndex
from credstack.domain.requirements import Requirement
from credstack.errors import CredstackError
from credstack.store.models import AchievementVersionRow

__all__ = ["MAX_DECODED_ACHIEVEMENTS", "MAX_STACK_INDEXES", "DecodedCatalog", "StackIndex"]

MAX_DECODED_ACHIEVEMENTS = 2048
"""Achievement versions kept decoded: every issuer's issuable versions with room to spare (a
board publishes tens to hundreds of achievements), while old versions drop out."""
MAX_STACK_INDEXES = 256
"""Issuers' indexed catalogs kept: one per issuer at its current catalog state, and a
catalog state replaced by a publication ages out."""

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class _Bounded(Generic[K, V]):
    """A small least-recently-used map, safe to share between a server's threads."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K, build: Callable[[], V]) -> V:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = build()  # outside the lock: building is pure, so a race only builds twice
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._limit:
                self._items.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._items)


@dataclass(frozen=True)
class StackIndex:
    """An issuer's issuable requirement trees and who mentions what, for one catalog state."""

    requirements: Mapping[str, Requirement]
    index: DependantIndex


class DecodedCatalog:
    """Decoded achievements and indexed catalogs, keyed by content, never by row."""

    def __init__(
        self, achievements: int = MAX_DECODED_ACHIEVEMENTS, stacks: int = MAX_STACK_INDEXES
    ) -> None:
        self._achievements: _Bounded[str, Achievement] = _Bounded(achievements)
        self._stacks: _Bounded[Hashable, StackIndex] = _Bounded(stacks)

    def achievement(self, version: AchievementVersionRow) -> Achievement:
        return self._achievements.get(version.content_hash, lambda: _decode(version))

    def stack_index(self, key: Hashable, build: Callable[[], StackIndex]) -> StackIndex:
        return self._stacks.get(key, build)

    @property
    def sizes(self) -> tuple[int, int]:
        """How many achievements and stack indexes are held (tests check the caching)."""
        return len(self._achievements), len(self._stacks)


def _decode(version: AchievementVersionRow) -> Achievement:
    try:
        return decode_achievement(version.definition)
    except StoredDefinitionError as exc:
        raise CredstackError(f"{exc}; reload the catalog to store it again") from exc
