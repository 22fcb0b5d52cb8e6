"""Issue 10 on PDF certificates: reading one and matching its text cost at most linear time.

Before: the layout was one regular expression with a lazy group per printed fact; text that
repeated the fixed phrases made it backtrack through every combination of their occurrences
(2.6 s at 10,000 characters, growing with the cube of the length), and a PDF may carry
100,000 characters of text. The embedded credential.json was parsed without the JSON bounds.
"""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.liveness import returns

from credstack.limits import MAX_JSON_DEPTH, MAX_PDF_PAGES, MAX_PDF_TEXT_CHARS
from credstack.vc.pdf import CERTIFIES, CREDENTIAL_ID, HAS_EARNED, ISSUED_ON, VALID_UNTIL, VERIFY_AT
from credstack.vc.pdf_certificate import (
    PrintedFacts,
    _layout,
    parse_credential,
    printed_mismatches,
    read_certificate,
)
from credstack.vc.safejson import InputRefused


def _words(text: str) -> str:
    return re.escape(re.sub(r"\s+", "", text))


# The single regular expression the layout used to be: the reference for what fits it.
_BACKTRACKING = re.compile(
    f"(?P<issuer>.*?){_words(CERTIFIES)}(?P<learner>.+?){_words(HAS_EARNED)}(?P<rest>.+?)"
    rf"{_words(ISSUED_ON)}(?P<issued>\d{{4}}-\d{{2}}-\d{{2}})"
    rf"(?:{_words(VALID_UNTIL)}(?P<until>\d{{4}}-\d{{2}}-\d{{2}}))?"
    rf"{_words(CREDENTIAL_ID)}(?P<id>\S+?){_words(VERIFY_AT)}https?://\S*?(?P=id)",
    re.DOTALL,
)
FACTS = PrintedFacts("urn:x:1", "Acme", "Ana", None, "Welding", None, None)
PIECE = st.text(alphabet="abcAB01-:/.é", min_size=0, max_size=12)
DATE = st.dates().map(lambda d: f"{d.year:04d}-{d.month:02d}-{d.day:02d}")


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    issuer=PIECE,
    learner=PIECE,
    rest=PIECE,
    issued=DATE,
    until=st.none() | DATE,
    ident=PIECE,
    host=PIECE,
    scheme=st.sampled_from(["https://", "http://", "ftp://", ""]),
    dropped=st.sampled_from([None, CERTIFIES, HAS_EARNED, ISSUED_ON, CREDENTIAL_ID, VERIFY_AT]),
)
def test_the_one_pass_layout_reads_what_the_regular_expression_read(
    issuer: str,
    learner: str,
    rest: str,
    issued: str,
    until: str | None,
    ident: str,
    host: str,
    scheme: str,
    dropped: str | None,
) -> None:
    valid = f"{VALID_UNTIL}{until}" if until else ""
    phrases = {p: ("" if p == dropped else p) for p in (CERTIFIES, HAS_EARNED, VERIFY_AT)}
    phrases |= {p: ("" if p == dropped else p) for p in (ISSUED_ON, CREDENTIAL_ID)}
    text = (
        f"{issuer}{phrases[CERTIFIES]}{learner}{phrases[HAS_EARNED]}{rest}"
        f"{phrases[ISSUED_ON]}{issued}{valid}{phrases[CREDENTIAL_ID]}{ident}"
        f"{phrases[VERIFY_AT]}{scheme}{host}{ident}"
    )
    flat = re.sub(r"\s+", "", text)
    reference = _BACKTRACKING.fullmatch(flat)
    found = _layout(flat)
    if reference is None:
        assert found is None
        return
    assert found is not None
    assert (found.issuer, found.learner, found.rest) == (
        reference["issuer"],
        reference["learner"],
        reference["rest"],
    )
    assert (found.issued, found.until, found.id) == (
        reference["issued"],
        reference["until"],
        reference["id"],
    )


@pytest.mark.parametrize(
    "unit",
    [
        f"{CERTIFIES} x {HAS_EARNED} y ",
        f"{CERTIFIES}{HAS_EARNED}",
        f"{CERTIFIES} x {HAS_EARNED} y {ISSUED_ON} 2020-01-01 {CREDENTIAL_ID} a {VERIFY_AT} ",
    ],
)
def test_text_repeating_the_fixed_phrases_is_matched_without_backtracking(unit: str) -> None:
    text = unit * (MAX_PDF_TEXT_CHARS // len(unit))
    # Cubic before: 2.6 s at 10,000 characters, hours at this length; linear, it returns.
    assert returns(lambda: printed_mismatches(text, FACTS)) is None


def test_a_pdf_with_more_text_than_a_certificate_prints_is_refused_as_too_large() -> None:
    pages = MAX_PDF_PAGES  # within the page bound, each page full of small print
    line = "Verify at: https://example.org/x " + "word " * (MAX_PDF_TEXT_CHARS // pages // 4)
    with pytest.raises(InputRefused, match="characters long") as refused:
        read_certificate(_text_pdf(pages, line))
    assert refused.value.too_large
    assert read_certificate(_text_pdf(2, line)).urls == ("https://example.org/x",)


def _text_pdf(pages: int, text: str) -> bytes:
    from fpdf import FPDF

    document = FPDF()
    document.set_font("helvetica", size=4)
    for _ in range(pages):
        document.add_page()
        document.multi_cell(0, 2, text)
    return bytes(document.output())


def test_the_embedded_credential_is_parsed_within_the_json_bounds() -> None:
    deep = ("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1)).encode()
    with pytest.raises(InputRefused, match="nested more than"):
        parse_credential(deep)
    assert parse_credential(json.dumps({"id": "urn:x"}).encode()) == {"id": "urn:x"}
