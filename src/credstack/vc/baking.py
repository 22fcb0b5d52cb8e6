"""Baking credentials into badge images and getting them back out (OB 3.0 and OB 2.0).

PNG work is done on the chunk format directly rather than through Pillow, so baking never
re-encodes the artwork and extraction checks every chunk's CRC: a truncated or altered file
is refused with a reason instead of yielding a partial credential. SVG is parsed with
defusedxml, so DTD entities and external references are refused, and an SVG carrying
script is refused outright because a verifier page may display it.
"""

from __future__ import annotations

import re
import struct
import zlib
from dataclasses import dataclass
from typing import Literal
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

__all__ = [
    "OB2_PNG_KEYWORD",
    "OB2_SVG_NAMESPACE",
    "OB3_PNG_KEYWORD",
    "OB3_SVG_NAMESPACE",
    "BakedCredential",
    "BakingError",
    "bake_png",
    "bake_svg",
    "extract_png",
    "extract_svg",
]

OB3_PNG_KEYWORD = "openbadgecredential"
OB2_PNG_KEYWORD = "openbadges"
OB3_SVG_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
OB2_SVG_NAMESPACE = "http://openbadges.org"

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_MAX_TEXT_BYTES = 8 * 1024 * 1024
_JWS = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")


class BakingError(ValueError):
    """The image is damaged, unsafe, or carries no credential; the message says which."""


@dataclass(frozen=True)
class BakedCredential:
    """What an image carried: an OB 3.0 credential or an OB 2.0 assertion, as JSON or a JWS."""

    version: Literal["ob3", "ob2"]
    payload: str

    @property
    def is_jws(self) -> bool:
        return _JWS.match(self.payload) is not None


