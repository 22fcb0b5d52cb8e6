"""Baked PNG and SVG badges: the validator's images, round trips, and hostile files."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image
from vcdoc_helpers import OB30

from credstack.vc.baking import (
    OB2_PNG_KEYWORD,
    BakingError,
    bake_png,
    bake_svg,
    extract_png,
    extract_svg,
)

PLAIN_SVG = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
    '<circle cx="5" cy="5" r="4"/></svg>'
)
CREDENTIAL = json.dumps({"id": "urn:uuid:1", "type": ["VerifiableCredential"]})
JWS = "eyJhbGciOiJFZERTQSJ9.eyJ2YyI6e319.c2lnbmF0dXJl"


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (8, 8), (200, 30, 30, 255)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "is_jws"),
    [
        ("simple-json.png", False),
        ("simple-jwt.png", True),
        ("simple-json.svg", False),
        ("simple-jwt.svg", True),
    ],
)
def test_validator_images_yield_their_credential(name: str, is_jws: bool) -> None:
    data = (OB30 / name).read_bytes()
    baked = extract_png(data) if name.endswith(".png") else extract_svg(data)
    assert baked.version == "ob3"
    assert baked.is_jws is is_jws
    if not is_jws:
        assert json.loads(baked.payload)["id"] == "http://example.com/credentials/3527"


@pytest.mark.parametrize("payload", [CREDENTIAL, JWS])
def test_png_round_trip_keeps_the_artwork(payload: str) -> None:
    original = _png()
    baked = bake_png(original, payload)
    assert extract_png(baked).payload == payload
    with Image.open(io.BytesIO(baked)) as image:
        image.load()
        assert image.getpixel((3, 3)) == (200, 30, 30, 255)
        assert image.text["openbadgecredential"] == payload  # Pillow reads our iTXt chunk


def test_rebaking_replaces_the_credential() -> None:
    baked = bake_png(bake_png(_png(), CREDENTIAL), JWS)
    assert extract_png(baked).payload == JWS
    assert baked.count(b"openbadgecredential") == 1


def test_ob2_baked_png_is_recognised() -> None:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_itxt(OB2_PNG_KEYWORD, "https://example.org/assertions/1")
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, format="PNG", pnginfo=info)
    baked = extract_png(buffer.getvalue())
    assert (baked.version, baked.payload) == ("ob2", "https://example.org/assertions/1")


def test_truncated_png_is_refused() -> None:
    baked = bake_png(_png(), CREDENTIAL)
    with pytest.raises(BakingError, match="truncated"):
        extract_png(baked[: len(baked) - 20])


def test_altered_png_fails_its_checksum() -> None:
    baked = bytearray(bake_png(_png(), CREDENTIAL))
    position = baked.index(b'"urn:uuid:1"') + 2
    baked[position] ^= 0x01
    with pytest.raises(BakingError, match="bad checksum"):
        extract_png(bytes(baked))


def test_png_without_credential_and_non_png_are_refused() -> None:
    with pytest.raises(BakingError, match="no Open Badges credential"):
        extract_png(_png())
    with pytest.raises(BakingError, match="not a PNG"):
        extract_png(b"GIF89a")


@pytest.mark.parametrize("payload", [CREDENTIAL, JWS])
def test_svg_round_trip(payload: str) -> None:
    baked = bake_svg(PLAIN_SVG, payload)
    assert 'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"' in baked
    assert extract_svg(baked).payload == payload
    if payload == JWS:
        assert f'verify="{JWS}"' in baked
    else:
        assert "<![CDATA[" in baked


def test_svg_with_script_is_refused() -> None:
    hostile = bake_svg(PLAIN_SVG, CREDENTIAL).replace(
        "<circle", '<script type="text/javascript">alert(1)</script><circle'
    )
    with pytest.raises(BakingError, match="script"):
        extract_svg(hostile)
    with pytest.raises(BakingError, match="script"):
        extract_svg(PLAIN_SVG.replace("<circle", '<circle onload="alert(1)"'))


def test_svg_with_entities_is_refused() -> None:
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        '<svg xmlns="http://www.w3.org/2000/svg">&b;</svg>'
    )
    with pytest.raises(BakingError, match="entities"):
        extract_svg(bomb)
    external = (
        '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<svg xmlns="http://www.w3.org/2000/svg">&x;</svg>'
    )
    with pytest.raises(BakingError, match="entities"):
        extract_svg(external)


def test_malformed_svg_and_ob2_svg() -> None:
    with pytest.raises(BakingError, match="well-formed"):
        extract_svg("<svg><g></svg>")
    ob2 = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">'
        '<openbadges:assertion verify="https://example.org/assertions/1"/></svg>'
    )
    baked = extract_svg(ob2)
    assert (baked.version, baked.payload) == ("ob2", "https://example.org/assertions/1")
