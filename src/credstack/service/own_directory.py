"""This installation's own issuers as a verifier sees them, built once per change of them.

Every verification needs the directory of our issuers (whom a signer is), the did:web
documents of those that sign with did:web (the keys a proof names) and the DID each issuer's
credentials name (whether our records may speak about a credential). Building these from the
issuer and key rows on every request was about 40% of a verification's CPU (issue 14's
profile), yet they change only when an issuer is added or a key is created or retired.

`OwnDirectories` keeps the last one built and checks it on every read against the rows it
was built from: the public columns of every issuer and key, in one query (no sealed private
keys, no ORM objects). Not a counter a writer must remember to bump: whatever changes those
rows, in any process sharing the database (`serve --workers N`, a command), is seen at the
next verification, as the status lists are (`service.status.SignedStatusLists`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from credstack.service.identity import dids_of, issuer_did, issuer_url, key_document
from credstack.store.models import IssuerRow, SigningKeyRow
from credstack.store.uow import UnitOfWork
from credstack.vc.recognition import IssuerDirectory, KnownIssuer
from credstack.vc.resolve import DidResolver

__all__ = ["DIRECTORY_ROWS", "OwnDirectories", "OwnDirectory", "Rows", "read_own_directory"]

Rows = tuple[tuple[Any, ...], ...]

DIRECTORY_ROWS = (
    select(
        IssuerRow.id,
        IssuerRow.key,
        IssuerRow.name,
        IssuerRow.url,
        IssuerRow.did_method,
        SigningKeyRow.key_id,
        SigningKeyRow.public_key_multibase,
        SigningKeyRow.retired_at,
    )
    .outerjoin(SigningKeyRow, SigningKeyRow.issuer_id == IssuerRow.id)
    .order_by(IssuerRow.id, SigningKeyRow.id)
)
"""Everything the directory is built from, and so its version."""


@dataclass(frozen=True)
class OwnDirectory:
    """Our issuers as of ``rows``: recognised by their DIDs, resolved from their documents."""

    rows: Rows
    base_url: str
    issuers: tuple[KnownIssuer, ...]
    resolver: DidResolver
    """Our did:web issuers' DID documents, as `/issuers/<key>/did.json` serves them."""
    identities: Mapping[int, str]
    """Issuer id to the DID its credentials name as their issuer."""
    _chained: list[tuple[IssuerDirectory | None, IssuerDirectory]] = field(
        default_factory=list, compare=False
    )

    def directory(self, then: IssuerDirectory | None) -> IssuerDirectory:
        """Ours first, then ``then`` (a trust directory); indexed once per pair, not per use."""
        for known_then, chained in self._chained:
            if known_then is then:
                return chained
        chained = IssuerDirectory(self.issuers, then)
        self._chained[:] = [(then, chained)]  # one trust directory is current at a time
        return chained


def _build(rows: Rows, base_url: str) -> OwnDirectory:
    issuers: dict[int, IssuerRow] = {}
    keys: dict[int, list[SigningKeyRow]] = {}
    for issuer_id, key, name, url, method, key_id, multibase, retired_at in rows:
        if issuer_id not in issuers:
            issuers[issuer_id] = IssuerRow(id=issuer_id, key=key, name=name, url=url)
            issuers[issuer_id].did_method = method
            keys[issuer_id] = []
        if key_id is not None:
            keys[issuer_id].append(_key(issuer_id, key_id, multibase, retired_at))
    known, documents, identities = [], {}, {}
    for issuer_id, issuer in issuers.items():
        dids = dids_of(base_url, issuer, keys[issuer_id]) if keys[issuer_id] else []
        did = issuer_did(base_url, issuer.key)
        known.append(
            KnownIssuer(
                dids=tuple(dict.fromkeys(k.did for k in dids)),
                name=issuer.name,
                url=issuer.url,
                aliases=(issuer_url(base_url, issuer.key), did),
            )
        )
        if issuer.did_method == "web":
            documents[did] = key_document(did, keys[issuer_id])
            identities[issuer_id] = did
        elif dids:
            identities[issuer_id] = dids[0].did
    return OwnDirectory(rows, base_url, tuple(known), DidResolver(documents), identities)


def _key(issuer_id: int, key_id: str, multibase: str, retired_at: datetime | None) -> SigningKeyRow:
    return SigningKeyRow(
        issuer_id=issuer_id,
        key_id=key_id,
        public_key_multibase=multibase,
        retired_at=retired_at,
    )


def read_own_directory(uow: UnitOfWork, base_url: str) -> OwnDirectory:
    """Our issuers as the database holds them now, built afresh (no cache)."""
    return _build(_rows(uow), base_url)


def _rows(uow: UnitOfWork) -> Rows:
    # Read without flushing: a caller may hold a half-built row (an import fills its row only
    # after verifying), and flushing it here would break its NOT NULL columns.
    # On the session's connection, not through the ORM: plain columns need none of its work.
    with uow.session.no_autoflush:
        return tuple(tuple(row) for row in uow.session.connection().execute(DIRECTORY_ROWS))


class OwnDirectories:
    """The last `OwnDirectory` a runtime built, served while its rows are unchanged.

    One entry: a runtime serves one base URL, and a directory for another replaces it.
    """

    def __init__(self) -> None:
        self._last: OwnDirectory | None = None

    def current(self, uow: UnitOfWork, base_url: str) -> OwnDirectory:
        """Our issuers as of ``uow``'s view of the database (its flushed changes too)."""
        return self.of_rows(_rows(uow), base_url)

    def of_rows(self, rows: Rows, base_url: str) -> OwnDirectory:
        """Our issuers as of ``rows``, read with `DIRECTORY_ROWS` (perhaps along with other
        reads: `service.verification_reads`)."""
        last = self._last
        if last is not None and last.rows == rows and last.base_url == base_url:
            return last
        built = self._last = _build(rows, base_url)
        return built
