"""Hostile inputs for the verifier, built from one genuinely signed did:key credential."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any

from credstack.vc.dataintegrity import sign
from credstack.vc.keys import generate_signing_key

__all__ = [
    "heavy_credential",
    "hostile_bodies",
    "pdf",
    "pdf_with_unknown_filter",
    "signed_credential",
]

DATA = Path(__file__).resolve().parents[2] / "data"


@cache
def _signed() -> str:
    document = json.loads((DATA / "vc_signing" / "achievement-credential.json").read_text())
    key = generate_signing_key("did:key")
    document["issuer"]["id"] = key.controller
    return json.dumps(sign(document, key, created=datetime(2026, 3, 1, tzinfo=UTC)))


def signed_credential() -> dict[str, Any]:
    """A fresh copy of a credential signed by a did:key (so any verifier can check it)."""
    document: dict[str, Any] = json.loads(_signed())
    return document


def _with(change: Any) -> bytes:
    document = signed_credential()
    change(document)
    return json.dumps(document).encode()


def heavy_credential(tags: int) -> bytes:
    """Within every bound, yet costly: many tags make canonicalisation take seconds."""
    return _with(
        lambda d: d["credentialSubject"]["achievement"].update(tag=[f"t{i}" for i in range(tags)])
    )


def pdf(pages: int, text: str = "Verify at: https://example.org/x") -> bytes:
    """A small PDF with ``pages`` pages, each showing ``text``."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, NameObject

    writer = PdfWriter()
    for _ in range(pages):
        page = writer.add_blank_page(width=200, height=200)
        stream = DecodedStreamObject()
        stream.set_data(f"BT /F1 8 Tf 10 100 Td ({text}) Tj ET".encode())
        page[NameObject("/Contents")] = writer._add_object(stream)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_with_unknown_filter() -> bytes:
    """A PDF whose cross-reference stream is encoded with a filter nobody implements."""
    head = (
        b"%PDF-1.5\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    )
    xref = (
        b"3 0 obj << /Type /XRef /Size 4 /W [1 2 1] /Root 1 0 R /Filter /NoSuchDecode "
        b"/Length 5 >> stream\nxxxxx\nendstream endobj\n"
    )
    return head + xref + b"startxref\n" + str(len(head)).encode() + b"\n%%EOF\n"


def hostile_bodies() -> dict[str, tuple[bytes, int]]:
    """Name -> (request body, the 4xx status it must get) for POST /api/v1/verify."""
    text = _signed()
    return {
        "300,000-character proofValue": (
            _with(lambda d: d["proof"].update(proofValue="z" + "2" * 300_000)),
            422,
        ),
        "10,000 repeated contexts": (
            _with(lambda d: d.update({"@context": d["@context"] * 3334})),
            422,
        ),
        '"@context": "Forged"': (_with(lambda d: d.update({"@context": "Forged"})), 422),
        '"@context": ""': (_with(lambda d: d.update({"@context": ""})), 422),
        "a number of 4,301 digits": (
            (text[:-1] + ', "n": ' + "9" * 4301 + "}").encode(),
            422,
        ),
        "JSON nested 1,000 deep": (
            (text[:-1] + ', "n": ' + "[" * 1000 + "]" * 1000 + "}").encode(),
            422,
        ),
        "a lone surrogate escape in a name": (_with(lambda d: d.update(name="\ud800")), 422),
        "a body over 1 MiB": (_with(lambda d: d.update(padding="x" * 1_100_000)), 413),
        "a 1,500-page PDF": (pdf(1500), 413),
        "a PDF with an unknown filter": (pdf_with_unknown_filter(), 422),
    }
