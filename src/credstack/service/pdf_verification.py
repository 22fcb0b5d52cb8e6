"""Verifying a PDF certificate: the signed credential inside it, or the one it links to.

A certificate we make embeds its signed credential; that credential is verified in full (the
same checks as a credential file), then the printed name, achievement and dates must agree
with it. A PDF without one (older certificates, or anyone's PDF) can only point at a
credential: it is verified as "this links to credential X", with the facts to compare
against the printed text, unless its text visibly contradicts the credential.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import Any, Protocol

from credstack.errors import InvalidInput
from credstack.store.models import AwardRow
from credstack.vc.checks import Check
from credstack.vc.pdf_certificate import (
    PrintedFacts,
    credential_facts,
    parse_credential,
    printed_mismatches,
    read_certificate,
    shown_in,
)
from credstack.vc.result import VerificationResult
from credstack.vc.safejson import InputRefused

__all__ = ["PRINTED_CHECK", "verify_pdf"]

PRINTED_CHECK = "printed text"


class _Verifier(Protocol):
    def verify_bytes(self, data: bytes) -> VerificationResult: ...

    def verify_award(self, award: AwardRow) -> VerificationResult: ...

    def award_for_url(self, url: str) -> AwardRow | None: ...


def verify_pdf(verifier: _Verifier, data: bytes) -> VerificationResult | None:
    """The PDF's verification; None when it neither carries nor links to a credential here."""
    certificate = read_certificate(data)
    if certificate.credential is not None:
        document = parse_credential(certificate.credential)
        try:
            result = verifier.verify_bytes(json.dumps(document).encode("utf-8"))
        except InputRefused as exc:
            # Past a bound (a mangled @context, say): about the file, like an unreadable PDF.
            raise InvalidInput(
                f"the PDF's credential.json attachment is refused: {exc.message}"
            ) from exc
        return _with_printed(result, _embedded_check(certificate.text, document))
    for url in certificate.urls:
        award = verifier.award_for_url(url)
        if award is not None and award.credential is not None:
            result = verifier.verify_award(award)
            check, caveat = _linked_check(certificate.text, award.credential)
            return dataclasses.replace(_with_printed(result, check), caveat=caveat)
    return None


def _with_printed(result: VerificationResult, check: Check) -> VerificationResult:
    return dataclasses.replace(result, checks=(*result.checks, check), source_format="pdf")


def _embedded_check(text: str, credential: Mapping[str, Any]) -> Check:
    facts = credential_facts(credential)
    problems = printed_mismatches(text, facts)
    if problems is None:
        problems = ["its text is not in the wording of credstack's certificates"]
    if problems:
        return Check(
            PRINTED_CHECK,
            False,
            "The printed certificate does not match the signed credential inside it: "
            + "; ".join(problems)
            + f". The credential says: {facts.described()}.",
        )
    return Check(
        PRINTED_CHECK,
        True,
        "The printed name, achievement and dates match the signed credential inside the PDF.",
    )


def _linked_check(text: str, credential: Mapping[str, Any]) -> tuple[Check, str]:
    facts = credential_facts(credential)
    credential_id = credential.get("id", "?")
    caveat = (
        f"this PDF links to credential {credential_id} — the printed text is not signed; "
        f"compare it with: {facts.described()}."
    )
    contradictions = _contradictions(text, facts)
    if contradictions:
        return (
            Check(
                PRINTED_CHECK,
                False,
                f"The PDF links to credential {credential_id}, but its printed text does not "
                f"match it: {'; '.join(contradictions)}. The credential says: "
                f"{facts.described()}.",
            ),
            caveat,
        )
    return Check(PRINTED_CHECK, True, caveat[0].upper() + caveat[1:]), caveat


def _contradictions(text: str, facts: PrintedFacts) -> list[str]:
    """In our wording every fact is compared; in any other, the name and achievement must show."""
    problems = printed_mismatches(text, facts)
    if problems is not None:
        return problems
    shown = (("the name", facts.learner_name), ("the achievement", facts.achievement_name))
    problems = [
        f"it does not show {what} {value!r}"
        for what, value in shown
        if value and not shown_in(text, value)
    ]
    if facts.learner_name is None and facts.name_hash is not None:
        # Where the name sits is unknown in another layout: some line (or its part before a
        # comma, a designation after it) must hash to the credential's name hash.
        lines = [part for line in text.splitlines() for part in (line, line.split(",")[0])]
        if not any(facts.is_name(line) for line in lines if line.strip()):
            problems.append("it does not show the name whose salted hash the credential holds")
    return problems
