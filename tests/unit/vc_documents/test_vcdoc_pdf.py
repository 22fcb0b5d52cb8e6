"""The printable certificate: a real PDF, readable text, and a QR code that scans."""

from __future__ import annotations

import dataclasses
import io
import json
import unicodedata
from datetime import date
from pathlib import Path

import pypdfium2
import pytest
import zxingcpp
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject

from credstack.errors import InvalidInput
from credstack.vc import pdf_fonts
from credstack.vc.pdf import ATTACHMENT_NAME, CertificateInfo, certificate_pdf, qr_matrix
from credstack.vc.pdf_certificate import read_certificate

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


NAMES = {
    "latin-extended": "Jan Łukasiewicz",
    "greek": "Αριστοτέλης Παπαδόπουλος",
    "cyrillic": "Дмитрий Менделеев",
    "arabic": "محمد بن موسى الخوارزمي",
    "hebrew": "דוד בן־גוריון",
    "devanagari": "श्रीनिवास रामानुजन",
    "cjk": "李小龙",
    "japanese": "山田 花子",
    "korean": "김민준",
}


@pytest.mark.parametrize("script", sorted(NAMES))
def test_names_in_every_script_print_and_extract_as_written(script: str) -> None:
    name = NAMES[script]
    data = certificate_pdf(dataclasses.replace(INFO, learner_name=name, designation=None))
    lines = pypdfium2.PdfDocument(data)[0].get_textpage().get_text_range().splitlines()
    assert name in [_printable(line).strip() for line in lines]
    # pypdf (what the verifier reads) gives the same characters, in logical order, though it
    # spaces CJK glyphs apart; the verifier compares text without whitespace
    text = _printable(PdfReader(io.BytesIO(data)).pages[0].extract_text())
    assert "".join(name.split()) in "".join(text.split())
    assert "?" not in text


def _printable(text: str) -> str:
    """Extraction may yield control characters for glyphs made by shaping; no name has any."""
    return "".join(c for c in text if c in "\n" or unicodedata.category(c) != "Cc")


def test_a_name_no_font_can_print_is_refused_with_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pdf_fonts, "_CJK_CANDIDATES", ())
    with pytest.raises(pdf_fonts.MissingGlyphs, match="fonts-noto-cjk") as caught:
        certificate_pdf(dataclasses.replace(INFO, learner_name="李小龙"))
    assert caught.value.http_status == 503
    assert "李" in caught.value.message
    assert "CREDSTACK_CJK_FONT" in caught.value.message
    with pytest.raises(pdf_fonts.MissingGlyphs, match="is not a font file"):
        certificate_pdf(INFO, cjk_font=Path("/nonexistent/font.ttc"))


def test_the_signed_credential_is_attached_when_given() -> None:
    credential = {"id": "urn:uuid:1", "name": "Łódź Ω"}
    data = certificate_pdf(dataclasses.replace(INFO, credential=credential))
    attachments = PdfReader(io.BytesIO(data)).attachments
    assert list(attachments) == [ATTACHMENT_NAME]
    assert json.loads(attachments[ATTACHMENT_NAME][0]) == credential
    assert not PdfReader(io.BytesIO(certificate_pdf(INFO))).attachments


def test_a_pdf_whose_attachment_is_not_a_stream_is_a_clear_error() -> None:
    """pypdf raises AttributeError on this malformed graph; the uploader gets one clear error."""
    data = certificate_pdf(dataclasses.replace(INFO, credential={"id": "urn:uuid:1"}))
    writer = PdfWriter(clone_from=io.BytesIO(data))
    catalog = writer.root_object
    names = catalog["/Names"]["/EmbeddedFiles"]["/Names"]
    spec = names[1].get_object()
    spec["/EF"][NameObject("/F")] = writer._add_object(DictionaryObject())
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(InvalidInput, match="the PDF cannot be read"):
        read_certificate(out.getvalue())
