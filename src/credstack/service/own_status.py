"""What our records say about our own credentials' status, as the verifier reads it each time.

Verifying one of our credentials read its status list through the ORM (the issuer, the list,
the active key: three statements), fingerprinted the list's 16 KiB of bits with SHA-256, then
checked the list's own signature (a second canonicalisation and signature check), decoded its
bits and read every revoked award of the list; the suspension check read the award and both
lists again. Issue 14's profile put that at more than half of a verification's CPU.

`CheckedStatusLists` keeps, per list URL, the signed list with its proof already checked and
its bits decoded, and serves it while the list's row is unchanged: its id, ``updated_at`` and
bits are read on every verification in one statement (no ORM objects) and compared with those
the entry was made from, so a revocation or suspension committed by any process sharing the
database (`serve --workers N`, a command) is seen at its next verification. An entry is also
tied to the directory of our issuers and the trust store it was checked against (a rotated key
is a new directory), so it never outlives the keys that checked it. When a revoked bit is
found, the dates of the list's changes are read then, not on every verification.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, func, select

from credstack.service.status import MAX_SIGNED_STATUS_LISTS, status_changes
from credstack.store.models import AwardRow, IssuerRow, StatusListRow
from credstack.store.uow import UnitOfWork
from credstack.vc.checks import Check
from credstack.vc.status import Bitstring, FetchedStatusList, StatusListError, decode_list

__all__ = [
    "AWARD_STANDING",
    "LIST_VERSION",
    "UNREAD",
    "AwardStanding",
    "CheckedStatusLists",
    "award_standing",
    "standing_of",
]

LIST_VERSION = (
    select(StatusListRow.id, StatusListRow.updated_at, StatusListRow.bits)
    .join(IssuerRow, IssuerRow.id == StatusListRow.issuer_id)
    .where(IssuerRow.key == bindparam("issuer"), StatusListRow.list_key == bindparam("list"))
)
"""What a checked list depends on in its row: the list's version."""

