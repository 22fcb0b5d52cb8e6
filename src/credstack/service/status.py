"""Revocation and suspension of issued credentials, published as Bitstring Status Lists.

Each issuer has lists in pairs, ``revocation-N`` and ``suspension-N``, that share one index
space: an award gets one index, kept in ``awards.status_list_index`` with the revocation list
in ``awards.status_list_id``, and the same index in the suspension list of the pair. That keeps
one column pair per award while still letting a suspension be lifted (a revocation, as the
Bitstring Status List spec says, is never reversed). Bits change in the caller's transaction,
so a revocation and its published bit commit or roll back together.

Indexes are handed out from each list's counter, except that an index handed out and then
left unused (a bulk import's row that failed after its index was set aside) is returned to a
free pool (`free`), and every allocation takes the lowest free indexes first: the indexes
awards hold have a hole only while the pool is not empty, and never a repeat.

The published list is signed on request and the signed copy kept (in the runtime's
`SignedStatusLists`) until the list changes: a list changes far less often than it is read. A
copy is kept against a fingerprint of the list's bits and ``updated_at``, so a revocation is
served at once, and it replaces the list's earlier copy rather than joining it.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError

from credstack.domain.records import AwardStatus
from credstack.errors import NotFound
from credstack.service import clock
from credstack.service.identity import dids_of, issuer_identity
from credstack.service.keys import IssuerKeys
from credstack.store.models import AwardRow, FreeStatusIndexRow, IssuerRow, StatusListRow
from credstack.store.uow import UnitOfWork
from credstack.vc import dataintegrity
from credstack.vc.model import StatusEntryInfo
from credstack.vc.status import MIN_BITS, Bitstring, StatusPurpose, status_list_credential

__all__ = [
    "LIST_SIZE",
    "MAX_SIGNED_STATUS_LISTS",
    "SignedStatusLists",
    "allocate",
    "allocate_many",
    "free",
    "mark_reinstated",
    "mark_revoked",
    "mark_suspended",
    "pair_of",
    "signed_status_list",
    "status_changes",
    "status_entry",
    "status_list_url",
]

LIST_SIZE = MIN_BITS
_PURPOSES: tuple[StatusPurpose, StatusPurpose] = ("revocation", "suspension")
MAX_SIGNED_STATUS_LISTS = 256
"""Signed lists kept: an issuer serves a revocation and a suspension list per 128 Ki awards, so
this covers the current pair of 128 issuers; a signed list is about 25 KB, so at most some
6 MB. An issuer's older, full lists are read rarely and are signed again when they are."""


class SignedStatusLists:
    """The signed copy of each published status list, as of its last change (one runtime's).

    One entry per list (and signer and base URL): a change of the list's bits replaces its
    entry, so the cache never serves a list that a revocation or suspension has changed, and it
    holds at most `limit` lists, the least recently served going first.
    """

    def __init__(self, limit: int = MAX_SIGNED_STATUS_LISTS) -> None:
        self._limit = limit
        self._items: OrderedDict[tuple[int, str, str], tuple[str, dict[str, Any]]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, row: StatusListRow, signer: str, base_url: str) -> dict[str, Any] | None:
        """The signed list if it was signed with these bits and this ``updated_at``."""
        with self._lock:
            found = self._items.get((row.id, signer, base_url))
            if found is None or found[0] != _fingerprint(row):
                return None
            self._items.move_to_end((row.id, signer, base_url))
            return found[1]

    def put(self, row: StatusListRow, signer: str, base_url: str, signed: dict[str, Any]) -> None:
        with self._lock:
            self._items[(row.id, signer, base_url)] = (_fingerprint(row), signed)
            self._items.move_to_end((row.id, signer, base_url))
            while len(self._items) > self._limit:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


def _fingerprint(row: StatusListRow) -> str:
    """What the signed document depends on: the bits and the instant they last changed."""
    return f"{row.updated_at.isoformat()} {hashlib.sha256(row.bits).hexdigest()}"


def status_list_url(base_url: str, issuer_key: str, list_key: str) -> str:
    return f"{base_url.rstrip('/')}/status/{issuer_key}/{list_key}"


def _list(uow: UnitOfWork, issuer_id: int, list_key: str, *, lock: bool) -> StatusListRow | None:
    query = select(StatusListRow).where(
        StatusListRow.issuer_id == issuer_id, StatusListRow.list_key == list_key
    )
    if lock:
        query = query.with_for_update()
    return uow.session.scalar(query)


