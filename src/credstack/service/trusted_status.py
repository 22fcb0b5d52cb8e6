"""Others' status lists from the trust directory, their proofs checked once per change.

A credential of another issuer whose status list the operator put in the trust directory had
that list's proof checked (a canonicalisation and a signature check) and its bits decoded on
every verification, although the list changes only when the operator replaces its file.
`TrustedStatusLists` keeps each list as checked and decoded, and serves it while it is the
very document of the current trust store (`service.trust_lists.TrustStores` reads the
directory again when one of its files changes, into a new store) and while the directory of
our issuers that took part in checking it is current (a rotated key of ours is a new one).
Nothing is fetched: the trust directory stays the only source of others' lists.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

from credstack.service.trust_lists import TrustStore
from credstack.vc.checks import Check
from credstack.vc.status import Bitstring, FetchedStatusList, StatusListError, decode_list

__all__ = ["TrustedStatusLists"]


class TrustedStatusLists:
    """One trust store's status lists as checked, by URL (a runtime's).

    Bounded by the trust directory: only its documents are kept, and only for the current
    store and directory of our issuers; a new one of either empties it.
    """

    def __init__(self) -> None:
        self._under: tuple[object, object] | None = None
        self._items: dict[str, FetchedStatusList] = {}
        self._lock = threading.Lock()

    def fetch(
        self,
        trust: TrustStore,
        url: str,
        *,
        checked_by: object,
        verify: Callable[[Mapping[str, Any]], Check],
    ) -> FetchedStatusList | None:
        """The list the trust store holds at ``url`` (None if none), its proof checked by
        ``verify``, which resolves keys from ``trust`` and ``checked_by`` (our issuers)."""
        document = trust.documents.get(url)
        if document is None:
            return None
        with self._lock:
            under = self._under
            if under is None or under[0] is not trust or under[1] is not checked_by:
                self._under, self._items = (trust, checked_by), {}
            kept = self._items.get(url)
        if kept is not None and kept.credential is document:
            return kept
        try:
            bits: Bitstring | None = decode_list(document)
        except (StatusListError, KeyError, TypeError, ValueError):  # the check says why
            bits = None
        checked = FetchedStatusList(document, bits=bits, proof=verify(document))
        with self._lock:
            under = self._under
            if under is not None and under[0] is trust and under[1] is checked_by:
                self._items[url] = checked
        return checked

    def __len__(self) -> int:
        return len(self._items)
