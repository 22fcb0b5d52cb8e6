"""The printable certificate: a real PDF, readable text, and a QR code that scans."""

from __future__ import annotations

import io
from datetime import date

import pypdfium2
import zxingcpp
from pypdf import PdfReader

from credstack.vc.pdf import CertificateInfo, certificate_pdf, qr_matrix

INFO = CertificateInfo(
    learner_name="Ana Díaz",
    credential_name="Certified Clinical Research Professional",
    issuer_name="Clinical Research Certification Board",
    issued_on=date(2026, 1, 5),
    credential_id="urn:uuid:5b1d1a9c-1f0e-4f7b-b7a4-3c2d1e0f9a8b",
    verification_url="https://credentials.example.org/verify/5b1d1a9c",
    designation="CCRP",
    kind_words="certification",
    valid_until=date(2029, 1, 5),
)


def test_certificate_is_a_pdf_with_the_facts_in_its_text() -> None:
    data = certificate_pdf(INFO)
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    for expected in (
        "Ana Díaz, CCRP",
        "Certified Clinical Research Professional",
        "Clinical Research Certification Board",
        "Issued on 2026-01-05",
        "Valid until 2029-01-05",
        "Credential ID: urn:uuid:5b1d1a9c-1f0e-4f7b-b7a4-3c2d1e0f9a8b",
        "Verify at: https://credentials.example.org/verify/5b1d1a9c",
    ):
        assert expected in text


def test_qr_code_scans_to_the_verification_url() -> None:
    page = pypdfium2.PdfDocument(certificate_pdf(INFO))[0]
    image = page.render(scale=4).to_pil()
    codes = zxingcpp.read_barcodes(image)
    assert [code.text for code in codes] == [INFO.verification_url]


def test_qr_matrix_is_square_with_finder_patterns() -> None:
    matrix = qr_matrix(INFO.verification_url)
    assert len(matrix) == len(matrix[0])
    border = 4
    assert all(matrix[border][border : border + 7])  # top edge of the top-left finder
