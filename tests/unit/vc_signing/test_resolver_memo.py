"""A resolver remembers what each listed method resolved to, within bounds and to the letter.

Verifying many credentials with one resolver meets the same keys again and again; the
answers must stay exactly those of a fresh look-up (retirements, purposes, unknown methods
refused), and method ids chosen by strangers must not grow the memory without bound.
"""

from __future__ import annotations

from credstack.vc.dataintegrity import sign, verify
from credstack.vc.keys import generate_signing_key
from credstack.vc.resolve import (
    _MAX_REMEMBERED,
    _MAX_REMEMBERED_CHARS,
    DidResolver,
    did_web_document,
)

from .support import CREDENTIAL, ISSUER_DID, RETIRED, load_json, rotated_keys

DID = ISSUER_DID


def _resolver() -> tuple[str, str, DidResolver]:
    old, new, resolver = rotated_keys()
    return old.verification_method, new.verification_method, resolver


def test_a_second_look_up_gives_what_a_fresh_resolver_gives() -> None:
    old, new, resolver = _resolver()
    for method in (old, new, f"{DID}#not-listed", old, new, f"{DID}#not-listed"):
        assert resolver.resolve(method) == DidResolver(dict(resolver._documents)).resolve(method)
    retired = resolver.resolve(old)
    assert retired is not None and retired.retired_at == RETIRED
    assert resolver.resolve(f"{DID}#not-listed") is None


def test_verifying_many_credentials_with_one_resolver_keeps_every_answer() -> None:
    key = generate_signing_key(DID)
    resolver = DidResolver(
        {DID: did_web_document(DID, [(key.verification_method, key.public_key)])}
    )
    stranger = generate_signing_key(DID)  # same DID, a key the document does not list
    for n in range(3):
        credential = load_json(CREDENTIAL)
        credential["id"] = f"urn:uuid:00000000-0000-4000-8000-{n:012d}"
        assert verify(sign(credential, key, created=RETIRED), resolver).passed
        check = verify(sign(credential, stranger, created=RETIRED), resolver)
        assert not check.passed and "could not be found" in check.message


def test_strangers_method_ids_stay_within_the_bounds() -> None:
    _old, _new, resolver = _resolver()
    for n in range(_MAX_REMEMBERED * 2):
        assert resolver.resolve(f"{DID}#guess-{n}") is None
        assert len(resolver._resolved) <= _MAX_REMEMBERED
    long_id = f"{DID}#" + "x" * (_MAX_REMEMBERED_CHARS + 1)
    assert resolver.resolve(long_id) is None
    assert long_id not in resolver._resolved
