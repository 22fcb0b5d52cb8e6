"""What a credential looks like to a person: badge images (baked) and the PDF certificate.

An achievement without artwork still gets a badge: a plain generated image with its name, so
every credential can travel as a baked PNG or SVG. The certificate carries a QR code, the
text of the verification URL and the signed credential itself as an attachment, so a
verifier can check that what it prints is what was signed.
"""

from __future__ import annotations

import json
import textwrap
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

from PIL import Image, ImageDraw, ImageFont

from credstack.errors import Conflict, NotFound
from credstack.service.issuance import award_context, verification_url
from credstack.service.learners import profile
from credstack.store.models import AwardRow
from credstack.store.uow import UnitOfWork
from credstack.vc.baking import bake_png, bake_svg
from credstack.vc.pdf import CertificateInfo, certificate_pdf
from credstack.vc.pdf_certificate import credential_facts

__all__ = ["badge_png", "badge_svg", "baked_png", "baked_svg", "certificate"]

_SIZE = 400
_NAVY = (40, 60, 110)


def badge_png(name: str, kind: str) -> bytes:
    """A generated round badge: deterministic, so the same achievement always looks the same."""
    image = Image.new("RGB", (_SIZE, _SIZE), "white")
    draw = ImageDraw.Draw(image)
    draw.ellipse((10, 10, _SIZE - 10, _SIZE - 10), fill=_NAVY)
    draw.ellipse((30, 30, _SIZE - 30, _SIZE - 30), outline="white", width=4)
    font = ImageFont.load_default(size=28)
    small = ImageFont.load_default(size=20)
    lines = textwrap.wrap(name, width=16)[:4]
    y = _SIZE // 2 - 18 * len(lines)
    for line in lines:
        draw.text((_SIZE // 2, y), line, fill="white", font=font, anchor="mm")
        y += 36
    draw.text((_SIZE // 2, y + 14), kind, fill=(210, 220, 240), font=small, anchor="mm")
    out = BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def badge_svg(name: str, kind: str) -> str:
    lines = textwrap.wrap(name, width=16)[:4]
    y = _SIZE // 2 - 18 * len(lines)
    text = "".join(
        f'<text x="200" y="{y + 36 * i}" font-size="28" text-anchor="middle" '
        f'fill="#fff">{escape(line)}</text>'
        for i, line in enumerate(lines)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_SIZE}" height="{_SIZE}" '
        f'viewBox="0 0 {_SIZE} {_SIZE}" role="img" aria-label="{escape(name)}">'
        '<circle cx="200" cy="200" r="190" fill="#283c6e"/>'
        '<circle cx="200" cy="200" r="170" fill="none" stroke="#fff" stroke-width="4"/>'
        f"{text}"
        f'<text x="200" y="{y + 36 * len(lines) + 14}" font-size="20" text-anchor="middle" '
        f'fill="#d2dcf0">{escape(kind)}</text></svg>'
    )


def _issued(award: AwardRow) -> dict[str, object]:
    if award.credential is None:
        raise NotFound(f"credential {award.public_id} has not been issued")
    return award.credential


def _label(uow: UnitOfWork, award: AwardRow) -> tuple[str, str]:
    context = award_context(uow, award)
    return context.version.name, context.version.type


def baked_png(uow: UnitOfWork, award: AwardRow) -> bytes:
    credential = _issued(award)
    return bake_png(badge_png(*_label(uow, award)), json.dumps(credential))


def baked_svg(uow: UnitOfWork, award: AwardRow) -> str:
    credential = _issued(award)
    return bake_svg(badge_svg(*_label(uow, award)), json.dumps(credential))


def certificate(
    uow: UnitOfWork, base_url: str, award: AwardRow, *, cjk_font: Path | None = None
) -> bytes:
    """The printable certificate, printing what the signed credential says and carrying it.

    `cjk_font` is the settings' font for Chinese, Japanese and Korean names (None: the system's).

    A credential issued before names were signed into it is not embedded: its printed name
    could not be checked, so such a certificate stays a link to the credential.
    """
    credential = _issued(award)
    context = award_context(uow, award)
    facts = credential_facts(credential)
    person = profile(uow, context.learner)
    if person.erased:
        raise Conflict(
            f"award {award.public_id} belongs to an erased learner: a certificate would have "
            "to print a name that is no longer kept"
        )
    return certificate_pdf(
        CertificateInfo(
            learner_name=facts.learner_name or person.name,
            credential_name=facts.achievement_name or context.version.name,
            issuer_name=facts.issuer_name or context.issuer.name,
            issued_on=facts.issued_on or award.awarded_on,
            credential_id=award.public_id,
            verification_url=verification_url(base_url, award.public_id),
            designation=facts.designation,
            kind_words=context.version.type.replace("-", " "),
            valid_until=facts.valid_until if facts.issued_on else award.valid_until,
            credential=credential if facts.names_learner else None,
        ),
        cjk_font=cjk_font,
    )
