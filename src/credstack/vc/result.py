"""What verifying a credential produced: the checks, the credential, and what it means."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from credstack.vc.checks import Check
from credstack.vc.recipient import RecipientCheck
from credstack.vc.recognition import Recognition, RecognitionStatus
from credstack.vc.summary import CredentialSummary

__all__ = ["VerificationResult"]


@dataclass(frozen=True)
class VerificationResult:
    """A verification report.

    ``verified`` is computed, never stored: it is true only when there was at least one
    check, every check passed, and every check named in ``required`` was actually run. A
    result built by mistake with no checks, or with a check skipped, is therefore not verified.
    """

    checks: tuple[Check, ...]
    required: frozenset[str]
    credential: Mapping[str, Any] | None = None
    summary: CredentialSummary | None = None
    source_format: str = "json"
    notes: tuple[str, ...] = field(default=())
    recognition: Recognition | None = None
    revocation_reason: str | None = None
    """The reason the issuer published when it revoked the credential, if it did."""
    recipient: RecipientCheck | None = None
    """Asked only when the verifier gave an e-mail address; does not change ``verified``."""
    # What a verified result does not vouch for, said in its headline (e.g. a PDF's printed
    # text that only links to the credential); it never turns a failure into a pass.
    caveat: str | None = None

    @property
    def verified(self) -> bool:
        """Authentic, unchanged, in force, and not pretending to be a recognised issuer."""
        names = {check.name for check in self.checks}
        return (
            bool(self.checks)
            and all(check.passed for check in self.checks)
            and self.required <= names
            and not self.impersonation
        )

    @property
    def impersonation(self) -> bool:
        return (
            self.recognition is not None
            and self.recognition.status is RecognitionStatus.IMPERSONATION
        )

    @property
    def recognised(self) -> bool:
        """Verified and from an issuer this verifier recognises by the DID that signed."""
        return (
            self.verified
            and self.recognition is not None
            and self.recognition.status is RecognitionStatus.RECOGNISED
        )

    @property
    def holder_unconfirmed(self) -> bool:
        """The verifier asked about an address and the answer was not "yes"."""
        return self.recipient is not None and self.recipient.matches is not True

    @property
    def failures(self) -> tuple[Check, ...]:
        return tuple(check for check in self.checks if not check.passed)

    def check(self, name: str) -> Check | None:
        return next((c for c in self.checks if c.name == name), None)

    @property
    def headline(self) -> str:
        """The one line a reader stops at. When the verifier asked about a holder's address and
        the answer is not "yes", that answer leads: an authentic credential of someone else
        must not read as "Verified" to the employer who asked about this candidate."""
        said = self._credential_headline
        recipient = self.recipient
        if recipient is None or not self.holder_unconfirmed or not self.verified:
            return said
        if recipient.matches is False:
            return f"Not issued to the holder of {recipient.email}. {said}"
        return f"Not shown to be issued to {recipient.email}: {recipient.message} {said}"

    @property
    def _credential_headline(self) -> str:
        if self.impersonation and self.recognition is not None:
            return f"Not verified: {self.recognition.message}"
        if self.recognised and self.recognition is not None:
            said = self.caveat or "every check passed."
            return f"Verified: issued by {self.recognition.name}; {said}"
        if self.verified:
            who = self.recognition.message if self.recognition else "Its issuer was not looked up."
            caveat = f" {self.caveat[0].upper()}{self.caveat[1:]}" if self.caveat else ""
            return (
                f"Authentic, but not from a recognised issuer: {who} "
                f"Every check of the credential itself passed.{caveat}"
            )
        failures = self.failures
        if failures:
            return f"Not verified: {failures[0].message}"
        missing = sorted(self.required - {c.name for c in self.checks})
        return f"Not verified: these checks could not be run: {', '.join(missing)}."
