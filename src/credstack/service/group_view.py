"""What a group of shared credentials amounts to, for an employer (story 08, item 3).

A candidate may share several microcredentials without the credential they stack into. The
employer's question, "is this group a demonstration of expertise?", is answered by running the
issuer's own requirement trees over the shared credentials only, after each has verified: a
stack the group satisfies is reported as satisfied even though its credential was not shown
(or not yet issued). Credentials that fail verification, or come from issuers whose catalog
credstack does not hold, count for nothing and are listed as such.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from credstack.domain.evaluator import evaluate
from credstack.domain.records import Award, AwardStatus
from credstack.errors import CredstackError
from credstack.service.engine import compile_catalog
from credstack.service.issuance import award_context
from credstack.service.verification import Verifier, unusable
from credstack.store.models import AwardRow, IssuerRow
from credstack.vc.result import VerificationResult
from credstack.vc.safejson import InputRefused

__all__ = ["GroupReport", "StackFinding", "group_view", "verify_presented"]


@dataclass(frozen=True)
class StackFinding:
    """One of the issuer's credentials that the shared group counts toward."""

    issuer: str
    achievement: str
    name: str
    met: bool
    progress: str
    counted: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def text(self) -> str:
        shown = ", ".join(self.counted)
        if self.met:
            return f"Together, {shown} satisfy the requirements of {self.name} ({self.progress})."
        return f"{shown} count toward {self.name} ({self.progress}); still missing: " + "; ".join(
            self.missing
        )


@dataclass(frozen=True)
class GroupReport:
    results: tuple[VerificationResult, ...]
    findings: tuple[StackFinding, ...]
    not_counted: tuple[str, ...]

    @property
    def all_verified(self) -> bool:
        return bool(self.results) and all(r.verified for r in self.results)


def verify_presented(verifier: Verifier, item: bytes) -> VerificationResult:
    """One presented file's report; unusable input is reported, so a batch goes on past it."""
    try:
        return verifier.verify_bytes(item)
    except InputRefused as exc:
        return unusable(exc.message, "unknown")
    except CredstackError as exc:
        return unusable(exc.message, "pdf" if item.startswith(b"%PDF") else "unknown")


def group_view(verifier: Verifier, items: Sequence[bytes], as_of: date) -> GroupReport:
    results = tuple(verify_presented(verifier, item) for item in items)
    uow = verifier.uow
    shared: list[AwardRow] = []
    not_counted: list[str] = []
    for number, result in enumerate(results, start=1):
        credential_id = result.credential.get("id") if result.credential else None
        award = verifier.award_for_url(credential_id) if isinstance(credential_id, str) else None
        name = result.summary.achievement_name if result.summary else None
        label = name or f"credential {number}"
        if not result.verified:
            not_counted.append(f"{label}: not verified ({result.headline})")
        elif award is None:
            not_counted.append(f"{label}: issued elsewhere, so its issuer's stacks are unknown")
        else:
            shared.append(award)
    findings: list[StackFinding] = []
    issuers = {a.issuer_id: award_context(uow, a).issuer for a in shared}
    for issuer in sorted(issuers.values(), key=lambda i: i.key):
        findings.extend(_findings(verifier, issuer, shared, as_of))
    return GroupReport(results, tuple(findings), tuple(not_counted))


def _findings(
    verifier: Verifier, perspective: IssuerRow, shared: list[AwardRow], as_of: date
) -> list[StackFinding]:
    uow = verifier.uow
    records: list[Award] = []
    names: dict[str, str] = {}
    held: set[str] = set()
    for row in shared:
        context = award_context(uow, row)
        key = context.achievement.key
        scoped = key if context.issuer.id == perspective.id else f"{context.issuer.key}:{key}"
        held.add(scoped)
        rid = f"award:{row.public_id}"
        names[rid] = context.version.name
        records.append(
            Award(
                id=rid,
                achievement_id=scoped,
                issuer_id=context.issuer.key,
                achievement_type=context.version.type,
                awarded_on=row.awarded_on,
                valid_until=row.valid_until,
                status=AwardStatus.ACTIVE,  # each one verified: not revoked, not expired
                title=context.version.name,
                issuer_name=context.issuer.name,
            )
        )
    compiled = compile_catalog(uow, perspective)
    out: list[StackFinding] = []
    for key, requirement in sorted(compiled.requirements.items()):
        if key in held:
            continue
        outcome = evaluate(requirement, records, as_of)
        used = set(outcome.counted)
        counted = tuple(names[r.id] for r in records if r.id in used)  # in the order shared
        if not counted:
            continue
        out.append(
            StackFinding(
                issuer=perspective.key,
                achievement=key,
                name=compiled.versions[key].name,
                met=outcome.met,
                progress=str(outcome.leaf_progress()),
                counted=counted,
                missing=outcome.why_not(),
            )
        )
    out.sort(key=lambda f: (not f.met, f.achievement))
    return out