def _chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    if not png.startswith(_PNG_SIGNATURE):
        raise BakingError("The file is not a PNG image.")
    chunks: list[tuple[bytes, bytes]] = []
    offset = len(_PNG_SIGNATURE)
    while offset < len(png):
        if offset + 8 > len(png):
            raise BakingError("The PNG image is truncated.")
        (length,) = struct.unpack(">I", png[offset : offset + 4])
        kind = png[offset + 4 : offset + 8]
        end = offset + 12 + length
        if end > len(png):
            raise BakingError("The PNG image is truncated.")
        data = png[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", png[end - 4 : end])
        if zlib.crc32(kind + data) != crc:
            raise BakingError(f"The PNG image is damaged (bad checksum in a {kind!r} chunk).")
        chunks.append((kind, data))
        offset = end
        if kind == b"IEND":
            break
    if not chunks or chunks[0][0] != b"IHDR" or chunks[-1][0] != b"IEND":
        raise BakingError("The PNG image is truncated or malformed.")
    return chunks


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _itxt(keyword: str, text: str) -> bytes:
    # keyword, NUL, compression flag 0, method 0, empty language tag, empty translated keyword
    return keyword.encode("latin-1") + b"\x00\x00\x00\x00\x00" + text.encode("utf-8")


def _read_itxt(data: bytes) -> tuple[str, str] | None:
    keyword, sep, rest = data.partition(b"\x00")
    if not sep or len(rest) < 2:
        return None
    compressed, method, rest = rest[0], rest[1], rest[2:]
    _language, sep1, rest = rest.partition(b"\x00")
    _translated, sep2, text = rest.partition(b"\x00")
    if not (sep1 and sep2):
        return None
    if compressed:
        if method != 0:
            raise BakingError("The credential in the PNG uses an unknown compression.")
        decompressor = zlib.decompressobj()
        try:
            text = decompressor.decompress(text, _MAX_TEXT_BYTES)
        except zlib.error as exc:
            raise BakingError("The credential in the PNG is corrupt.") from exc
        if decompressor.unconsumed_tail:
            raise BakingError("The credential in the PNG is too large.")
    try:
        return keyword.decode("latin-1"), text.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BakingError("The credential in the PNG is not UTF-8 text.") from exc


def bake_png(png: bytes, payload: str) -> bytes:
    """Return the PNG with ``payload`` (credential JSON or compact JWS) baked in.

    Any credential baked earlier is replaced: an image carries one credential.
    """
    out = [_PNG_SIGNATURE]
    for kind, data in _chunks(png):
        if kind == b"iTXt":
            entry = _read_itxt(data)
            if entry is not None and entry[0] in (OB3_PNG_KEYWORD, OB2_PNG_KEYWORD):
                continue
        if kind == b"IEND":
            out.append(_chunk(b"iTXt", _itxt(OB3_PNG_KEYWORD, payload)))
        out.append(_chunk(kind, data))
    return b"".join(out)


def extract_png(png: bytes) -> BakedCredential:
    for kind, data in _chunks(png):
        if kind != b"iTXt":
            continue
        entry = _read_itxt(data)
        if entry is None:
            continue
        keyword, text = entry
        if keyword == OB3_PNG_KEYWORD:
            return BakedCredential("ob3", text.strip())
        if keyword == OB2_PNG_KEYWORD:
            return BakedCredential("ob2", text.strip())
    raise BakingError("The PNG image carries no Open Badges credential.")


def bake_svg(svg: str, payload: str) -> str:
    """Return the SVG with the credential as an ``openbadges:credential`` element.

    A compact JWS goes in the ``verify`` attribute, JSON in a CDATA section.
    """
    root = _parse_svg(svg)
    if _find_credential(root) is not None:
        raise BakingError("The SVG image already carries a credential.")
    if _JWS.match(payload):
        element = f'<openbadges:credential verify="{payload}"></openbadges:credential>'
    else:
        if "]]>" in payload:
            raise BakingError("The credential cannot be placed in a CDATA section.")
        element = f"<openbadges:credential><![CDATA[{payload}]]></openbadges:credential>"
    match = re.search(r"<svg\b[^>]*>", svg)
    if match is None:
        raise BakingError("The file is not an SVG image.")
    tag = match.group(0)
    if f'xmlns:openbadges="{OB3_SVG_NAMESPACE}"' not in tag:
        closing = "/>" if tag.endswith("/>") else ">"
        tag = f'{tag[: -len(closing)]} xmlns:openbadges="{OB3_SVG_NAMESPACE}"{closing}'
    return svg[: match.start()] + tag + element + svg[match.end() :]


def extract_svg(svg: str | bytes) -> BakedCredential:
    root = _parse_svg(svg)
    found = _find_credential(root)
    if found is None:
        raise BakingError("The SVG image carries no Open Badges credential.")
    version, element = found
    verify = element.get("verify")
    payload = verify if verify else (element.text or "")
    if not payload.strip():
        raise BakingError("The SVG image's credential element is empty.")
    return BakedCredential(version, payload.strip())


def _parse_svg(svg: str | bytes) -> Element:
    try:
        root = fromstring(svg)
    except DefusedXmlException as exc:
        raise BakingError(
            "The SVG image declares entities or external references, which are refused."
        ) from exc
    except ParseError as exc:
        raise BakingError(f"The SVG image is not well-formed XML ({exc}).") from exc
    if _local(root.tag) != "svg":
        raise BakingError("The file is not an SVG image.")
    for element in root.iter():
        if _local(element.tag) in ("script", "foreignObject") or any(
            name.lower().startswith("on") for name in element.attrib
        ):
            raise BakingError("The SVG image contains script, which is refused.")
    return root


def _find_credential(root: Element) -> tuple[Literal["ob3", "ob2"], Element] | None:
    for element in root.iter():
        if element.tag == f"{{{OB3_SVG_NAMESPACE}}}credential":
            return "ob3", element
        if element.tag == f"{{{OB2_SVG_NAMESPACE}}}assertion":
            return "ob2", element
    return None


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
