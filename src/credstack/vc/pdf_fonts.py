"""Fonts for the PDF certificate, so a learner's name prints in whatever script it is written.

The PDF core fonts know only Latin-1, which turned ``Łukasiewicz`` into ``?ukasiewicz``. The
package ships DejaVu Sans (Latin, Greek, Cyrillic, Arabic, Hebrew) and Noto Sans Devanagari;
text is shaped with HarfBuzz (``uharfbuzz``) so Arabic joins and Devanagari conjuncts form,
and the PDF keeps the logical text for copying and extraction. Chinese, Japanese and Korean
need Noto Sans CJK, too large to ship (tens of megabytes): it is taken from the system
(Debian's ``fonts-noto-cjk``) or from the file the caller names (the ``cjk_font`` setting,
``$CREDSTACK_CJK_FONT``). A name with characters no
available font has is refused with a message saying what to install, rather than printed
as boxes or question marks.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
from fpdf import FPDF

from credstack.errors import CredstackError

__all__ = ["FONT_FAMILY", "MissingGlyphs", "cjk_font", "use_fonts"]

# The setting that names a CJK font (read by ``credstack.config``), for messages to operators.
_CJK_SETTING = "CREDSTACK_CJK_FONT"
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


def cjk_font(configured: Path | None = None) -> Path | None:
    """The ``configured`` font when given (it must exist), else the first system Noto CJK.

    The caller passes the setting in: ``vc`` reads no environment, so a test names its font.
    """
    if configured is not None:
        if not configured.is_file():
            raise MissingGlyphs(f"{_CJK_SETTING}={configured} is not a font file.")
        return configured
    return next((p for p in _CJK_CANDIDATES if p.is_file()), None)


def use_fonts(pdf: FPDF, texts: Iterable[str], *, cjk: Path | None = None) -> None:
    """Register the fonts the texts need, fall back across scripts, shape; refuse the rest.

    Only fonts some character needs are added: each one added is parsed and subset into
    the PDF, which costs about a second.
    """
    families = [(family, regular, bold) for family, regular, bold in _BUNDLED]
    font = cjk_font(cjk)
    if font is not None:
        bold = font.with_name(font.name.replace("Regular", "Bold"))
        families.append(("cjk", font, bold if bold.is_file() else font))
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
            + f"{_CJK_SETTING} to a TrueType/OpenType font that has these characters."
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
