"""Thousands of mutated credentials: none may verify unless it still says exactly the same.

Mutations are generated from a fixed seed (the same every run): byte flips, insertions,
deletions, truncations and duplicated slices of each form, plus structured edits of the JSON
(a value changed, a key dropped or added). The oracle is strict: a mutation may verify only
when what it carries decodes to the very credential that was signed (JSON whitespace, a
base64url spelling of the same bytes); everything else must come back not verified, and the
verifier must never raise.
"""

from __future__ import annotations

import base64
import binascii
import json
import random
from collections.abc import Iterator
from typing import Any

from tests.mutations import mutate_bytes
from vcdoc_helpers import (
    DIRECTORY,
    NOW,
    SVG,
    blank_png,
    issuer_key,
    resolver_for,
    sample_award,
    status_lists,
)

from credstack.vc import dataintegrity, jose
from credstack.vc.baking import BakingError, bake_png, bake_svg, extract_png, extract_svg
from credstack.vc.documents import open_badge_credential
from credstack.vc.safejson import InputRefused
from credstack.vc.verify import verify_credential

SEED = 20261202
COUNTS = {"json": 600, "jwt": 2000, "png": 7100, "svg": 300}


def _structured_mutation(document: dict[str, Any], rng: random.Random) -> bytes:
    """Change one value somewhere in the credential, keeping valid JSON."""
    copy = json.loads(json.dumps(document))
    parent: Any = copy
    key: Any = None
    while True:
        keys = list(parent) if isinstance(parent, dict) else list(range(len(parent)))
        if not keys:
            break
        key = rng.choice(keys)
        child = parent[key]
        if not isinstance(child, dict | list) or not child or rng.random() < 0.3:
            break
        parent = child
    if key is None:
        return json.dumps(copy).encode()
    value = parent[key]
    choice = rng.randrange(4)
    if choice == 0 and isinstance(parent, dict):
        del parent[key]
    elif choice == 1 and isinstance(parent, dict):
        parent[f"{key}x"] = value
    elif isinstance(value, str):
        parent[key] = value + rng.choice([" ", "x", "0", "\u00e9"]) if value else "x"
    elif isinstance(value, bool):
        parent[key] = not value
    elif isinstance(value, int | float):
        parent[key] = value + 1
    else:
        parent[key] = "changed"
    return json.dumps(copy).encode()


def _jwt_parts(token: str) -> tuple[bytes, ...] | None:
    parts = token.strip().split(".")
    if len(parts) != 3:
        return None
    try:
        return tuple(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)) for p in parts)
    except (binascii.Error, ValueError):
        return None


class Oracle:
    """What the original carried; a mutation that still carries exactly it may verify."""

    def __init__(self, document: dict[str, Any], token: str) -> None:
        self.document = document
        self.token = _jwt_parts(token)

    def unchanged(self, form: str, data: bytes) -> bool:
        try:
            if form in ("png", "svg"):
                baked = extract_png(data) if form == "png" else extract_svg(data)
                return self._payload(baked.payload)
            return self._payload(data.decode("utf-8"))
        except (BakingError, UnicodeDecodeError, ValueError):
            return False

    def _payload(self, text: str) -> bool:
        if text.strip().startswith("{"):
            try:
                return bool(json.loads(text) == self.document)
            except json.JSONDecodeError:
                return False
        return _jwt_parts(text.lstrip("\ufeff")) == self.token


def _mutations(
    originals: dict[str, bytes], document: dict[str, Any]
) -> Iterator[tuple[str, bytes]]:
    rng = random.Random(SEED)
    for form, count in COUNTS.items():
        for _ in range(count):
            if form == "json" and rng.random() < 0.5:
                yield form, _structured_mutation(document, rng)
            else:
                yield form, mutate_bytes(originals[form], rng)


def test_ten_thousand_mutations_none_accepted_that_should_not_be() -> None:
    key = issuer_key()
    resolver, lists = resolver_for(key), status_lists(key)
    document = dataintegrity.sign(open_badge_credential(sample_award()), key, created=NOW)
    text = json.dumps(document)
    token = jose.sign_jwt(open_badge_credential(sample_award()), key)
    originals = {
        "json": text.encode(),
        "jwt": token.encode(),
        "png": bake_png(blank_png(), text),
        "svg": bake_svg(SVG, text).encode(),
    }
    oracle = Oracle(document, token)
    for form, data in originals.items():  # the originals themselves verify
        result = verify_credential(
            data, resolver=resolver, status_lists=lists, now=NOW, issuers=DIRECTORY
        )
        assert result.recognised, (form, result.headline)
    tried: dict[str, int] = dict.fromkeys(COUNTS, 0)
    wrongly_accepted: list[tuple[str, bytes]] = []
    for form, mutated in _mutations(originals, document):
        tried[form] += 1
        try:
            result = verify_credential(
                mutated, resolver=resolver, status_lists=lists, now=NOW, issuers=DIRECTORY
            )
        except InputRefused:
            continue  # refused before any work: a shape no issuer writes (issue 10), not accepted
        if result.verified and not oracle.unchanged(form, mutated):
            wrongly_accepted.append((form, mutated))
    assert tried == COUNTS and sum(tried.values()) == 10_000
    assert wrongly_accepted == []
