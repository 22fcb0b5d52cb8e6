"""Bitstring Status List v1.0, against the 1EdTech validator's status-list fixtures."""

from __future__ import annotations

import base64
import gzip
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pytest
from vcdoc_helpers import NOW, OB30, load_json

from credstack.vc.checks import Check, StatusFound
from credstack.vc.status import (
    MIN_BITS,
    Bitstring,
    FetchedStatusList,
    StatusListError,
    check_status,
    status_list_credential,
    status_list_entry,
)

LIST_URL = "https://credentials.example.org/status/1"
ISSUER = "did:web:credentials.example.org"


def test_validator_test_list_has_exactly_index_23_set() -> None:
    testlist = load_json(OB30 / "bit-string-list" / "testlist")
    bits = Bitstring.decode(testlist["credentialSubject"]["encodedList"])
    assert bits.size == MIN_BITS
    assert [i for i in range(bits.size) if bits.get(i)] == [23]


def test_bits_round_trip_and_bit_zero_is_the_leftmost() -> None:
    bits = Bitstring()
    for index in (0, 7, 8, 4242, MIN_BITS - 1):
        bits.set(index)
    bits.set(7, False)
    decoded = Bitstring.decode(bits.encode())
    assert [i for i in range(decoded.size) if decoded.get(i)] == [0, 8, 4242, MIN_BITS - 1]
    raw = gzip.decompress(base64.urlsafe_b64decode(bits.encode()[1:] + "=="))
    assert raw[0] == 0b1000_0000
    assert bits.encode().startswith("u")
    assert "=" not in bits.encode()


def test_encoding_is_deterministic() -> None:
    assert Bitstring().encode() == Bitstring().encode()


def test_lists_shorter_than_the_minimum_are_refused() -> None:
    with pytest.raises(ValueError, match="131072"):
        Bitstring(MIN_BITS - 8)
    short = "u" + base64.urlsafe_b64encode(gzip.compress(bytes(1024))).decode().rstrip("=")
    with pytest.raises(StatusListError, match="fewer than"):
        Bitstring.decode(short)


@pytest.mark.parametrize(
    ("encoded", "reason"),
    [
        ("zabc", "no 'u' prefix"),
        ("u" + base64.urlsafe_b64encode(b"not gzip").decode(), "not GZIP"),
        (
            "u"
            + base64.urlsafe_b64encode(gzip.compress(bytes(MIN_BITS // 8), mtime=0)[:40]).decode(),
            "truncated",
        ),
    ],
    ids=["no-prefix", "not-gzip", "truncated"],
)
def test_unreadable_lists_fail_with_a_reason(encoded: str, reason: str) -> None:
    with pytest.raises(StatusListError, match=reason):
        Bitstring.decode(encoded)


def test_out_of_range_index_is_an_error() -> None:
    with pytest.raises(IndexError):
        Bitstring().get(MIN_BITS)


def _credential(index: int, purpose: str = "revocation") -> dict[str, Any]:
    return {
        "issuer": {"id": ISSUER},
        "credentialStatus": status_list_entry(list_url=LIST_URL, index=index, purpose=purpose),  # type: ignore[arg-type]
    }


def _list(bits: Bitstring, purpose: str = "revocation", **kw: Any) -> dict[str, Any]:
    return status_list_credential(
        url=LIST_URL,
        issuer_id=kw.get("issuer", ISSUER),
        purpose=purpose,  # type: ignore[arg-type]
        bits=bits,
        valid_from=datetime(2025, 1, 1, tzinfo=UTC),
        valid_until=kw.get("valid_until"),
    )


def _fetcher(document: Mapping[str, Any], **kw: Any) -> Any:
    return lambda url: FetchedStatusList(document, **kw) if url == LIST_URL else None


def test_entry_and_list_documents_have_the_spec_shape() -> None:
    entry = status_list_entry(list_url=LIST_URL, index=94567, purpose="revocation")
    assert entry == {
        "id": f"{LIST_URL}#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": LIST_URL,
    }
    document = _list(Bitstring())
    assert document["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert document["credentialSubject"]["type"] == "BitstringStatusList"


def test_revoked_credential_says_revoked_with_the_date() -> None:
    bits = Bitstring()
    bits.set(12)
    when = datetime(2025, 11, 3, 15, 0, tzinfo=UTC)
    check = check_status(_credential(12), _fetcher(_list(bits), changed_on={12: when}), now=NOW)
    assert check == Check(
        "status", False, "The credential was revoked on 2025-11-03.", StatusFound.REVOKED
    )


def test_clear_bit_passes_and_suspension_is_named() -> None:
    bits = Bitstring()
    bits.set(5)
    assert check_status(_credential(4), _fetcher(_list(bits)), now=NOW).passed
    suspended = check_status(
        _credential(5, "suspension"), _fetcher(_list(bits, "suspension")), now=NOW
    )
    assert suspended.message == "The credential was suspended."
    assert suspended.found is StatusFound.SUSPENDED


@pytest.mark.parametrize(
    ("status_list", "reason"),
    [
        (_list(Bitstring(), "suspension"), "is for 'suspension'"),
        (_list(Bitstring(), issuer="did:web:other.example"), "different issuer"),
        (_list(Bitstring(), valid_until=datetime(2025, 6, 1, tzinfo=UTC)), "has expired"),
    ],
)
def test_a_list_that_cannot_vouch_for_the_credential_fails(
    status_list: dict[str, Any], reason: str
) -> None:
    check = check_status(_credential(1), _fetcher(status_list), now=NOW)
    assert not check.passed
    assert reason in check.message


def test_unreachable_list_or_no_fetcher_is_a_failure_not_a_pass() -> None:
    assert not check_status(_credential(1), lambda url: None, now=NOW).passed
    assert not check_status(_credential(1), None, now=NOW).passed


def test_untrusted_list_proof_fails() -> None:
    failing = Check("signature", False, "The signature is invalid.")
    check = check_status(
        _credential(1), _fetcher(_list(Bitstring())), now=NOW, verify_list=lambda d: failing
    )
    assert check.message == "The status list could not be trusted: The signature is invalid."


def test_validator_revoked_fixture_is_revoked() -> None:
    credential = load_json(OB30 / "bit-string-list" / "credential-status-revoked.json")
    testlist = load_json(OB30 / "bit-string-list" / "testlist")
    url = credential["credentialStatus"]["statusListCredential"]
    check = check_status(
        credential, lambda u: FetchedStatusList(testlist) if u == url else None, now=NOW
    )
    assert check == Check("status", False, "The credential was revoked.", StatusFound.REVOKED)


def test_credential_without_status_passes_and_unknown_status_type_fails() -> None:
    assert check_status({"issuer": ISSUER}, None, now=NOW).passed
    legacy = load_json(OB30 / "credential-status-revoked.json")
    check = check_status(legacy, None, now=NOW)
    assert not check.passed
    assert "1EdTechRevocationList" in check.message


@pytest.mark.parametrize("index", ["²", "١٢", "9" * 5000, " 7", "7\n", ""])
def test_an_index_that_is_not_plain_ascii_digits_is_malformed_not_a_crash(index: str) -> None:
    """`str.isdigit` accepts "²" (which `int` refuses) and 5,000 digits (past `int`'s limit):
    a stranger's status entry must fail the check, not the verifier."""
    credential = _credential(1)
    credential["credentialStatus"]["statusListIndex"] = index
    check = check_status(credential, _fetcher(_list(Bitstring())), now=NOW)
    assert check == Check(
        "status", False, "The credential's status entry is incomplete or malformed."
    )
