"""Issue 10 on issuer recognition: a huge trust list must not make each verification slow.

Before: every verification re-read and re-parsed the trust directory (a 4 MiB YAML list took
52 s; a 4 MiB issuer registry 0.8 s) and each look-up scanned every issuer, folding each
name with a regular expression, so a group of fifty credentials paid that fifty times.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from credstack.service.trust_lists import TrustStores
from credstack.vc.recognition import IssuerDirectory, KnownIssuer, _fold

ISSUERS = 50_000


def _scanned_claim(
    issuers: tuple[KnownIssuer, ...], issuer: Mapping[str, Any]
) -> KnownIssuer | None:
    """What claimed() answered when it scanned the list: the first issuer that matches."""
    ident, url, name = issuer.get("id"), issuer.get("url"), issuer.get("name")
    wanted = _fold(name) if isinstance(name, str) and name else None
    for known in issuers:
        ids = {*known.dids, *known.aliases, *([known.url] if known.url else [])}
        if ident in ids or url in ids or (wanted and wanted == _fold(known.name)):
            return known
    return None


KNOWN = st.builds(
    KnownIssuer,
    dids=st.lists(st.sampled_from(["did:a", "did:b", "did:c"]), min_size=1, max_size=2).map(tuple),
    name=st.sampled_from(["Acme", "ACME!", "Beta", "--"]),
    url=st.none() | st.sampled_from(["https://a", "https://b"]),
    aliases=st.lists(st.sampled_from(["https://a/p", "did:c"]), max_size=1).map(tuple),
)
CLAIM = st.fixed_dictionaries(
    {},
    optional={
        "id": st.sampled_from(["did:a", "did:c", "https://a/p", "x"]),
        "url": st.sampled_from(["https://a", "https://b", "y"]),
        "name": st.sampled_from(["acme", "Beta ", "--", "", "Gamma"]),
    },
)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    own=st.lists(KNOWN, max_size=3),
    trusted=st.lists(KNOWN, max_size=3),
    claim=CLAIM,
    did=st.sampled_from(["did:a", "did:b", "did:c", "did:d"]),
)
def test_indexed_look_ups_answer_as_the_scan_did(
    own: list[KnownIssuer], trusted: list[KnownIssuer], claim: dict[str, str], did: str
) -> None:
    everyone = (*own, *trusted)
    layered = IssuerDirectory(tuple(own), IssuerDirectory(tuple(trusted)))
    assert layered.claimed(claim) is _scanned_claim(everyone, claim)
    assert layered.by_did(did) is next((i for i in everyone if did in i.dids), None)


class _Unscanned(tuple[KnownIssuer, ...]):
    """A directory's issuers that may be indexed into but not walked: a look-up that scans
    them fails."""

    def __iter__(self) -> Iterator[KnownIssuer]:
        raise AssertionError("the look-up scanned every issuer")


def test_look_ups_in_a_large_directory_use_its_indexes_not_a_scan() -> None:
    directory = IssuerDirectory(
        tuple(
            KnownIssuer(dids=(f"did:web:i{n}.example",), name=f"Issuer {n}", url=f"https://i{n}")
            for n in range(ISSUERS)
        )
    )
    assert directory.by_did("did:web:i1.example") is directory.issuers[1]
    assert directory.claimed({"name": "issuer 1"}) is directory.issuers[1]  # indexes built
    object.__setattr__(directory, "issuers", _Unscanned(directory.issuers))
    for n in range(0, ISSUERS, ISSUERS // 1000):
        assert directory.by_did(f"did:web:i{n}.example") is directory.issuers[n]
        assert directory.claimed({"name": f"issuer {n}"}) is directory.issuers[n]


def test_the_trust_directory_is_read_again_only_when_a_file_changes(tmp_path: Path) -> None:
    """Files are read in name order, so more.yaml comes before registry.json."""
    registry = {
        "registry": {f"did:web:i{n}.example": {"name": f"Issuer {n}"} for n in range(ISSUERS)}
    }
    path = tmp_path / "registry.json"
    path.write_text(json.dumps(registry))
    stores = TrustStores()
    first = stores.load(tmp_path)
    assert len(first.issuers) == ISSUERS
    again = [stores.load(tmp_path) for _ in range(50)]
    assert all(store is first for store in again)  # the same reading: not read again
    assert first.directory is first.directory  # the indexes are built once per store

    registry["registry"] = {"did:web:new.example": {"name": "New Issuer"}}
    path.write_text(json.dumps(registry))
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 1_000_000_000))
    changed = stores.load(tmp_path)
    assert [i.name for i in changed.issuers] == ["New Issuer"]
    (tmp_path / "more.yaml").write_text("- did: did:key:z6Mkmore\n  name: More\n")
    assert [i.name for i in stores.load(tmp_path).issuers] == [
        "More",
        "New Issuer",
    ]
