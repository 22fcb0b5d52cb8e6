"""What verifying a credential produced: the checks, the credential, and what it means."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from credstack.vc.checks import Check
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
    # What a verified result does not vouch for, said in its headline (e.g. a PDF's printed
    # text that only links to the credential); it never turns a failure into a pass.
    caveat: str | None = None

    @property
    def verified(self) -> bool:
        names = {check.name for check in self.checks}
        return (
            bool(self.checks)
            and all(check.passed for check in self.checks)
            and self.required <= names
        )

    @property
    def failures(self) -> tuple[Check, ...]:
        return tuple(check for check in self.checks if not check.passed)

    def check(self, name: str) -> Check | None:
        return next((c for c in self.checks if c.name == name), None)

    @property
    def headline(self) -> str:
        if self.verified:
            return f"Verified: {self.caveat}" if self.caveat else "Verified: every check passed."
        failures = self.failures
        if failures:
            return f"Not verified: {failures[0].message}"
        missing = sorted(self.required - {c.name for c in self.checks})
        return f"Not verified: these checks could not be run: {', '.join(missing)}."
