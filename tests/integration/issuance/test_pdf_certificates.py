"""PDF certificates: the signed credential travels inside, and the printed text must match it."""

from __future__ import annotations

import copy
import dataclasses
import io
import json
from datetime import date

import pytest
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

from credstack.service.badges import certificate
from credstack.service.issuance import verification_url
from credstack.service.pdf_verification import PRINTED_CHECK
from credstack.store.models import AwardRow
from credstack.store.secrets import MasterKey
from credstack.store.uow import UnitOfWork
from credstack.vc.pdf import ATTACHMENT_NAME, CertificateInfo, certificate_pdf
from credstack.vc.pdf_fonts import use_fonts

from .factories import BASE, ccrb
from .test_issuance import _verifier


def _award(uow: UnitOfWork, master: MasterKey) -> AwardRow:
    board = ccrb(uow, master)
    return board.award(board.learner("ana", "ana@example.org"), "gcp-essentials", date(2026, 3, 2))


def _genuine(award: AwardRow, **changes: object) -> CertificateInfo:
    """Our certificate of the award, carrying its credential, with some printed facts changed."""
    info = CertificateInfo(
        learner_name="Ana",
        credential_name="GCP Essentials",
        issuer_name="Clinical Research Certification Board",
        issued_on=date(2026, 3, 2),
        credential_id=award.public_id,
        verification_url=verification_url(BASE, award.public_id),
        credential=award.credential,
    )
    return dataclasses.replace(info, **changes)  # type: ignore[arg-type]


