"""Reading the links on a presented PDF certificate, within bounds a certificate never reaches.

A certificate is a page or two whose text names its verification URL. Size and page count
are checked before any text is extracted (a 1,500-page file took 53 s), links are gathered
in one pass with a dict for de-duplication, and at most ``MAX_PDF_URLS`` are kept, so the
caller's look-ups are bounded too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from io import BytesIO
from typing import Any

from credstack.vc.limits import MAX_PDF_BYTES, MAX_PDF_PAGES, MAX_PDF_URLS, MAX_URL_CHARS
from credstack.vc.safejson import InputRefused

__all__ = ["PdfUnreadable", "pdf_urls"]

_URL = re.compile(r"https?://[^\s<>\"')]+")


class PdfUnreadable(ValueError):
    """The file starts like a PDF but cannot be read (broken, encrypted, unknown filter)."""


def pdf_urls(data: bytes) -> list[str]:
    """Links written on a certificate, from its text and metadata (the QR code repeats one)."""
    from pypdf import PdfReader

    if len(data) > MAX_PDF_BYTES:
        raise InputRefused(
            f"The PDF is {len(data)} bytes; a certificate is far smaller and at most "
            f"{MAX_PDF_BYTES} bytes are accepted.",
            too_large=True,
        )
    try:
        reader = PdfReader(BytesIO(data))
        pages = len(reader.pages)
        if pages > MAX_PDF_PAGES:
            raise InputRefused(
                f"The PDF has {pages} pages; a certificate has a few and at most "
                f"{MAX_PDF_PAGES} are accepted.",
                too_large=True,
            )
        texts = [page.extract_text() or "" for page in reader.pages]
        metadata: Mapping[str, Any] = reader.metadata or {}
        texts.extend(str(v) for v in metadata.values())
    except InputRefused:
        raise
    except Exception as exc:  # pypdf raises many exception types on hostile files
        raise PdfUnreadable(f"The PDF cannot be read: {type(exc).__name__}: {exc}") from exc
    found: dict[str, None] = {}
    for text in texts:
        for url in _URL.findall(text.replace("\n", " ")):
            cleaned = url.rstrip(".,;")
            if len(cleaned) <= MAX_URL_CHARS:
                found.setdefault(cleaned, None)
            if len(found) >= MAX_PDF_URLS:
                return list(found)
    return list(found)
