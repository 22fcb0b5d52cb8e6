"""Fonts for the PDF certificate, so a learner's name prints in whatever script it is written.

The PDF core fonts know only Latin-1, which turned ``Łukasiewicz`` into ``?ukasiewicz``. The
package ships DejaVu Sans (Latin, Greek, Cyrillic, Arabic, Hebrew) and Noto Sans Devanagari;
text is shaped with HarfBuzz (``uharfbuzz``) so Arabic joins and Devanagari conjuncts form,
and the PDF keeps the logical text for copying and extraction. Chinese, Japanese and Korean
need Noto Sans CJK, too large to ship (tens of megabytes): it is taken from the system
(Debian's ``fonts-noto-cjk``) or from ``$CREDSTACK_CJK_FONT``. A name with characters no
available font has is refused with a message saying what to install, rather than printed
as boxes or question marks.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
from fpdf import FPDF

from credstack.errors import CredstackError

__all__ = ["CJK_FONT_ENV", "FONT_FAMILY", "MissingGlyphs", "cjk_font", "use_fonts"]

CJK_FONT_ENV = "CREDSTACK_CJK_FONT"
FONT_FAMILY = "certificate"
_FONTS = Path(__file__).with_name("fonts")
_BUNDLED: tuple[tuple[str, Path, Path], ...] = (
    (FONT_FAMILY, _FONTS / "DejaVuSans.ttf", _FONTS / "DejaVuSans-Bold.ttf"),
    (
        "devanagari",
        _FONTS / "NotoSansDevanagari-Regular.ttf",
        _FONTS / "NotoSansDevanagari-Bold.ttf",
    ),
)
_CJK_CANDIDATES = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),  # Debian, Ubuntu
    Path("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc"),  # Fedora
    Path("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc"),  # Arch
)


class MissingGlyphs(CredstackError):
    """The server lacks a font for some characters: its operator can fix that, the user cannot."""

    http_status = 503


def cjk_font() -> Path | None:
    """``$CREDSTACK_CJK_FONT`` when set (it must exist), else the first system Noto CJK."""
    configured = os.environ.get(CJK_FONT_ENV)
    if configured:
        path = Path(configured)
        if not path.is_file():
            raise MissingGlyphs(f"{CJK_FONT_ENV}={configured} is not a font file.")
        return path
    return next((p for p in _CJK_CANDIDATES if p.is_file()), None)


def use_fonts(pdf: FPDF, texts: Iterable[str]) -> None:
    """Register the fonts the texts need, fall back across scripts, shape; refuse the rest.

    Only fonts some character needs are added: each one added is parsed and subset into
    the PDF, which costs about a second.
    """
    families = [(family, regular, bold) for family, regular, bold in _BUNDLED]
    cjk = cjk_font()
    if cjk is not None:
        cjk_bold = cjk.with_name(cjk.name.replace("Regular", "Bold"))
        families.append(("cjk", cjk, cjk_bold if cjk_bold.is_file() else cjk))
    chars = {c for text in texts for c in text if unicodedata.category(c)[0] not in "ZC"}
    needed = [families[0]]
    for family in families:
        points = _code_points(family[1])
        if any(ord(c) in points for c in chars) and family not in needed:
            needed.append(family)
        chars = {c for c in chars if ord(c) not in points}
    if chars:
        missing = sorted(chars)
        raise MissingGlyphs(
            "The certificate cannot print "
            + " ".join(missing)
            + f" (U+{ord(missing[0]):04X}): no font on this server has "
            + ("them" if len(missing) > 1 else "it")
            + ". Install Debian's fonts-noto-cjk (for Chinese, Japanese and Korean) or set "
            + f"{CJK_FONT_ENV} to a TrueType/OpenType font that has these characters."
        )
    for name, regular, bold in needed:
        pdf.add_font(name, "", regular)
        pdf.add_font(name, "B", bold)
    pdf.set_fallback_fonts([name for name, _, _ in needed[1:]], exact_match=False)
    pdf.set_text_shaping(True)


@cache
def _code_points(font: Path) -> frozenset[int]:
    with TTFont(font, fontNumber=0, lazy=True) as loaded:
        return frozenset(loaded.getBestCmap())
