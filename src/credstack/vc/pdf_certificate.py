"""Reading a PDF certificate back: its printed facts, its links and the credential inside it.

Printed text is not signed, so it only counts when it agrees with a signed credential. The
facts compared are the ones ``vc.pdf`` prints in fixed wording: the learner's name (the
credential's ``identifier`` of type ``name``, optionally followed by ``, <humanCode>``), the
achievement's name, ``Issued on`` (the UTC date of ``validFrom``) and ``Valid until`` (the
last valid day: the day before ``validUntil`` when that is midnight UTC, else its UTC date),
then the credential's id (whose end is the printed ``Credential ID``) and the verification
link, which ends with that ID; nothing else may be printed, on any page.
Before comparing, text is put in Unicode NFC and whitespace and control characters are
dropped, since PDF text extraction splits and joins words (and CJK glyphs) by position, not
by the original spaces, and may map glyphs made by shaping (Devanagari) to control codes.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from io import BytesIO
from typing import Any

from credstack.errors import InvalidInput
from credstack.vc.pdf import (
    ATTACHMENT_NAME,
    CERTIFIES,
    CREDENTIAL_ID,
    HAS_EARNED,
    ISSUED_ON,
    VALID_UNTIL,
    VERIFY_AT,
    issued_line,
    learner_line,
    valid_until_line,
)

__all__ = [
    "MAX_ATTACHMENT_BYTES",
    "CertificateFile",
    "PrintedFacts",
    "credential_facts",
    "parse_credential",
    "printed_mismatches",
    "read_certificate",
    "shown_in",
]

MAX_ATTACHMENT_BYTES = 2_000_000  # a credential with a long CLR is tens of kilobytes
_URL = re.compile(r"https?://[^\s<>\"')]+")
_WHITESPACE = re.compile(r"\s+")


def _words(text: str) -> str:
    return re.escape(_WHITESPACE.sub("", text))


# The whole text of a certificate in our wording, whitespace removed (see the module doc).
_LAYOUT = re.compile(
    f"(?P<issuer>.*?){_words(CERTIFIES)}(?P<learner>.+?){_words(HAS_EARNED)}(?P<rest>.+?)"
    rf"{_words(ISSUED_ON)}(?P<issued>\d{{4}}-\d{{2}}-\d{{2}})"
    rf"(?:{_words(VALID_UNTIL)}(?P<until>\d{{4}}-\d{{2}}-\d{{2}}))?"
    rf"{_words(CREDENTIAL_ID)}(?P<id>\S+?){_words(VERIFY_AT)}https?://\S*?(?P=id)",
    re.DOTALL,
)


@dataclass(frozen=True)
class CertificateFile:
    text: str
    urls: tuple[str, ...]
    credential: bytes | None  # the embedded credential.json, when there is one


@dataclass(frozen=True)
class PrintedFacts:
    """What a certificate of this credential prints, taken from the signed credential."""

    credential_id: str | None
    issuer_name: str | None
    learner_name: str | None
    designation: str | None
    achievement_name: str | None
    issued_on: date | None
    valid_until: date | None

    def described(self) -> str:
        """The facts in words, for a person comparing them with a printed certificate."""
        parts = [
            f"name {learner_line(self.learner_name, self.designation)!r}"
            if self.learner_name
            else "no name (the credential names the learner only by a hashed identifier)",
            f"achievement {self.achievement_name!r}",
            f"issuer {self.issuer_name!r}",
        ]
        if self.issued_on is not None:
            parts.append(issued_line(self.issued_on).lower())
        if self.valid_until is not None:
            parts.append(valid_until_line(self.valid_until).lower())
        return "; ".join(parts)


def read_certificate(data: bytes) -> CertificateFile:
    """The text, the links and the embedded credential of a PDF; unreadable PDFs are refused."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(BytesIO(data))
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
        metadata: Mapping[str, Any] = reader.metadata or {}
        attachments = reader.attachments
        embedded = attachments.get(ATTACHMENT_NAME, [])
    except Exception as exc:
        # Besides PdfReadError, pypdf raises ValueError, KeyError, AttributeError, ... on
        # malformed object graphs (an /EmbeddedFile that is a dictionary, not a stream, say).
        # Every one means the same to the person who uploaded it: not a readable PDF.
        raise InvalidInput(f"the PDF cannot be read: {exc}") from exc
    if len(embedded) > 1 or any(len(item) > MAX_ATTACHMENT_BYTES for item in embedded):
        raise InvalidInput(
            f"the PDF's {ATTACHMENT_NAME} attachment is not one credential of at most "
            f"{MAX_ATTACHMENT_BYTES:,} bytes"
        )
    found: list[str] = []
    for source in (text, *(str(v) for v in metadata.values())):
        for url in _URL.findall(source.replace("\n", " ")):
            cleaned = url.rstrip(".,;")
            if cleaned not in found:
                found.append(cleaned)
    return CertificateFile(text, tuple(found), embedded[0] if embedded else None)


