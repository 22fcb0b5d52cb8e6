"""Cost of a huge trust list and of hostile PDF text, in-process (issue 10, after main's
issuer recognition and PDF certificates landed).

Run: ``.venv/bin/python bench/bench_trust_pdf.py``. It writes a 40,000-issuer registry as
JSON and as YAML (about 4 MiB each, the trust-list bound), times the first and a cached
``TrustStores.load`` (a runtime's trust-store cache), 1,000 recognitions against it, and the
certificate layout match on 100,000 characters (the PDF text bound) that repeat the layout's
fixed phrases.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from credstack.limits import MAX_PDF_TEXT_CHARS  # noqa: E402
from credstack.service.trust_lists import TrustStores  # noqa: E402
from credstack.vc.pdf import CERTIFIES, HAS_EARNED  # noqa: E402
from credstack.vc.pdf_certificate import PrintedFacts, printed_mismatches  # noqa: E402
from credstack.vc.recognition import IssuerDirectory, recognise  # noqa: E402

ISSUERS = 40_000


def _timed(label: str, work: object) -> None:
    started = time.perf_counter()
    work()  # type: ignore[operator]
    print(f"{label}: {time.perf_counter() - started:.3f} s")


def main() -> None:
    stores = TrustStores()
    with tempfile.TemporaryDirectory() as tmp:
        for kind in ("json", "yaml"):
            directory = Path(tmp) / kind
            directory.mkdir()
            if kind == "json":
                registry = {
                    f"did:web:i{n}.example": {"name": f"Issuer {n}", "url": f"https://i{n}"}
                    for n in range(ISSUERS)
                }
                text = json.dumps({"registry": registry})
            else:
                text = "".join(
                    f"- did: did:web:i{n}.example\n  name: Issuer {n}\n  url: https://i{n}\n"
                    for n in range(ISSUERS)
                )
            (directory / f"list.{kind}").write_text(text)
            print(f"{kind}: {len(text):,} bytes, {ISSUERS:,} issuers")
            _timed(f"  first TrustStores.load ({kind})", lambda d=directory: stores.load(d))
            _timed(f"  cached TrustStores.load ({kind})", lambda d=directory: stores.load(d))
            store = stores.load(directory)
            _timed("  directory indexes (once per store)", lambda s=store: s.directory.by_did(""))

            def recognitions(directory: IssuerDirectory = store.directory) -> None:
                for n in range(0, ISSUERS, ISSUERS // 1000):
                    recognise({"name": f"Issuer {n}"}, f"did:web:i{n}.example", directory)

            _timed("  1,000 recognitions (a verifier's own issuers first)", recognitions)
    facts = PrintedFacts("urn:x", "Acme", "Ana", None, "Welding", None, None)
    unit = f"{CERTIFIES} x {HAS_EARNED} y "
    text = unit * (MAX_PDF_TEXT_CHARS // len(unit))
    _timed(
        f"certificate layout on {len(text):,} characters of repeated phrases",
        lambda: printed_mismatches(text, facts),
    )


if __name__ == "__main__":
    main()
