"""What a group of shared credentials amounts to, for an employer (story 08, item 3).

A candidate may share several microcredentials without the credential they stack into. The
employer's question, "is this group a demonstration of expertise?", is answered by running the
issuer's own requirement trees over the shared credentials only, after each has verified: a
stack the group satisfies is reported as satisfied even though its credential was not shown
(or not yet issued).

A credential counts only when it is verified, signed by the very issuer of the award its id
names (a re-signed copy is not that award), identical to that award as issued, and the award is
still active; and the counted credentials must be one holder's (same subject DID or same hashed
address and salt, or each matching the e-mail address the employer gives). Anything else counts
for nothing and the answer says why; a group of several holders is not combined at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from credstack.domain.evaluator import evaluate
from credstack.domain.records import Award, AwardStatus
from credstack.errors import CredstackError
from credstack.service.engine import compile_catalog
from credstack.service.identity import issuer_did
from credstack.service.issuance import award_context
from credstack.service.verification import Verifier, checked_email, unusable
from credstack.store.models import AwardRow, IssuerRow
from credstack.store.uow import UnitOfWork
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
    holder: str | None = None
    """Why the group was not combined, when its credentials are not shown to be one person's."""

    @property
    def all_verified(self) -> bool:
        return bool(self.results) and all(r.verified for r in self.results)


def verify_presented(
    verifier: Verifier, item: bytes, *, email: str | None = None
) -> VerificationResult:
    """One presented file's report; unusable input is reported, so a batch goes on past it."""
    try:
        return verifier.verify_bytes(item, email=email)
    except InputRefused as exc:
        return unusable(exc.message, "unknown")
    except CredstackError as exc:
        return unusable(exc.message, "pdf" if item.startswith(b"%PDF") else "unknown")


def group_view(
    verifier: Verifier,
    items: Sequence[bytes],
    as_of: date,
    *,
    email: str | None = None,
    names: Sequence[str] | None = None,
) -> GroupReport:
    """Combine only credentials that are ours, authentic, in force, and one holder's.

    `names` are what the caller calls the items (file names); by default "credential N"."""
    if email is not None:
        checked_email(email)  # a mistyped address is the request's fault, not each file's
    results = tuple(verify_presented(verifier, item, email=email) for item in items)
    shared: list[tuple[AwardRow, VerificationResult]] = []
    not_counted: list[str] = []
    first_seen: dict[int, str] = {}
    for number, result in enumerate(results, start=1):
        name = result.summary.achievement_name if result.summary else None
        label = name or f"credential {number}"
        award, why = _counted_award(verifier, result, as_of)
        if award is None:
            not_counted.append(f"{label}: {why}")
        elif award.id in first_seen:
            # The same credential twice (its JSON and its baked badge, say) is one award: a
            # stack's sentence must not list it twice, nor count it as two of an n-of-m.
            not_counted.append(
                f"{label}: the same credential as {first_seen[award.id]}, counted once"
            )
        else:
            first_seen[award.id] = names[number - 1] if names else f"credential {number}"
            shared.append((award, result))
    holder = _one_holder([r for _, r in shared], email)
    if holder is not None:
        return GroupReport(results, (), (*not_counted, holder), holder)
    uow = verifier.uow
    rows = [award for award, _ in shared]
    findings: list[StackFinding] = []
    if uow is not None:
        issuers = {a.issuer_id: award_context(uow, a).issuer for a in rows}
        for issuer in sorted(issuers.values(), key=lambda i: i.key):
            findings.extend(_findings(uow, issuer, rows, as_of))
    return GroupReport(results, tuple(findings), tuple(not_counted))


def _counted_award(
    verifier: Verifier, result: VerificationResult, as_of: date
) -> tuple[AwardRow | None, str]:
    """The award a credential may stand for in a stack, or why it may not."""
    if not result.verified:
        return None, f"not verified ({result.headline})"
    if not result.recognised:
        return None, "not from an issuer this server recognises, so it counts toward nothing"
    credential = result.credential or {}
    credential_id = credential.get("id")
    award = verifier.award_for_url(credential_id) if isinstance(credential_id, str) else None
    recognition = result.recognition
    signer = recognition.signer if recognition is not None else None
    if award is None or verifier.uow is None:
        return None, "not issued here, so which stacks it counts toward is unknown"
    context = award_context(verifier.uow, award)
    if signer != issuer_did(verifier.base_url, context.issuer.key):
        return None, (
            f"it claims to be credential {award.public_id} of {context.issuer.name}, but it was "
            f"signed by {signer}, not by {context.issuer.name}"
        )
    if _unsigned(credential) != _unsigned(award.credential or {}):
        return None, f"its content differs from credential {award.public_id} as it was issued"
    if award.status != AwardStatus.ACTIVE:
        return None, f"the issuer's record shows it {award.status}"
    if award.valid_until is not None and award.valid_until < as_of:
        return None, f"it expired on {award.valid_until.isoformat()}"
    return award, ""


def _one_holder(results: list[VerificationResult], email: str | None) -> str | None:
    """None when every counted credential is one holder's; otherwise why that is not shown."""
    if len(results) < 2 and email is None:
        return None
    if email is not None:
        strangers = [
            r.summary.achievement_name if r.summary else "a credential"
            for r in results
            if r.recipient is None or r.recipient.matches is not True
        ]
        if strangers:
            return (
                f"Nothing was combined: {', '.join(str(s) for s in strangers)} "
                f"{'was' if len(strangers) == 1 else 'were'} not issued to {email}."
            )
        return None
    holders = {_holder_key(r.credential or {}) for r in results}
    if len(holders) == 1 and None not in holders:
        return None
    return (
        "Nothing was combined: these credentials are not shown to belong to one person "
        "(different holders, or holders identified differently). Enter the holder's e-mail "
        "address to check each credential against it."
    )


def _holder_key(credential: Mapping[str, Any]) -> str | None:
    """The subject's DID, or its one hashed identifier with that hash's salt.

    The same person gets the same hash only under the same salt; different salts prove
    nothing either way, so then the employer must give the address.
    """
    subject = credential.get("credentialSubject")
    subject = subject[0] if isinstance(subject, list) and subject else subject
    if not isinstance(subject, Mapping):
        return None
    if isinstance(subject.get("id"), str):
        return f"id:{subject['id']}"
    identifiers = subject.get("identifier")
    identifiers = identifiers if isinstance(identifiers, list) else [identifiers]
    # A hashed name (what a certificate prints, see `vc.names`) is not who holds it: two
    # people may share a name. The holder is the one other hashed identifier.
    hashed = [
        i
        for i in identifiers
        if isinstance(i, Mapping) and i.get("hashed") is True and i.get("identityType") != "name"
    ]
    if len(hashed) != 1:
        return None
    one = hashed[0]
    return f"{one.get('identityType')}:{one.get('identityHash')}:{one.get('salt')}"


def _unsigned(credential: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in credential.items() if k != "proof"}


def _findings(
    uow: UnitOfWork, perspective: IssuerRow, shared: list[AwardRow], as_of: date
) -> list[StackFinding]:
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
                status=AwardStatus.ACTIVE,  # each one checked: verified, ours, active
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