def credential_facts(credential: Mapping[str, Any]) -> PrintedFacts:
    subject = _mapping(credential.get("credentialSubject"))
    achievement = _mapping(subject.get("achievement"))
    identifiers = subject.get("identifier")
    names = [
        str(item["identityHash"])
        for item in (identifiers if isinstance(identifiers, list) else [identifiers])
        if isinstance(item, Mapping)
        and item.get("identityType") == "name"
        and item.get("hashed") is False
        and isinstance(item.get("identityHash"), str)
    ]
    achievement_name = achievement.get("name")
    designation = achievement.get("humanCode")
    until = _instant(credential.get("validUntil"))
    last_day = None
    if until is not None:
        last_day = until.date() - timedelta(days=1) if until.time() == time(0) else until.date()
    issued = _instant(credential.get("validFrom"))
    issuer = credential.get("issuer")
    issuer_name = issuer.get("name") if isinstance(issuer, Mapping) else None
    credential_id = credential.get("id")
    return PrintedFacts(
        credential_id=credential_id if isinstance(credential_id, str) else None,
        issuer_name=issuer_name if isinstance(issuer_name, str) else None,
        learner_name=names[0] if names else None,
        designation=designation if isinstance(designation, str) else None,
        achievement_name=achievement_name if isinstance(achievement_name, str) else None,
        issued_on=issued.date() if issued is not None else None,
        valid_until=last_day,
    )


def printed_mismatches(text: str, facts: PrintedFacts) -> list[str] | None:
    """Where a certificate in our wording disagrees with the credential; [] when it agrees.

    None when the text is not in our wording at all (someone else's layout).
    """
    flat = _flat(text)
    layout = _LAYOUT.fullmatch(flat)
    if layout is None:
        return None
    problems = []
    if facts.issuer_name is None or layout["issuer"] != _flat(facts.issuer_name):
        problems.append(f"the printed issuer is not {facts.issuer_name or 'in the credential'!r}")
    names = {_flat(learner_line(facts.learner_name or "", facts.designation))}
    names.add(_flat(facts.learner_name or ""))
    if facts.learner_name is None or layout["learner"] not in names:
        problems.append(f"the printed name is not {facts.learner_name or 'in the credential'!r}")
    achievement = _flat(facts.achievement_name or "")
    rest = layout["rest"]
    if not achievement or not (rest == achievement or re.fullmatch(_kind_after(achievement), rest)):
        problems.append(f"the printed achievement is not {facts.achievement_name!r}")
    for label, printed, day in (
        (ISSUED_ON, layout["issued"], facts.issued_on),
        (VALID_UNTIL, layout["until"], facts.valid_until),
    ):
        wanted = day.isoformat() if day is not None else None
        if printed != wanted:
            problems.append(
                f"it prints {label} {printed or 'nothing'} where the credential says "
                f"{wanted or 'nothing'}"
            )
    if not _flat(facts.credential_id or "").endswith(layout["id"]):
        problems.append(f"the printed credential ID is not that of {facts.credential_id}")
    return problems


def shown_in(text: str, phrase: str) -> bool:
    """Whether ``phrase`` appears in extracted PDF text, whitespace and NFC aside."""
    return _flat(phrase) in _flat(text)


def parse_credential(data: bytes) -> Mapping[str, Any]:
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput(f"the PDF's {ATTACHMENT_NAME} is not JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise InvalidInput(f"the PDF's {ATTACHMENT_NAME} is not a credential (a JSON object)")
    return document


def _kind_after(achievement: str) -> str:
    return re.escape(achievement) + r"\([^()]{1,80}\)"


def _flat(text: str) -> str:
    normal = unicodedata.normalize("NFC", _WHITESPACE.sub("", text))
    return "".join(c for c in normal if unicodedata.category(c) != "Cc")


def _instant(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo is not None else moment


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}
