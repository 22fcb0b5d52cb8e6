"""A person's name as a credential carries it: a salted hash of the name as a PDF prints it.

A credential must not publish the learner's name (it is shared, and the server keeps a copy),
yet a printed certificate shows the name and must be checkable against the signature. So the
credential carries an OB 3.0 ``IdentityObject`` of type ``name`` holding
``sha256$hex(sha256(printed_form(name) + salt))``, and a verifier hashes the name it reads
from the PDF the same way. ``printed_form`` is the comparison PDF text needs anyway: Unicode
NFC, whitespace and control characters dropped, since text extraction splits and joins words
by glyph position and may map shaped glyphs to control codes.

A salted hash of a name is only as secret as the name is hard to guess: it keeps the name
out of plain sight (a database dump, a shared credential), not away from someone testing
candidate names against it.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

__all__ = ["hash_name", "printed_form"]

_WHITESPACE = re.compile(r"\s+")


def printed_form(text: str) -> str:
    """``text`` as printed-text comparison sees it: NFC, no whitespace, no control codes."""
    normal = unicodedata.normalize("NFC", _WHITESPACE.sub("", text))
    return "".join(c for c in normal if unicodedata.category(c) != "Cc")


def hash_name(name: str, salt: str) -> str:
    """The ``identityHash`` of a name: salted SHA-256 of its printed form."""
    digest = hashlib.sha256((printed_form(name) + salt).encode("utf-8")).hexdigest()
    return f"sha256${digest}"
