"""A printable certificate whose QR code leads back to the online verification page.

The PDF is a convenience for people, not a credential: whoever scans the code verifies
the signed credential itself, so the certificate carries the verification URL and the
credential id rather than any claim of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from io import BytesIO

import qrcode
from fpdf import FPDF
from qrcode.constants import ERROR_CORRECT_M

__all__ = ["CertificateInfo", "certificate_pdf", "qr_matrix"]

_FONT = "Helvetica"


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


def qr_matrix(url: str) -> list[list[bool]]:
    """The QR modules for ``url``; the certificate draws exactly this matrix."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4, box_size=10)
    code.add_data(url)
    code.make(fit=True)
    matrix: list[list[bool]] = code.get_matrix()
    return matrix


def _latin1(text: str) -> str:
    # The core PDF fonts are Latin-1; other characters are replaced rather than failing.
    return text.encode("latin-1", "replace").decode("latin-1")


def certificate_pdf(info: CertificateInfo) -> bytes:
    pdf = FPDF(orientation="landscape", unit="mm", format="A4")
    pdf.set_title(_latin1(f"{info.credential_name} - {info.learner_name}"))
    pdf.set_author(_latin1(info.issuer_name))
    pdf.set_creator("credstack")
    pdf.set_auto_page_break(auto=False)
    pdf.add_page()
    width = pdf.w - 40
    pdf.set_draw_color(40, 60, 110)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)

    pdf.set_xy(20, 28)
    pdf.set_font(_FONT, "", 14)
    pdf.cell(width, 8, _latin1(info.issuer_name), align="C")
    pdf.set_xy(20, 42)
    pdf.set_font(_FONT, "", 12)
    pdf.cell(width, 8, "certifies that", align="C")
    pdf.set_xy(20, 54)
    pdf.set_font(_FONT, "B", 28)
    learner = info.learner_name
    if info.designation:
        learner = f"{learner}, {info.designation}"
    pdf.cell(width, 14, _latin1(learner), align="C")
    pdf.set_xy(20, 74)
    pdf.set_font(_FONT, "", 12)
    pdf.cell(width, 8, "has earned", align="C")
    pdf.set_xy(20, 86)
    pdf.set_font(_FONT, "B", 20)
    pdf.multi_cell(width, 10, _latin1(info.credential_name), align="C")
    if info.kind_words:
        pdf.set_x(20)
        pdf.set_font(_FONT, "I", 12)
        pdf.cell(width, 8, _latin1(f"({info.kind_words})"), align="C")

    pdf.set_font(_FONT, "", 10)
    lines = [f"Issued on {info.issued_on.isoformat()}"]
    if info.valid_until is not None:
        lines.append(f"Valid until {info.valid_until.isoformat()}")
    lines.append(f"Credential ID: {info.credential_id}")
    lines.append(f"Verify at: {info.verification_url}")
    y = pdf.h - 62
    for line in lines:
        pdf.set_xy(20, y)
        pdf.cell(width - 60, 6, _latin1(line))
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
