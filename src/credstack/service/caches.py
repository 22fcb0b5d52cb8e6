"""What a runtime keeps between requests so that it need not work it out again.

The caches, each keyed so that it cannot serve something stale, each bounded by what it
holds (see each class):

- `decoded`: stored achievement definitions as typed values and issuers' indexed requirement
  trees, by content hash (handed to the units of work, which the services read it through);
- `status_lists`: each published status list as last signed, replaced when its bits change;
- `trust`: each trust directory as last read, read again when one of its files changes;
- `own_issuers`: the verifier's directory of this installation's issuers, built again when
  their public rows (issuers, keys, retirements) differ from those it was built from.
- `checked_status_lists`: the verifier's copy of each of our status lists, its proof checked
  and its bits decoded, checked again when the list's row or our issuers' keys change.
- `trusted_status_lists`: the verifier's copy of each status list in the trust directory, its
  proof checked and its bits decoded, checked again when the trust directory or our keys change.
- `oidc`: the OpenID provider's discovery document and keys, for the time its Cache-Control
  allows (at most an hour).
- `analytics`: issuers' analytics figures, under each issuer's change mark (moved by the
  database's triggers on every write the figures read from).
- `item_statistics`: each assessment form's item statistics (the quality report's part that
  grows with candidates), under the same mark.

They belong to a `Runtime`, never to a module: two runtimes in one process (a server and a
test, two tests) share nothing, and a runtime's caches go when it does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from credstack.service.analytics_cache import FigureCache, ItemStatisticsCache
from credstack.service.oidc_cache import ProviderDocuments
from credstack.service.own_directory import OwnDirectories
from credstack.service.own_status import CheckedStatusLists
from credstack.service.status import SignedStatusLists
from credstack.service.trust_lists import TrustStores
from credstack.service.trusted_status import TrustedStatusLists
from credstack.store.decoded import DecodedCatalog

__all__ = ["Caches"]


@dataclass(frozen=True)
class Caches:
    decoded: DecodedCatalog = field(default_factory=DecodedCatalog)
    status_lists: SignedStatusLists = field(default_factory=SignedStatusLists)
    trust: TrustStores = field(default_factory=TrustStores)
    own_issuers: OwnDirectories = field(default_factory=OwnDirectories)
    checked_status_lists: CheckedStatusLists = field(default_factory=CheckedStatusLists)
    trusted_status_lists: TrustedStatusLists = field(default_factory=TrustedStatusLists)
    oidc: ProviderDocuments = field(default_factory=ProviderDocuments)
    analytics: FigureCache = field(default_factory=FigureCache)
    item_statistics: ItemStatisticsCache = field(default_factory=ItemStatisticsCache)