def _new_pair(uow: UnitOfWork, issuer: IssuerRow, number: int) -> StatusListRow:
    empty = bytes(LIST_SIZE // 8)
    rows = [
        StatusListRow(
            issuer_id=issuer.id,
            list_key=f"{purpose}-{number}",
            purpose=purpose,
            size=LIST_SIZE,
            next_index=0,
            bits=empty,
            updated_at=clock.now(),
        )
        for purpose in _PURPOSES
    ]
    for row in rows:
        uow.session.add(row)
    uow.session.flush()
    return rows[0]


def _open(uow: UnitOfWork, issuer: IssuerRow, number: int) -> StatusListRow:
    """The locked revocation list of pair `number`, created if missing; when another process
    creates it at the same moment (two import workers on a fresh issuer), theirs is used."""
    current = _list(uow, issuer.id, f"revocation-{number}", lock=True)
    if current is not None:
        return current
    savepoint = uow.session.begin_nested()
    try:
        current = _new_pair(uow, issuer, number)
    except IntegrityError:
        savepoint.rollback()
        raced = _list(uow, issuer.id, f"revocation-{number}", lock=True)
        if raced is None:
            raise
        return raced
    savepoint.commit()
    return current


def allocate(uow: UnitOfWork, award: AwardRow) -> StatusListRow:
    """Give the award its index (once); the list row is locked so two issuers never share one."""
    if award.status_list_id is not None and award.status_list_index is not None:
        found = uow.session.get(StatusListRow, award.status_list_id)
        if found is None:  # pragma: no cover - a foreign key guards this
            raise NotFound(f"status list {award.status_list_id} is missing")
        return found
    issuer = uow.session.get(IssuerRow, award.issuer_id)
    if issuer is None:  # pragma: no cover - a foreign key guards this
        raise NotFound(f"award {award.public_id} has no issuer")
    [(current, index)] = allocate_many(uow, issuer, 1)
    award.status_list_id = current.id
    award.status_list_index = index
    uow.session.flush()
    return current


def allocate_many(
    uow: UnitOfWork, issuer: IssuerRow, count: int
) -> list[tuple[StatusListRow, int]]:
    """`count` indexes, lowest first: the free ones (`free`), then fresh ones from the lists'
    counters, advanced once for all of them (a bulk import's chunk), a full list opening the
    next pair.

    The issuer's first list is locked before anything is read, whatever list the indexes come
    from: every allocation for the issuer passes through that lock, so two never take the
    same free index or the same counter value.
    """
    # Indexes are handed out in order; the list's size (128 Ki entries) is the herd a holder
    # hides in, as the spec recommends.
    current = _open(uow, issuer, 1)
    taken = _take_free(uow, issuer.id, count)
    number = 1
    while len(taken) < count:
        if number > 1:
            current = _open(uow, issuer, number)
        take = min(count - len(taken), current.size - current.next_index)
        if take > 0:
            taken.extend((current, current.next_index + i) for i in range(take))
            current.next_index += take
        number += 1
    uow.session.flush()
    return taken


def _take_free(uow: UnitOfWork, issuer_id: int, count: int) -> list[tuple[StatusListRow, int]]:
    """Up to `count` of the issuer's free indexes, lowest first, removed from the pool; the
    caller holds the issuer's first list's lock."""
    found = uow.session.execute(
        select(FreeStatusIndexRow.status_list_id, FreeStatusIndexRow.status_list_index)
        .join(StatusListRow, StatusListRow.id == FreeStatusIndexRow.status_list_id)
        .where(StatusListRow.issuer_id == issuer_id)
        .order_by(FreeStatusIndexRow.status_list_id, FreeStatusIndexRow.status_list_index)
        .limit(count)
    ).all()
    if not found:
        return []
    by_list: dict[int, list[int]] = {}
    for list_id, index in found:
        by_list.setdefault(list_id, []).append(index)
    taken: list[tuple[StatusListRow, int]] = []
    for list_id, indexes in by_list.items():
        uow.session.execute(
            delete(FreeStatusIndexRow).where(
                FreeStatusIndexRow.status_list_id == list_id,
                FreeStatusIndexRow.status_list_index.in_(indexes),
            )
        )
        row = uow.session.get(StatusListRow, list_id)
        if row is None:  # pragma: no cover - a foreign key guards this
            raise NotFound(f"status list {list_id} is missing")
        taken.extend((row, index) for index in indexes)
    return taken


def free(uow: UnitOfWork, indexes: Sequence[tuple[int, int]]) -> None:
    """Return (list id, index) pairs that were handed out and that no award will hold (an
    import row failed, or took another path, after its index was set aside), in the caller's
    transaction: the next allocation takes them first, so they are a gap only until then."""
    if indexes:
        uow.session.execute(
            insert(FreeStatusIndexRow),
            [{"status_list_id": list_id, "status_list_index": index} for list_id, index in indexes],
        )


def pair_of(
    uow: UnitOfWork, revocation_list: StatusListRow, purpose: StatusPurpose
) -> StatusListRow:
    """The list of the given purpose that shares the award's index space."""
    if purpose == revocation_list.purpose:
        return revocation_list
    number = revocation_list.list_key.rsplit("-", 1)[1]
    row = _list(uow, revocation_list.issuer_id, f"{purpose}-{number}", lock=False)
    if row is None:  # pragma: no cover - lists are created in pairs
        raise NotFound(f"the {purpose} list paired with {revocation_list.list_key} is missing")
    return row


def status_entry(uow: UnitOfWork, base_url: str, award: AwardRow) -> StatusEntryInfo:
    revocation = allocate(uow, award)
    issuer = uow.session.get(IssuerRow, award.issuer_id)
    if issuer is None or award.status_list_index is None:  # pragma: no cover
        raise NotFound(f"award {award.public_id} has no status index")
    return StatusEntryInfo(
        list_credential_url=status_list_url(base_url, issuer.key, revocation.list_key),
        index=award.status_list_index,
        purpose="revocation",
    )


def _set(uow: UnitOfWork, award: AwardRow, purpose: StatusPurpose, value: bool) -> None:
    revocation = allocate(uow, award)
    row = pair_of(uow, revocation, purpose)
    locked = _list(uow, row.issuer_id, row.list_key, lock=True) or row
    index = award.status_list_index
    if index is None:  # pragma: no cover - allocate sets it
        raise NotFound(f"award {award.public_id} has no status index")
    if _bit(locked.bits, index) == value:
        return
    raw = bytearray(locked.bits)
    mask = 1 << (7 - index % 8)
    raw[index // 8] = raw[index // 8] | mask if value else raw[index // 8] & ~mask & 0xFF
    locked.bits = bytes(raw)
    locked.updated_at = clock.now()
    uow.session.flush()


def mark_revoked(uow: UnitOfWork, award: AwardRow) -> None:
    """Set the award's revocation bit; the caller records why and when on the award."""
    _set(uow, award, "revocation", True)


def mark_suspended(uow: UnitOfWork, award: AwardRow) -> None:
    _set(uow, award, "suspension", True)


def mark_reinstated(uow: UnitOfWork, award: AwardRow) -> None:
    """Lift a suspension. A revocation stays: the spec makes it final, and so do we."""
    _set(uow, award, "suspension", False)


def status_changes(uow: UnitOfWork, row: StatusListRow) -> dict[int, datetime]:
    """When each set bit was set, from the awards' status dates (lists carry no dates)."""
    revocation = row if row.purpose == "revocation" else _revocation_of(uow, row)
    wanted = AwardStatus.REVOKED if row.purpose == "revocation" else AwardStatus.SUSPENDED
    awards = uow.session.scalars(
        select(AwardRow).where(AwardRow.status_list_id == revocation.id, AwardRow.status == wanted)
    ).all()
    return {
        a.status_list_index: a.status_changed_at
        for a in awards
        if a.status_list_index is not None and a.status_changed_at is not None
    }


def _revocation_of(uow: UnitOfWork, row: StatusListRow) -> StatusListRow:
    number = row.list_key.rsplit("-", 1)[1]
    found = _list(uow, row.issuer_id, f"revocation-{number}", lock=False)
    if found is None:  # pragma: no cover - lists are created in pairs
        raise NotFound(f"the revocation list paired with {row.list_key} is missing")
    return found


def signed_status_list(
    uow: UnitOfWork,
    keys: IssuerKeys,
    signed_lists: SignedStatusLists,
    base_url: str,
    issuer_key: str,
    list_key: str,
) -> tuple[dict[str, Any], StatusListRow]:
    """The signed BitstringStatusListCredential served at the list's stable URL, signed once
    per change of the list (`signed_lists` is the runtime's cache of them)."""
    issuer = uow.issuers.by_key(issuer_key)
    row = _list(uow, issuer.id, list_key, lock=False) if issuer is not None else None
    if issuer is None or row is None:
        raise NotFound(f"unknown status list {issuer_key}/{list_key}")
    # The copy is looked up by the active key's public id: unsealing the private key (the
    # master key's work) is needed only to sign a new copy, not on every verification.
    active = uow.signing_keys.active(issuer.id)
    signer = dids_of(base_url, issuer, [active])[0].verification_method if active else None
    cached = signed_lists.get(row, signer, base_url) if signer is not None else None
    if cached is not None:
        return cached, row
    key = keys.signing_key(issuer)
    document = status_list_credential(
        url=status_list_url(base_url, issuer.key, row.list_key),
        issuer_id=issuer_identity(uow, base_url, issuer),
        purpose="revocation" if row.purpose == "revocation" else "suspension",
        bits=_bitstring(row),
        valid_from=row.updated_at,
    )
    signed = dataintegrity.sign(document, key, created=row.updated_at)
    signed_lists.put(row, signer or key.verification_method, base_url, signed)
    return signed, row


def _bit(raw: bytes, index: int) -> bool:
    """Bit 0 is the most significant bit of the first byte, as in ``vc.status.Bitstring``."""
    return bool(raw[index // 8] >> (7 - index % 8) & 1)


def _bitstring(row: StatusListRow) -> Bitstring:
    bits = Bitstring(row.size)
    for position, byte in enumerate(row.bits):
        if byte:
            for offset in range(8):
                if byte >> (7 - offset) & 1:
                    bits.set(position * 8 + offset)
    return bits
