"""Reading a PDF certificate back: its printed facts, its links and the credential inside it.

Printed text is not signed, so it only counts when it agrees with a signed credential. The
facts compared are the ones ``vc.pdf`` prints in fixed wording: the learner's name (the
credential's ``identifier`` of type ``name``, optionally followed by ``, <humanCode>``: a salted
hash that the printed name must hash to, see ``vc.names``; older credentials hold it in clear), the
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
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from io import BytesIO
from typing import Any

from credstack.errors import InvalidInput
from credstack.limits import (
    MAX_PDF_BYTES,
    MAX_PDF_PAGES,
    MAX_PDF_TEXT_CHARS,
    MAX_PDF_URLS,
    MAX_URL_CHARS,
)
from credstack.vc.names import hash_name, printed_form
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
from credstack.vc.safejson import InputRefused
from credstack.vc.safejson import loads as bounded_loads

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
    return _WHITESPACE.sub("", text)


_CERTIFIES, _HAS_EARNED, _VERIFY_AT = _words(CERTIFIES), _words(HAS_EARNED), _words(VERIFY_AT)
_DATES = re.compile(
    rf"{re.escape(_words(ISSUED_ON))}(?P<issued>\d{{4}}-\d{{2}}-\d{{2}})"
    rf"(?:{re.escape(_words(VALID_UNTIL))}(?P<until>\d{{4}}-\d{{2}}-\d{{2}}))?"
    rf"{re.escape(_words(CREDENTIAL_ID))}"
)
_SCHEME = re.compile("https?://")


@dataclass(frozen=True)
class _Layout:
    """A certificate's text in our wording, split into the facts it prints."""

    issuer: str
    learner: str
    rest: str
    issued: str
    until: str | None
    id: str


