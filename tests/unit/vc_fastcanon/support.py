"""Shared helpers: the oracle comparison and the Hypothesis settings profile."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from credstack.vc.canon import canonicalize, canonicalize_general
from credstack.vc.fastcanon import Order, fast_canonicalize

DATA = Path(__file__).resolve().parents[2] / "data"

# The mixed property draws EXAMPLES documents and each per-kind property a fraction, which
# keeps this directory well under a minute (pyld, the oracle, is the slow part). Set
# CREDSTACK_FASTCANON_EXAMPLES=5000 (say) for a long run.
EXAMPLES = int(os.environ.get("CREDSTACK_FASTCANON_EXAMPLES", "300"))
settings.register_profile(
    "fastcanon",
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FASTCANON = settings.get_profile("fastcanon")


def assert_same_as_pyld(document: dict[str, Any], order: Order = Order.CODE_POINT) -> str:
    """The fast path's canonical form, asserted byte-identical to the general path's.

    ``fast_canonicalize`` raises instead of falling back, so passing also proves the fast
    path handled the document.
    """
    fast = fast_canonicalize(document, order)
    general = canonicalize_general(document, order)
    assert fast == general, json.dumps(document, ensure_ascii=True)[:2000]
    return fast


def load_json(path: Path) -> Any:
    return json.loads(path.read_text("utf-8"))


def each_matches_pyld(documents: list[dict[str, Any]]) -> None:
    """Each document's canonical form, or the error pyld raises, whichever path runs."""
    for document in documents:
        try:
            expected = canonicalize_general(document)
        except Exception as exc:
            with pytest.raises(type(exc)):
                canonicalize(document)
            continue
        assert canonicalize(document) == expected