def _forged(award: AwardRow, name: str, achievement: str, *, attach: bytes | None = None) -> bytes:
    """Anyone's PDF, in our wording, with the genuine verification link of a real credential."""
    pdf = FPDF()
    use_fonts(pdf, (name, achievement))
    if attach is not None:
        pdf.embed_file(bytes=attach, basename=ATTACHMENT_NAME)
    pdf.add_page()
    pdf.set_font("certificate", "", 14)
    for line in (
        "Clinical Research Certification Board",
        "certifies that",
        name,
        "has earned",
        achievement,
        "Issued on 2026-03-02",
        f"Credential ID: {award.public_id}",
        f"Verify at: {verification_url(BASE, award.public_id)}",
    ):
        pdf.cell(180, 10, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def test_our_certificate_carries_the_credential_and_verifies(
    uow: UnitOfWork, master_key: MasterKey
) -> None:
    award = _award(uow, master_key)
    data = certificate(uow, BASE, award)
    embedded = PdfReader(io.BytesIO(data)).attachments[ATTACHMENT_NAME]
    assert json.loads(embedded[0]) == award.credential
    result = _verifier(uow, master_key).verify_bytes(data)
    assert result.verified, result.headline
    assert result.headline == (
        "Verified: issued by Clinical Research Certification Board; every check passed."
    )
    assert result.source_format == "pdf"
    printed = result.check(PRINTED_CHECK)
    assert printed is not None and printed.passed


def test_a_forged_pdf_with_a_genuine_link_is_not_verified(
    uow: UnitOfWork, master_key: MasterKey
) -> None:
    award = _award(uow, master_key)
    verifier = _verifier(uow, master_key)
    forged = _forged(award, "Mallory Impostor", "Doctor of Medicine")
    result = verifier.verify_bytes(forged)
    assert not result.verified
    assert not result.headline.startswith("Verified")
    printed = result.check(PRINTED_CHECK)
    assert printed is not None and not printed.passed
    # the credential names Ana only by salted hash: the message does not reveal her name either
    assert "GCP Essentials" in printed.message and "Ana" not in printed.message
    assert "salted hash" in printed.message
    # the same forgery carrying the genuine signed credential: the printed text still differs
    attached = _forged(
        award,
        "Mallory Impostor",
        "Doctor of Medicine",
        attach=json.dumps(award.credential).encode(),
    )
    result = verifier.verify_bytes(attached)
    assert not result.verified
    assert result.check("signature") is not None and result.check("signature").passed  # type: ignore[union-attr]
    assert "the printed name is not the one the credential holds" in result.headline
    assert "the printed achievement is not 'GCP Essentials'" in result.headline


@pytest.mark.parametrize(
    ("edit", "complaint"),
    [
        ({"learner_name": "Anna Doctor"}, "printed name is not the one the credential holds"),
        (
            {"issuer_name": "Harvard Medical School"},
            "printed issuer is not 'Clinical Research Certification Board'",
        ),
    ],
)
def test_a_genuine_certificate_with_a_fact_edited_is_not_verified(
    uow: UnitOfWork, master_key: MasterKey, edit: dict[str, str], complaint: str
) -> None:
    award = _award(uow, master_key)
    data = certificate_pdf(_genuine(award, **edit))
    result = _verifier(uow, master_key).verify_bytes(data)
    assert not result.verified
    assert complaint in result.headline


def test_the_printed_name_is_checked_against_its_salted_hash_whitespace_aside(
    uow: UnitOfWork, master_key: MasterKey
) -> None:
    award = _award(uow, master_key)
    assert award.credential is not None
    [name] = [
        i
        for i in award.credential["credentialSubject"]["identifier"]
        if i["identityType"] == "name"
    ]
    assert name["hashed"] is True and name["identityHash"].startswith("sha256$") and name["salt"]
    assert "Ana" not in json.dumps(award.credential)
    verifier = _verifier(uow, master_key)
    spaced = verifier.verify_bytes(certificate_pdf(_genuine(award, learner_name="A  na")))
    assert spaced.verified, spaced.headline


def test_a_genuine_certificate_with_extra_printed_text_is_not_verified(
    uow: UnitOfWork, master_key: MasterKey
) -> None:
    award = _award(uow, master_key)
    extra = FPDF()
    extra.add_page()
    extra.set_font("Helvetica", "", 14)
    extra.cell(180, 10, "and the degree of Doctor of Medicine")
    writer = PdfWriter(clone_from=io.BytesIO(certificate(uow, BASE, award)))
    writer.append(io.BytesIO(bytes(extra.output())))
    out = io.BytesIO()
    writer.write(out)
    assert ATTACHMENT_NAME in PdfReader(io.BytesIO(out.getvalue())).attachments
    result = _verifier(uow, master_key).verify_bytes(out.getvalue())
    assert not result.verified
    assert "not in the wording of credstack's certificates" in result.headline


def test_changed_dates_are_not_verified(uow: UnitOfWork, master_key: MasterKey) -> None:
    award = _award(uow, master_key)
    info = _genuine(award, issued_on=date(2025, 3, 2))
    verifier = _verifier(uow, master_key)
    result = verifier.verify_bytes(certificate_pdf(info))
    assert not result.verified
    assert "Issued on 2025-03-02 where the credential says 2026-03-02" in result.headline
    stretched = dataclasses.replace(info, issued_on=date(2026, 3, 2), valid_until=date(2099, 1, 1))
    result = verifier.verify_bytes(certificate_pdf(stretched))
    assert not result.verified
    assert "Valid until 2099-01-01 where the credential says nothing" in result.headline


def test_an_embedded_credential_changed_after_signing_fails_its_signature(
    uow: UnitOfWork, master_key: MasterKey
) -> None:
    award = _award(uow, master_key)
    assert award.credential is not None
    tampered = copy.deepcopy(dict(award.credential))
    tampered["credentialSubject"]["identifier"][-1]["identityHash"] = "Mallory Impostor"
    data = _forged(
        award, "Mallory Impostor", "GCP Essentials", attach=json.dumps(tampered).encode()
    )
    result = _verifier(uow, master_key).verify_bytes(data)
    assert not result.verified
    signature = result.check("signature")
    assert signature is not None and not signature.passed


def test_a_link_only_pdf_says_its_text_is_not_signed(
    uow: UnitOfWork, master_key: MasterKey
) -> None:
    award = _award(uow, master_key)
    genuine = certificate(uow, BASE, award)
    stripped = io.BytesIO()
    # the same printed certificate without its attachment: what older certificates look like
    without = PdfWriter()
    for page in PdfReader(io.BytesIO(genuine)).pages:
        without.add_page(page)
    without.write(stripped)
    assert not PdfReader(io.BytesIO(stripped.getvalue())).attachments
    result = _verifier(uow, master_key).verify_bytes(stripped.getvalue())
    assert result.verified, result.headline
    assert result.headline.startswith(
        "Verified: issued by Clinical Research Certification Board; "
        f"this PDF links to credential {BASE}/credentials/{award.public_id} — "
        "the printed text is not signed; compare it with: the name whose salted hash it holds"
    )
    assert "achievement 'GCP Essentials'" in result.headline
    assert "issued on 2026-03-02" in result.headline


def test_a_pdf_that_neither_carries_nor_links_is_unusable(
    uow: UnitOfWork, master_key: MasterKey
) -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "", 12)
    pdf.cell(100, 10, "Certificate of attendance, see https://elsewhere.example/c/1")
    result = _verifier(uow, master_key).verify_bytes(bytes(pdf.output()))
    assert not result.verified
    assert "elsewhere.example" in result.headline


@pytest.mark.parametrize("payload", [b"not json", b"[1, 2]"])
def test_an_unreadable_attachment_is_refused_clearly(
    uow: UnitOfWork, master_key: MasterKey, payload: bytes
) -> None:
    from credstack.errors import InvalidInput

    award = _award(uow, master_key)
    with pytest.raises(InvalidInput, match=r"credential\.json"):
        _verifier(uow, master_key).verify_bytes(
            _forged(award, "Ana", "GCP Essentials", attach=payload)
        )


@pytest.mark.parametrize("name", ["محمد الخوارزمي", "李小龙", "Jan Łukasiewicz"])
def test_certificates_in_any_script_verify_against_their_credential(
    uow: UnitOfWork, master_key: MasterKey, name: str
) -> None:
    from credstack.service.people import add_learner

    board = ccrb(uow, master_key)
    learner = add_learner(uow, key="learner-1", name=name)
    award = board.award(learner, "gcp-essentials", date(2026, 3, 2))
    result = _verifier(uow, master_key).verify_bytes(certificate(uow, BASE, award))
    assert result.verified, result.headline
