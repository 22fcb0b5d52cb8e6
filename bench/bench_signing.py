"""Sign/verify throughput: credstack vs digitalbazaar, on one ~3 KB OB 3.0 credential.

Run: ``.venv/bin/python bench/bench_signing.py [--iterations N]``. Single process, single
core for each side (node is timed inside node, so process start-up is excluded). Raw Ed25519
sign/verify over the same 64-byte hash input is the floor neither can beat.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.interop.node_harness import NodeHarness  # noqa: E402

from credstack.vc.dataintegrity import hash_data, proof_configuration, sign, verify  # noqa: E402
from credstack.vc.keys import (  # noqa: E402
    decode_private_key_multibase,
    private_key_multibase,
    public_key_multibase,
    signing_key_from_private_key,
)
from credstack.vc.resolve import DidResolver, did_web_document  # noqa: E402

DID = "did:web:credentials.example.edu"
CREATED = datetime(2025, 3, 1, 9, 0, 5, tzinfo=UTC)


def _rate(iterations: int, action: object) -> float:
    assert callable(action)
    start = time.perf_counter()
    for _ in range(iterations):
        action()
    return iterations / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--iterations", type=int, default=50)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    document = json.loads((ROOT / "tests/data/vc_signing/achievement-credential.json").read_text())
    key = signing_key_from_private_key(
        DID, decode_private_key_multibase("z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq")
    )
    controller_documents = {DID: did_web_document(DID, [(key.verification_method, key.public_key)])}
    resolver = DidResolver(controller_documents)
    signed = sign(document, key, created=CREATED)
    assert verify(signed, resolver).passed
    size = len(json.dumps(document, ensure_ascii=False).encode())

    n = args.iterations
    ours_sign = _rate(n, lambda: sign(document, key, created=CREATED))
    ours_verify = _rate(n, lambda: verify(signed, resolver))
    config = proof_configuration(
        document, key.verification_method, "2025-03-01T09:00:05Z", "assertionMethod"
    )
    data = hash_data(document, config)
    signature = key.private_key.sign(data)
    raw_sign = _rate(n * 100, lambda: key.private_key.sign(data))
    raw_verify = _rate(n * 100, lambda: key.public_key.verify(signature, data))

    node = NodeHarness()
    theirs = node.run(
        {
            "op": "bench",
            "iterations": n,
            "document": document,
            "verificationMethod": key.verification_method,
            "publicKeyMultibase": public_key_multibase(key.public_key),
            "privateKeyMultibase": private_key_multibase(key.private_key),
            "created": "2025-03-01T09:00:05Z",
            "controllerDocuments": controller_documents,
        }
    )
    print(f"credential: {size} bytes, {n} iterations, one core")
    print(f"{'':28}{'sign/s':>10}{'verify/s':>10}")
    rows = [
        ("credstack (pyld RDFC-1.0)", ours_sign, ours_verify),
        ("digitalbazaar (node)", theirs["signPerSecond"], theirs["verifyPerSecond"]),
        ("raw Ed25519 (floor)", raw_sign, raw_verify),
    ]
    for name, s, v in rows:
        print(f"{name:28}{s:10.1f}{v:10.1f}")
    print(
        f"credstack / digitalbazaar: sign {ours_sign / theirs['signPerSecond']:.2f}x, "
        f"verify {ours_verify / theirs['verifyPerSecond']:.2f}x"
    )


if __name__ == "__main__":
    main()
