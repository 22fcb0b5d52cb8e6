"""W3C Bitstring Status List v1.0: publishing and reading revocation and suspension bits.

A list is at least 131,072 bits (16 KiB) so that one credential's index does not single out
its holder; it travels GZIP-compressed, base64url-encoded, with the multibase ``u`` prefix.
Bit 0 is the most significant bit of the first byte.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from credstack.vc.checks import Check, StatusFound
from credstack.vc.vocabulary import VC2_CONTEXT, format_datetime, parse_datetime

__all__ = [
    "MIN_BITS",
    "Bitstring",
    "FetchedStatusList",
    "StatusListError",
    "StatusListFetcher",
    "StatusPurpose",
    "check_status",
    "decode_list",
    "status_list_credential",
    "status_list_entry",
]

MIN_BITS = 131_072
_MAX_DECOMPRESSED_BYTES = 16 * 1024 * 1024  # refuses gzip bombs; 128 Mi entries is plenty
_INDEX_DIGITS = len(str(_MAX_DECOMPRESSED_BYTES * 8))

StatusPurpose = Literal["revocation", "suspension"]


class StatusListError(ValueError):
    """An ``encodedList`` that cannot be read; the message says why, for a person."""


class Bitstring:
    """A mutable list of status bits."""

    def __init__(self, size: int = MIN_BITS) -> None:
        if size < MIN_BITS or size % 8:
            raise ValueError(f"A status list holds a multiple of 8 bits, at least {MIN_BITS}.")
        self._bits = bytearray(size // 8)

    @property
    def size(self) -> int:
        return len(self._bits) * 8

    def _locate(self, index: int) -> tuple[int, int]:
        if not 0 <= index < self.size:
            raise IndexError(f"Status index {index} is outside a list of {self.size} entries.")
        return index // 8, 7 - index % 8

    def get(self, index: int) -> bool:
        byte, shift = self._locate(index)
        return bool(self._bits[byte] >> shift & 1)

    def set(self, index: int, value: bool = True) -> None:
        byte, shift = self._locate(index)
        if value:
            self._bits[byte] |= 1 << shift
        else:
            self._bits[byte] &= ~(1 << shift) & 0xFF

    def encode(self) -> str:
        # mtime=0 makes the same bits always encode to the same text.
        compressed = gzip.compress(bytes(self._bits), mtime=0)
        return "u" + base64.urlsafe_b64encode(compressed).decode("ascii").rstrip("=")

    @classmethod
    def decode(cls, encoded: str) -> Bitstring:
        if not encoded.startswith("u"):
            raise StatusListError("The status list is not multibase base64url (no 'u' prefix).")
        body = encoded[1:]
        try:
            compressed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        except (binascii.Error, ValueError) as exc:
            raise StatusListError("The status list is not valid base64url.") from exc
        raw = _gunzip(compressed)
        if len(raw) * 8 < MIN_BITS:
            raise StatusListError(
                f"The status list has {len(raw) * 8} entries, fewer than the {MIN_BITS} required."
            )
        bitstring = cls(len(raw) * 8)
        bitstring._bits[:] = raw
        return bitstring


def _gunzip(data: bytes) -> bytes:
    decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        raw = decompressor.decompress(data, _MAX_DECOMPRESSED_BYTES)
    except zlib.error as exc:
        raise StatusListError("The status list is not GZIP-compressed data.") from exc
    if decompressor.unconsumed_tail:
        raise StatusListError("The status list is too large to read.")
    if not decompressor.eof:
        raise StatusListError("The status list's GZIP data is truncated.")
    return raw


def status_list_credential(
    *,
    url: str,
    issuer_id: str,
    purpose: StatusPurpose,
    bits: Bitstring,
    valid_from: datetime,
    valid_until: datetime | None = None,
) -> dict[str, Any]:
    """The unsigned ``BitstringStatusListCredential`` published at ``url``."""
    credential: dict[str, Any] = {
        "@context": [VC2_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id,
        "validFrom": format_datetime(valid_from),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": bits.encode(),
        },
    }
    if valid_until is not None:
        credential["validUntil"] = format_datetime(valid_until)
    return credential


def status_list_entry(*, list_url: str, index: int, purpose: StatusPurpose) -> dict[str, Any]:
    return {
        "id": f"{list_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


@dataclass(frozen=True)
class FetchedStatusList:
    """A status list credential as its publisher serves it.

    ``changed_on`` optionally says when each set bit was set, so that a verifier can say
    "revoked on <date>"; the list itself carries no dates.

    A fetcher that keeps lists between verifications may hand over what it already worked
    out for this very document, so that it is not worked out again on every verification:
    ``bits``, its ``encodedList`` decoded, and ``proof``, the outcome of checking its proof
    with the verifier's own key resolver (a second canonicalisation and signature check
    otherwise). Both must be of ``credential`` as given; `check_status` trusts them as such.
    """

    credential: Mapping[str, Any]
    changed_on: Mapping[int, datetime] = field(default_factory=dict)
    bits: Bitstring | None = None
    proof: Check | None = None


# Looks a status list up by URL; the caller decides which URLs it is willing to serve
# (credstack's service only ever answers for its own lists) and returns None otherwise.
StatusListFetcher = Callable[[str], FetchedStatusList | None]


def _entries(credential: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    status = credential.get("credentialStatus")
    if status is None:
        return []
    items = status if isinstance(status, list) else [status]
    return [item for item in items if isinstance(item, Mapping)]


def check_status(
    credential: Mapping[str, Any],
    fetch: StatusListFetcher | None,
    *,
    now: datetime,
    verify_list: Callable[[Mapping[str, Any]], Check] | None = None,
) -> Check:
    """Whether the credential is revoked or suspended, read from its status lists.

    ``verify_list`` checks the list credential's own proof; without it the list is trusted
    as the fetcher returned it, which is right only when the fetcher serves our own lists.
    """
    entries = _entries(credential)
    if not entries:
        return Check("status", True, "The credential has no revocation status to check.")
    for entry in entries:
        outcome = _check_entry(credential, entry, fetch, now, verify_list)
        if not outcome.passed:
            return outcome
    purposes = " and ".join(sorted({str(e.get("statusPurpose")) for e in entries}))
    return Check("status", True, f"The credential's status list shows no {purposes}.")


def _check_entry(
    credential: Mapping[str, Any],
    entry: Mapping[str, Any],
    fetch: StatusListFetcher | None,
    now: datetime,
    verify_list: Callable[[Mapping[str, Any]], Check] | None,
) -> Check:
    if entry.get("type") != "BitstringStatusListEntry":
        return Check(
            "status",
            False,
            f"The credential's status uses {entry.get('type')!r}, which this verifier cannot read.",
        )
    purpose = entry.get("statusPurpose")
    url = entry.get("statusListCredential")
    index = _index(entry.get("statusListIndex"))
    if not isinstance(url, str) or index is None or purpose not in ("revocation", "suspension"):
        return Check("status", False, "The credential's status entry is incomplete or malformed.")
    if fetch is None:
        return Check("status", False, f"The status list {url} could not be looked up.")
    fetched = fetch(url)
    if fetched is None:
        return Check("status", False, f"The status list {url} could not be retrieved.")
    if fetched.proof is not None:
        verify_list = _known(fetched.proof)
    problem = _list_problem(credential, fetched.credential, purpose, now, verify_list)
    if problem is not None:
        return Check("status", False, problem)
    try:
        bits = fetched.bits if fetched.bits is not None else decode_list(fetched.credential)
        is_set = bits.get(index)
    except (StatusListError, IndexError) as exc:
        return Check("status", False, f"The status list could not be read: {exc}")
    if not is_set:
        return Check("status", True, f"The credential has no {purpose}.")
    found = StatusFound.REVOKED if purpose == "revocation" else StatusFound.SUSPENDED
    when = fetched.changed_on.get(index)
    suffix = f" on {when.date().isoformat()}" if when is not None else ""
    return Check("status", False, f"The credential was {found}{suffix}.", found)


def decode_list(status_list: Mapping[str, Any]) -> Bitstring:
    """The bits of a status list credential (its ``encodedList``); StatusListError if unreadable.

    The caller has checked that the credential has a subject with a string ``encodedList``.
    """
    return Bitstring.decode(str(status_list["credentialSubject"]["encodedList"]))


def _known(proof: Check) -> Callable[[Mapping[str, Any]], Check]:
    return lambda _status_list: proof


def _list_problem(
    credential: Mapping[str, Any],
    status_list: Mapping[str, Any],
    purpose: str,
    now: datetime,
    verify_list: Callable[[Mapping[str, Any]], Check] | None,
) -> str | None:
    types = status_list.get("type")
    if not isinstance(types, list) or "BitstringStatusListCredential" not in types:
        return "The status list is not a BitstringStatusListCredential."
    subject = status_list.get("credentialSubject")
    if not isinstance(subject, Mapping) or not isinstance(subject.get("encodedList"), str):
        return "The status list has no encoded list."
    if subject.get("statusPurpose") != purpose:
        return f"The status list is for {subject.get('statusPurpose')!r}, not {purpose!r}."
    if _issuer_id(status_list) != _issuer_id(credential):
        return "The status list was published by a different issuer than the credential."
    valid_until = parse_datetime(status_list.get("validUntil"))
    if valid_until is not None and valid_until < now:
        return "The status list has expired, so the credential's current status is unknown."
    if verify_list is not None:
        proof = verify_list(status_list)
        if not proof.passed:
            return f"The status list could not be trusted: {proof.message}"
    return None


def _issuer_id(document: Mapping[str, Any]) -> str | None:
    issuer = document.get("issuer")
    if isinstance(issuer, Mapping):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


def _index(value: object) -> int | None:
    # The spec writes the index as a string; some issuers (and 1EdTech's fixtures) use a number.
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    # ASCII digits only: `isdigit` also takes "²", which `int` refuses, and any length, past
    # what `int` converts; no list holds more entries than _INDEX_DIGITS digits can count.
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value) if len(value) <= _INDEX_DIGITS else None
    return None
