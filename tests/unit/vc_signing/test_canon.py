from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pyld import jsonld

from credstack.vc.canon import canonicalize, serialize_quad
from credstack.vc.jsonld import pyld_document_loader

from .support import VECTORS, load_json

EXAMPLES = ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"]


def test_unsigned_vector_canonicalises_byte_for_byte() -> None:
    expected = (VECTORS / "eddsa-rdfc-2022" / "canonDocDataInt.txt").read_text("utf-8")
    assert canonicalize(load_json(VECTORS / "unsigned.json")) == expected


def test_proof_configuration_vector_canonicalises_byte_for_byte() -> None:
    expected = (VECTORS / "eddsa-rdfc-2022" / "proofCanonDataInt.txt").read_text("utf-8")
    config = load_json(VECTORS / "eddsa-rdfc-2022" / "proofConfigDataInt.json")
    assert canonicalize(config) == expected


def _literal(value: str) -> dict[str, Any]:
    return {
        "subject": {"type": "IRI", "value": "urn:s"},
        "predicate": {"type": "IRI", "value": "urn:p"},
        "object": {
            "type": "literal",
            "value": value,
            "datatype": "http://www.w3.org/2001/XMLSchema#string",
        },
    }


def test_literals_use_the_rdfc_escapes() -> None:
    text = serialize_quad(_literal('a"b\\c\nd\re\tf\bg\fh\x01i\x7fj é'))
    assert text == '<urn:s> <urn:p> "a\\"b\\\\c\\nd\\re\\tf\\bg\\fh\\u0001i\\u007Fj é" .\n'


def test_iris_escape_forbidden_characters() -> None:
    quad = _literal("x")
    quad["object"] = {"type": "IRI", "value": "urn:a b>"}
    assert serialize_quad(quad) == "<urn:s> <urn:p> <urn:a\\u0020b\\u003E> .\n"


def test_blank_node_labels_do_not_depend_on_input_order() -> None:
    a = {"@context": EXAMPLES, "id": "urn:x", "knows": [{"name": "A"}, {"name": "B"}]}
    b = {"@context": EXAMPLES, "id": "urn:x", "knows": [{"name": "B"}, {"name": "A"}]}
    assert canonicalize(a) == canonicalize(b)
    assert "_:c14n0" in canonicalize(a)


names = st.text(
    alphabet=st.characters(min_codepoint=32, max_codepoint=0x2FF, exclude_characters="\x7f"),
    max_size=12,
)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.fixed_dictionaries({"name": names, "note": names}), max_size=4))
def test_printable_documents_match_pyld_urdna2015(nodes: list[dict[str, str]]) -> None:
    # For text pyld already escapes correctly, our writer must agree with pyld exactly.
    document = {"@context": EXAMPLES, "id": "urn:x", "item": nodes}
    expected = jsonld.normalize(
        document,
        {
            "algorithm": "URDNA2015",
            "format": "application/n-quads",
            "documentLoader": pyld_document_loader,
            "base": None,
        },
    )
    assert canonicalize(document) == expected


def test_utf16_order_differs_only_for_astral_versus_high_bmp_characters() -> None:
    from credstack.vc.canon import Order

    plain = {"@context": EXAMPLES, "id": "urn:x", "tag": ["b", "a", "é"]}
    assert canonicalize(plain) == canonicalize(plain, Order.UTF16)
    awkward = {"@context": EXAMPLES, "id": "urn:x", "tag": ["\ue000", "😀"]}
    code_point = canonicalize(awkward).splitlines()
    utf16 = canonicalize(awkward, Order.UTF16).splitlines()
    assert code_point == list(reversed(utf16))
    assert "\ue000" in code_point[0]
