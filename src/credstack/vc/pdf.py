"""A printable certificate whose QR code leads back to the online verification page.

The printed text is for people and is not signed. So that a verifier can tell a genuine
certificate from a PDF anyone made with the same link, the signed credential travels inside
it as a file attachment (``credential.json``), and the printed facts follow fixed wording that
``vc.pdf_certificate`` reads back and compares with that credential: the learner's name
(optionally ``, DESIGNATION``) after "certifies that", the achievement's name after "has
earned", ``Issued on YYYY-MM-DD`` and ``Valid until YYYY-MM-DD`` (ISO dates, UTC).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fpdf import FPDF

# fpdf, qrcode and the font tools are imported where a certificate or QR code is made: they
# are a fifth of the package's import time, which every CLI command and worker process paid
# for a PDF it seldom makes.

__all__ = [
    "ATTACHMENT_NAME",
    "CERTIFIES",
    "CREDENTIAL_ID",
    "HAS_EARNED",
    "ISSUED_ON",
    "VALID_UNTIL",
    "VERIFY_AT",
    "CertificateInfo",
    "certificate_pdf",
    "issued_line",
    "learner_line",
    "qr_matrix",
    "valid_until_line",
]

ATTACHMENT_NAME = "credential.json"
CERTIFIES = "certifies that"
HAS_EARNED = "has earned"
ISSUED_ON = "Issued on"
VALID_UNTIL = "Valid until"
CREDENTIAL_ID = "Credential ID:"
VERIFY_AT = "Verify at:"


@dataclass(frozen=True)
class CertificateInfo:
    learner_name: str
    credential_name: str
    issuer_name: str
    issued_on: date
    credential_id: str
    verification_url: str
    designation: str | None = None  # letters after the name, e.g. "CCRP"
    kind_words: str | None = None  # e.g. "certification"
    valid_until: date | None = None
    # The signed credential, embedded so the printed facts can be checked against it.
    credential: Mapping[str, Any] | None = None


def learner_line(name: str, designation: str | None) -> str:
    return f"{name}, {designation}" if designation else name


def issued_line(day: date) -> str:
    return f"{ISSUED_ON} {day.isoformat()}"


def valid_until_line(day: date) -> str:
    return f"{VALID_UNTIL} {day.isoformat()}"


def qr_matrix(url: str) -> list[list[bool]]:
    """The QR modules for ``url``; the certificate draws exactly this matrix."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4, box_size=10)
    code.add_data(url)
    code.make(fit=True)
    matrix: list[list[bool]] = code.get_matrix()
    return matrix


def certificate_pdf(info: CertificateInfo, *, cjk_font: Path | None = None) -> bytes:
    """The certificate; `cjk_font` is the operator's font for CJK names (the system's if None)."""
    from fpdf import FPDF

    from credstack.vc.pdf_fonts import FONT_FAMILY, use_fonts

    pdf = FPDF(orientation="landscape", unit="mm", format="A4")
    learner = learner_line(info.learner_name, info.designation)
    texts = (learner, info.credential_name, info.issuer_name, info.kind_words or "")
    use_fonts(pdf, texts, cjk=cjk_font)
    pdf.set_title(f"{info.credential_name} - {info.learner_name}")
    pdf.set_author(info.issuer_name)
    pdf.set_creator("credstack")
    pdf.set_auto_page_break(auto=False)
    if info.credential is not None:
        pdf.embed_file(
            bytes=json.dumps(info.credential, ensure_ascii=False, indent=2).encode("utf-8"),
            basename=ATTACHMENT_NAME,
            desc="The signed credential this certificate shows (Open Badges 3.0)",
            mime_type="application/vc+ld+json",
        )
    pdf.add_page()
    width = pdf.w - 40
    pdf.set_draw_color(40, 60, 110)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)

    pdf.set_xy(20, 28)
    pdf.set_font(FONT_FAMILY, "", 14)
    pdf.cell(width, 8, info.issuer_name, align="C")
    pdf.set_xy(20, 42)
    pdf.set_font(FONT_FAMILY, "", 12)
    pdf.cell(width, 8, CERTIFIES, align="C")
    pdf.set_xy(20, 54)
    pdf.set_font(FONT_FAMILY, "B", 28)
    pdf.cell(width, 14, learner, align="C")
    pdf.set_xy(20, 74)
    pdf.set_font(FONT_FAMILY, "", 12)
    pdf.cell(width, 8, HAS_EARNED, align="C")
    pdf.set_xy(20, 86)
    pdf.set_font(FONT_FAMILY, "B", 20)
    pdf.multi_cell(width, 10, info.credential_name, align="C")
    if info.kind_words:
        pdf.set_x(20)
        pdf.set_font(FONT_FAMILY, "", 12)
        pdf.cell(width, 8, f"({info.kind_words})", align="C")

    pdf.set_font(FONT_FAMILY, "", 10)
    lines = [issued_line(info.issued_on)]
    if info.valid_until is not None:
        lines.append(valid_until_line(info.valid_until))
    lines.append(f"{CREDENTIAL_ID} {info.credential_id}")
    lines.append(f"{VERIFY_AT} {info.verification_url}")
    y = pdf.h - 62
    for line in lines:
        pdf.set_xy(20, y)
        pdf.cell(width - 60, 6, line)
        y += 7

    _draw_qr(pdf, qr_matrix(info.verification_url), x=pdf.w - 70, y=pdf.h - 70, size=45)
    buffer = BytesIO()
    pdf.output(buffer)
    return buffer.getvalue()


def _draw_qr(pdf: FPDF, matrix: list[list[bool]], *, x: float, y: float, size: float) -> None:
    """Drawn as vector squares so the code stays sharp at any print size."""
    module = size / len(matrix)
    pdf.set_fill_color(0, 0, 0)
    for row, modules in enumerate(matrix):
        for col, dark in enumerate(modules):
            if dark:
                pdf.rect(x + col * module, y + row * module, module, module, style="F")