def _layout(flat: str) -> _Layout | None:
    """The whole text of a certificate in our wording (whitespace removed), or None.

    ``issuer certifies that learner has earned achievement Issued on DATE [Valid until DATE]
    Credential ID: ID Verify at: URL-ending-in-ID``. Each fixed phrase is taken at its first
    occurrence (where a name holding the phrase itself shows as a mismatch). One regular
    expression with a lazy group per fact did the same but backtracked through every
    combination of occurrences when the text did not fit: a PDF whose text repeated the
    phrases cost seconds at 10,000 characters. This is one pass, whatever the text.
    """
    issuer, found, after = flat.partition(_CERTIFIES)
    end = after.find(_HAS_EARNED, 1)
    if not found or end < 0:
        return None
    tail = after[end + len(_HAS_EARNED) :]
    dates = _DATES.search(tail, 1)
    if dates is None:
        return None
    link = tail[dates.end() :]
    at = link.find(_VERIFY_AT, 1)
    if at < 0:
        return None
    ident, url = link[:at], link[at + len(_VERIFY_AT) :]
    scheme = _SCHEME.match(url)
    if scheme is None or not url[scheme.end() :].endswith(ident):
        return None
    return _Layout(
        issuer, after[:end], tail[: dates.start()], dates["issued"], dates["until"], ident
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
    learner_name: str | None  # in clear: only credentials issued before names were hashed
    designation: str | None
    achievement_name: str | None
    issued_on: date | None
    valid_until: date | None
    name_hash: str | None = None  # "sha256$<hex>" of the name's printed form and name_salt
    name_salt: str = ""

    @property
    def names_learner(self) -> bool:
        """Whether the credential names the learner at all (in clear or by salted hash)."""
        return self.learner_name is not None or self.name_hash is not None

    def is_name(self, printed: str) -> bool:
        """Whether ``printed`` is the credential's learner name, with or without designation."""
        candidates = {_flat(printed)}
        if self.designation:
            suffix = _flat(f", {self.designation}")
            candidates |= {c[: -len(suffix)] for c in candidates if c.endswith(suffix)}
        if self.learner_name is not None:
            return _flat(self.learner_name) in candidates
        if self.name_hash is not None:
            return any(hash_name(c, self.name_salt) == self.name_hash for c in candidates)
        return False

    def described(self) -> str:
        """The facts in words, for a person comparing them with a printed certificate."""
        parts = [
            f"name {learner_line(self.learner_name, self.designation)!r}"
            if self.learner_name
            else "the name whose salted hash it holds (it does not publish the name)"
            if self.name_hash
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
    """The text, the links and the embedded credential of a PDF; unreadable PDFs are refused.

    Size and page count are checked before any text is extracted (a 1,500-page file took
    53 s), the text's length before it is matched against our layout, and links are gathered
    in one pass with a dict for de-duplication, at most ``MAX_PDF_URLS`` of them, so the
    caller's look-ups are bounded too. Past a bound: ``InputRefused``.
    """
    from pypdf import PdfReader

    if len(data) > MAX_PDF_BYTES:
        raise InputRefused(
            f"The PDF is {len(data)} bytes; a certificate is far smaller and at most "
            f"{MAX_PDF_BYTES} bytes are accepted.",
            too_large=True,
        )
    try:
        reader = PdfReader(BytesIO(data))
        pages = len(reader.pages)
        if pages > MAX_PDF_PAGES:
            raise InputRefused(
                f"The PDF has {pages} pages; a certificate has a few and at most "
                f"{MAX_PDF_PAGES} are accepted.",
                too_large=True,
            )
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
        metadata: Mapping[str, Any] = reader.metadata or {}
        attachments = reader.attachments
        embedded = attachments.get(ATTACHMENT_NAME, [])
    except InputRefused:
        raise
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
    if len(text) > MAX_PDF_TEXT_CHARS:
        raise InputRefused(
            f"The PDF's text is {len(text)} characters long; a certificate prints a few hundred "
            f"and at most {MAX_PDF_TEXT_CHARS} are accepted.",
            too_large=True,
        )
    return CertificateFile(text, _urls(text, metadata), embedded[0] if embedded else None)


def _urls(text: str, metadata: Mapping[str, Any]) -> tuple[str, ...]:
    found: dict[str, None] = {}
    for source in (text, *(str(v) for v in metadata.values())):
        for url in _URL.findall(source.replace("\n", " ")):
            cleaned = url.rstrip(".,;")
            if len(cleaned) <= MAX_URL_CHARS:
                found.setdefault(cleaned, None)
            if len(found) >= MAX_PDF_URLS:
                return tuple(found)
    return tuple(found)


def credential_facts(credential: Mapping[str, Any]) -> PrintedFacts:
    subject = _mapping(credential.get("credentialSubject"))
    achievement = _mapping(subject.get("achievement"))
    identifiers = subject.get("identifier")
    named = [
        item
        for item in (identifiers if isinstance(identifiers, list) else [identifiers])
        if isinstance(item, Mapping)
        and item.get("identityType") == "name"
        and isinstance(item.get("identityHash"), str)
    ]
    names = [str(item["identityHash"]) for item in named if item.get("hashed") is False]
    hashed = [
        item
        for item in named
        if item.get("hashed") is True and str(item["identityHash"]).startswith("sha256$")
    ]
    salt = hashed[0].get("salt") if hashed else None
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
        name_hash=str(hashed[0]["identityHash"]) if hashed else None,
        name_salt=salt if isinstance(salt, str) else "",
    )


def printed_mismatches(text: str, facts: PrintedFacts) -> list[str] | None:
    """Where a certificate in our wording disagrees with the credential; [] when it agrees.

    None when the text is not in our wording at all (someone else's layout).
    """
    flat = _flat(text)
    layout = _layout(flat)
    if layout is None:
        return None
    problems = []
    if facts.issuer_name is None or layout.issuer != _flat(facts.issuer_name):
        problems.append(f"the printed issuer is not {facts.issuer_name or 'in the credential'!r}")
    if not facts.is_name(layout.learner):
        problems.append(
            f"the printed name is not {facts.learner_name!r}"
            if facts.learner_name is not None
            else "the printed name is not the one the credential holds (as a salted hash)"
            if facts.name_hash is not None
            else "the printed name is not in the credential"
        )
    achievement = _flat(facts.achievement_name or "")
    rest = layout.rest
    if not achievement or not (rest == achievement or re.fullmatch(_kind_after(achievement), rest)):
        problems.append(f"the printed achievement is not {facts.achievement_name!r}")
    for label, printed, day in (
        (ISSUED_ON, layout.issued, facts.issued_on),
        (VALID_UNTIL, layout.until, facts.valid_until),
    ):
        wanted = day.isoformat() if day is not None else None
        if printed != wanted:
            problems.append(
                f"it prints {label} {printed or 'nothing'} where the credential says "
                f"{wanted or 'nothing'}"
            )
    if not _flat(facts.credential_id or "").endswith(layout.id):
        problems.append(f"the printed credential ID is not that of {facts.credential_id}")
    return problems


def shown_in(text: str, phrase: str) -> bool:
    """Whether ``phrase`` appears in extracted PDF text, whitespace and NFC aside."""
    return _flat(phrase) in _flat(text)


def parse_credential(data: bytes) -> Mapping[str, Any]:
    try:
        document = bounded_loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput(f"the PDF's {ATTACHMENT_NAME} is not JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise InvalidInput(f"the PDF's {ATTACHMENT_NAME} is not a credential (a JSON object)")
    return document


def _kind_after(achievement: str) -> str:
    return re.escape(achievement) + r"\([^()]{1,80}\)"


def _flat(text: str) -> str:
    return printed_form(text)


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
