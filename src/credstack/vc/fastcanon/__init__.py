"""The fast eddsa-rdfc-2022 canonicalisation path.

Contexts are compiled once (``context``), documents go straight to quads without the general
expansion, node-map and to-RDF passes (``dataset``), subtrees met before (a template's issuer,
achievement, schema) take their remembered quads (``fragments``), proof configurations are
compiled with only ``created`` left open (``proofconfig``), and blank nodes are labelled by
RDFC-1.0 with the N-degree step only where first-degree hashes collide (``rdfc``). pyld stays
the oracle: ``credstack.vc.canon`` tries this path first and runs pyld whenever it raises
``Unsupported``, and the tests compare the two byte for byte.
"""

from collections.abc import Mapping
from typing import Any

from credstack.vc.fastcanon.dataset import Quad, document_quads, document_quads_and_hashes
from credstack.vc.fastcanon.fragments import FragmentCache, fragment_cache
from credstack.vc.fastcanon.nquads import escape_iri, escape_literal, literal_term
from credstack.vc.fastcanon.order import Order, sort_key
from credstack.vc.fastcanon.proofconfig import (
    ProofConfigCache,
    fast_canonicalize_proof_config,
    proof_config_cache,
)
from credstack.vc.fastcanon.rdfc import canonical_nquads
from credstack.vc.fastcanon.unsupported import (
    PathCounts,
    Unsupported,
    fast_path_enabled,
    general_path_only,
    path_counts,
)

__all__ = [
    "FragmentCache",
    "Order",
    "PathCounts",
    "ProofConfigCache",
    "Quad",
    "Unsupported",
    "canonical_nquads",
    "document_quads",
    "escape_iri",
    "escape_literal",
    "fast_canonicalize",
    "fast_canonicalize_proof_config",
    "fast_path_enabled",
    "fragment_cache",
    "general_path_only",
    "literal_term",
    "path_counts",
    "proof_config_cache",
    "sort_key",
]


def fast_canonicalize(document: Mapping[str, Any], order: Order = Order.CODE_POINT) -> str:
    """Canonical N-Quads by the fast path alone; raises ``Unsupported`` when it cannot."""
    if not fast_path_enabled():
        raise Unsupported("fast path disabled")
    quads, first_degree = document_quads_and_hashes(document)
    return canonical_nquads(quads, order, first_degree)