_REVOCATION = StatusListRow.__table__.alias("revocation")
_SUSPENSION = StatusListRow.__table__.alias("suspension")
AWARD_STANDING = (
    select(
        AwardRow.issuer_id,
        AwardRow.status,
        AwardRow.status_reason,
        AwardRow.status_changed_at,
        AwardRow.credential.is_not(None),
        AwardRow.status_list_index,
        # The one byte of the paired suspension list that holds the award's bit.
        func.substr(_SUSPENSION.c.bits, AwardRow.status_list_index // 8 + 1, 1),
    )
    .outerjoin(_REVOCATION, _REVOCATION.c.id == AwardRow.status_list_id)
    .outerjoin(
        _SUSPENSION,
        and_(
            _SUSPENSION.c.issuer_id == _REVOCATION.c.issuer_id,
            _SUSPENSION.c.list_key
            == func.replace(_REVOCATION.c.list_key, "revocation-", "suspension-"),
        ),
    )
    .where(AwardRow.public_id == bindparam("public_id"))
)
"""An award's standing and its suspension bit, in one statement (lists come in pairs that
share the award's index: ``revocation-N`` and ``suspension-N``)."""

Version = tuple[int, datetime, bytes]


class Unread:
    """`CheckedStatusLists.fetch`'s default: the caller has not read the list's row."""


UNREAD = Unread()


def _read(uow: UnitOfWork, statement: Any, **params: Any) -> Any:
    # Without flushing: a caller may hold a half-built row (see `service.own_directory`).
    with uow.session.no_autoflush:
        return uow.session.connection().execute(statement, params).first()


@dataclass(frozen=True)
class AwardStanding:
    """What our records say of one award when one of its credentials is verified."""

    issuer_id: int
    status: str
    reason: str | None
    changed_at: datetime | None
    issued: bool
    """Whether the award has a signed credential."""
    suspended: bool


def award_standing(uow: UnitOfWork, public_id: str) -> AwardStanding | None:
    """The award with this public id, as its status and suspension bit stand now."""
    return standing_of(_read(uow, AWARD_STANDING, public_id=public_id))


def standing_of(row: Sequence[Any] | None) -> AwardStanding | None:
    """The standing `AWARD_STANDING`'s row says (None: no such award)."""
    if row is None:
        return None
    issuer_id, status, reason, changed_at, issued, index, byte = row
    suspended = index is not None and bool(byte) and bool(byte[0] >> (7 - index % 8) & 1)
    return AwardStanding(issuer_id, status, reason, changed_at, bool(issued), suspended)


@dataclass(frozen=True)
class _Entry:
    version: Version
    checked_by: tuple[object, ...]
    credential: Mapping[str, Any]
    bits: Bitstring | None
    proof: Check
    list_id: int


class _ChangedOn(Mapping[int, datetime]):
    """When each set bit of a list was set, read from the awards on first use only (a
    verification asks only when it found its bit set)."""

    def __init__(self, uow: UnitOfWork, list_id: int) -> None:
        self._uow = uow
        self._list_id = list_id
        self._found: dict[int, datetime] | None = None

    def _all(self) -> dict[int, datetime]:
        if self._found is None:
            self._found = _changes(self._uow, self._list_id)
        return self._found

    def __getitem__(self, index: int) -> datetime:
        return self._all()[index]

    def __iter__(self) -> Iterator[int]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


Sign = Callable[[], tuple[dict[str, Any], StatusListRow]]
"""Signs (or takes the signed copy of) the list as the database holds it now."""


class CheckedStatusLists:
    """Our own status lists as last checked and decoded, one entry per list URL (a runtime's).

    An entry is served only while its list's row and the keys that checked it are unchanged;
    at most `limit` lists are kept, the least recently used going first.
    """

    def __init__(self, limit: int = MAX_SIGNED_STATUS_LISTS) -> None:
        self._limit = limit
        self._items: OrderedDict[str, _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def fetch(
        self,
        uow: UnitOfWork,
        url: str,
        issuer_key: str,
        list_key: str,
        *,
        checked_by: tuple[object, ...],
        sign: Sign,
        verify: Callable[[Mapping[str, Any]], Check],
        read: Sequence[Any] | Unread | None = UNREAD,
    ) -> FetchedStatusList | None:
        """The list at ``url`` (ours: ``issuer_key``/``list_key``), None if there is none.

        ``checked_by`` holds what ``verify`` checks the list's proof against (the directory
        of our issuers, the trust store): an entry made under other ones is not served.
        ``read``: the list's `LIST_VERSION` row if the caller has just read it (None: there is
        no such list); by default it is read here.
        """
        if isinstance(read, Unread):
            row = _read(uow, LIST_VERSION, issuer=issuer_key, list=list_key)
        else:
            row = read
        if row is None:
            return None
        version: Version = (row[0], row[1], bytes(row[2]))
        with self._lock:
            entry = self._items.get(url)
            if entry is not None:
                self._items.move_to_end(url)
        if entry is None or entry.version != version or not _same(entry.checked_by, checked_by):
            entry = self._check(url, version, checked_by, sign, verify)
        return FetchedStatusList(
            entry.credential,
            _ChangedOn(uow, entry.list_id),
            bits=entry.bits,
            proof=entry.proof,
        )

    def _check(
        self,
        url: str,
        version: Version,
        checked_by: tuple[object, ...],
        sign: Sign,
        verify: Callable[[Mapping[str, Any]], Check],
    ) -> _Entry:
        signed, row = sign()
        try:
            bits: Bitstring | None = decode_list(signed)
        except (StatusListError, KeyError, TypeError):  # pragma: no cover - we signed it
            bits = None
        signed_version = (row.id, row.updated_at, bytes(row.bits))
        entry = _Entry(signed_version, checked_by, signed, bits, verify(signed), row.id)
        if signed_version == version:  # else it changed meanwhile: serve it, keep nothing
            with self._lock:
                self._items[url] = entry
                self._items.move_to_end(url)
                while len(self._items) > self._limit:
                    self._items.popitem(last=False)
        return entry

    def __len__(self) -> int:
        return len(self._items)


def _same(kept: tuple[object, ...], now: tuple[object, ...]) -> bool:
    return len(kept) == len(now) and all(a is b for a, b in zip(kept, now, strict=True))


def _changes(uow: UnitOfWork, list_id: int) -> dict[int, datetime]:
    row = uow.session.get(StatusListRow, list_id)
    return status_changes(uow, row) if row is not None else {}
