"""Turning an award into the signed Open Badges 3.0 credential the learner holds.

The rows are translated into ``vc.model`` values here and nowhere else; ``vc`` writes the
JSON-LD and signs it. What earned the award (the counted records) and how rigorous that route
was (proctoring, identity verification, cut score, read from the attempt rows) go into the
signed data, so a verifier sees them without asking us.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from credstack.domain.calendar import end_of
from credstack.domain.catalog import Achievement
from credstack.domain.records import Proctoring
from credstack.domain.taxonomy import AchievementType
from credstack.errors import NotFound
from credstack.service import audit_trail
from credstack.service.achievements import (
    achievement_of,
    alignment_info,
    assessment_facts,
    resolve_alignments,
)
from credstack.service.clock import issuer_zone, start_of_day
from credstack.service.clock import now as clock_now
from credstack.service.evidence import EvidenceRef, rows_of, stored_evidence
from credstack.service.identity import issuer_identity
from credstack.service.keys import IssuerKeys
from credstack.service.learners import profile
from credstack.service.status import status_entry
from credstack.store.models import (
    AchievementRow,
    AchievementVersionRow,
    AssessmentAttemptRow,
    AssessmentRow,
    AssessmentVersionRow,
    AttestationRow,
    AwardRow,
    CourseCompletionRow,
    HolderDidRow,
    ImportedCredentialRow,
    IssuerRow,
    LearnerRow,
    UserRow,
)
from credstack.store.uow import UnitOfWork
from credstack.vc import dataintegrity, jose
from credstack.vc.documents import CredentialParts, credential_parts, open_badge_credential
from credstack.vc.model import (
    AchievementInfo,
    AlignmentInfo,
    AwardInfo,
    CountedRecord,
    DocumentedEvidence,
    EarningRoute,
    IssuerProfile,
    StatusEntryInfo,
    SubjectIdentity,
)
from credstack.vc.names import hash_name
from credstack.vc.vocabulary import OB3_SCHEMA_URL

__all__ = [
    "AwardContext",
    "CredentialBasis",
    "achievement_url",
    "award_context",
    "award_document",
    "awarded_instant",
    "credential_basis",
    "credential_document",
    "credential_jwt",
    "credential_url",
    "documented_evidence",
    "holder_did",
    "issue",
    "verification_url",
]


def credential_url(base_url: str, public_id: str) -> str:
    return f"{base_url.rstrip('/')}/credentials/{public_id}"


def verification_url(base_url: str, public_id: str) -> str:
    return f"{base_url.rstrip('/')}/verify?credential={public_id}"


def achievement_url(base_url: str, issuer_key: str, key: str, version: int) -> str:
    return f"{base_url.rstrip('/')}/api/v1/issuers/{issuer_key}/achievements/{key}#v{version}"


@dataclass(frozen=True)
class AwardContext:
    """The rows an award's credential is built from, looked up once."""

    award: AwardRow
    issuer: IssuerRow
    learner: LearnerRow
    achievement: AchievementRow
    version: AchievementVersionRow


def award_context(uow: UnitOfWork, award: AwardRow) -> AwardContext:
    issuer = uow.session.get(IssuerRow, award.issuer_id)
    learner = uow.session.get(LearnerRow, award.learner_id)
    version = uow.achievements.version_by_id(award.achievement_version_id)
    achievement = (
        uow.session.get(AchievementRow, version.achievement_id) if version is not None else None
    )
    if issuer is None or learner is None or version is None or achievement is None:
        raise NotFound(f"award {award.public_id} refers to rows that no longer exist")
    return AwardContext(award, issuer, learner, achievement, version)


def issue(
    uow: UnitOfWork,
    keys: IssuerKeys,
    base_url: str,
    award: AwardRow,
    *,
    now: datetime | None = None,
    evidence: Sequence[EvidenceRef] | None = None,
) -> dict[str, Any]:
    """Sign the award's credential with the issuer's active key and keep it on the award.

    `evidence` is what the award counted, when the caller holds the rows (the engine, as it
    awards); without it the award's stored ids are read back.
    """
    context = award_context(uow, award)
    document = credential_document(uow, base_url, context, evidence)
    signing_key = keys.signing_key(context.issuer)
    signed = dataintegrity.sign(document, signing_key, created=now or clock_now())
    award.credential = signed
    audit_trail.record(
        uow,
        action="key.used",
        subject=f"issuer:{context.issuer.key}",
        details={"key": signing_key.verification_method, "credential": award.public_id},
    )
    uow.session.flush()
    return signed


def credential_jwt(uow: UnitOfWork, keys: IssuerKeys, award: AwardRow) -> str:
    """The same credential as an OB 3.0 VC-JWT (the JWS replaces the embedded proof)."""
    if award.credential is None:
        raise NotFound(f"award {award.public_id} has no issued credential")
    issuer = uow.session.get(IssuerRow, award.issuer_id)
    if issuer is None:  # pragma: no cover - a foreign key guards this
        raise NotFound(f"award {award.public_id} has no issuer")
    unsecured = {k: v for k, v in award.credential.items() if k != "proof"}
    return jose.sign_jwt(unsecured, keys.signing_key(issuer))


def credential_document(
    uow: UnitOfWork,
    base_url: str,
    context: AwardContext,
    evidence: Sequence[EvidenceRef] | None = None,
) -> dict[str, Any]:
    """The unsigned ``OpenBadgeCredential`` of an award (`evidence`: see `issue`)."""
    award, issuer = context.award, context.issuer
    if evidence is None:
        evidence = stored_evidence(uow, award)
    basis = credential_basis(uow, base_url, issuer, context.achievement, context.version)
    return award_document(
        basis,
        base_url=base_url,
        public_id=award.public_id,
        learner=context.learner,
        printed_name=_printed_name(uow, context.learner),
        awarded=awarded_instant(issuer, award),
        valid_until=(
            end_of(award.valid_until, issuer_zone(issuer))
            if award.valid_until is not None
            else None
        ),
        route=_route(uow, evidence, issuer),
        counted=tuple(_counted(uow, base_url, evidence, issuer)),
        status=status_entry(uow, base_url, award),
        documented=award.evidence,
        holder=holder_did(uow, context.learner),
    )


@dataclass(frozen=True)
class CredentialBasis:
    """What every credential of one achievement version says alike: who issues it and what it
    is. Built once per version by a bulk import, once per credential otherwise; `parts` is
    that part of the document, built with it."""

    issuer: IssuerProfile
    achievement: AchievementInfo
    credits: float | None
    parts: CredentialParts


def credential_basis(
    uow: UnitOfWork,
    base_url: str,
    issuer: IssuerRow,
    achievement_row: AchievementRow,
    version: AchievementVersionRow,
) -> CredentialBasis:
    typed = achievement_of(uow, version)
    issuer_id = issuer_identity(uow, base_url, issuer)
    profile = IssuerProfile(id=issuer_id, name=issuer.name, url=issuer.url, email=issuer.email)
    credits = float(typed.credits) if typed.credits is not None else None
    name = typed.name
    achievement = AchievementInfo(
        id=achievement_url(base_url, issuer.key, achievement_row.key, version.version),
        name=name,
        description=typed.description or name,
        criteria_narrative=typed.criteria or typed.description or name,
        kind=AchievementType(version.type),
        alignments=_alignments(uow, issuer, typed),
        credits_available=credits,
        ce_hours=float(typed.ce.hours) if typed.ce is not None else None,
        tags=typed.tags,
        image=typed.image,
        human_code=typed.designation or None,
    )
    return CredentialBasis(profile, achievement, credits, credential_parts(profile, achievement))


def award_document(
    basis: CredentialBasis,
    *,
    base_url: str,
    public_id: str,
    learner: LearnerRow,
    printed_name: str | None,
    awarded: datetime,
    valid_until: datetime | None,
    route: EarningRoute | None,
    counted: tuple[CountedRecord, ...],
    status: StatusEntryInfo,
    documented: Sequence[Mapping[str, Any]] = (),
    holder: str | None = None,
) -> dict[str, Any]:
    """One award's unsigned credential from its basis: no database, so a bulk import builds
    each row's document exactly as a single award's is built."""
    info = AwardInfo(
        id=credential_url(base_url, public_id),
        issuer=basis.issuer,
        achievement=basis.achievement,
        subject=subject_identity(learner, printed_name, did=holder),
        valid_from=awarded,
        valid_until=valid_until,
        awarded_on=awarded,
        route=route,
        credits_earned=basis.credits,
        counted_records=counted,
        documented_evidence=documented_evidence(documented),
        status=status,
        schema_ids=(OB3_SCHEMA_URL,),
    )
    document = open_badge_credential(info, basis.parts)
    mark_identity_type(document, learner)
    return document


def documented_evidence(entries: Sequence[Mapping[str, Any]]) -> tuple[DocumentedEvidence, ...]:
    """The evidence an issuer documented on the award (an import's `evidence_url` and
    `narrative`); the engine's entries name counted records (they carry a `kind`) and are
    written from the records themselves."""
    out = []
    for entry in entries:
        if "kind" in entry:
            continue
        url, narrative = entry.get("id"), entry.get("narrative")
        if isinstance(url, str) or isinstance(narrative, str):
            out.append(
                DocumentedEvidence(
                    url=url if isinstance(url, str) else None,
                    narrative=narrative if isinstance(narrative, str) else None,
                )
            )
    return tuple(out)


def subject_identity(
    learner: LearnerRow, name: str | None, *, did: str | None = None
) -> SubjectIdentity:
    """Salted hashes only: the credential must not disclose the learner's address or name.

    The name's hash lets a printed certificate's name be checked (see `vc.names`); an erased
    learner's credential (``name`` None) names them by the address hash alone. A learner who
    proved control of a DID (``service.holders``) is also named by it, as the subject's id.
    """
    return SubjectIdentity(
        did=did,
        email_hash=learner.identity_hash,
        salt=learner.identity_salt,
        name_hash=hash_name(name, learner.identity_salt) if name is not None else None,
    )


def holder_did(uow: UnitOfWork, learner: LearnerRow) -> str | None:
    """The DID the learner bound (by DID authentication), if any; erasure removes it."""
    return uow.session.scalar(select(HolderDidRow.did).where(HolderDidRow.learner_id == learner.id))


def _printed_name(uow: UnitOfWork, learner: LearnerRow) -> str | None:
    person = profile(uow, learner)
    return None if person.erased else person.name


def mark_identity_type(document: dict[str, Any], learner: LearnerRow) -> None:
    """With no address to hash, the learner's stable id stands in, named as a system id."""
    if learner.identity_type != "emailAddress":
        document["credentialSubject"]["identifier"][0]["identityType"] = learner.identity_type


def _alignments(
    uow: UnitOfWork, issuer: IssuerRow, achievement: Achievement
) -> tuple[AlignmentInfo, ...]:
    """The alignments the issuer's frameworks define; a dangling reference is left out."""
    out: list[AlignmentInfo] = []
    for resolved in resolve_alignments(uow, issuer, achievement):
        framework, competency = resolved.framework, resolved.competency
        if framework is None or competency is None:
            continue
        out.append(alignment_info(issuer.key, framework, competency))
    return tuple(out)


def _route(
    uow: UnitOfWork, evidence: Sequence[EvidenceRef], issuer: IssuerRow
) -> EarningRoute | None:
    """The strongest route among the counted records: an exam, then an attestation, a course.

    Of several records of a kind, the latest passed attempt, the first attestation and the
    first course (in the order they were recorded) name the route.
    """
    attempts = rows_of(evidence, AssessmentAttemptRow)
    passed = [a for a in attempts if a.passed] or attempts
    if passed:
        return _attempt_route(uow, passed[-1])
    attestations = rows_of(evidence, AttestationRow)
    if attestations:
        attestation = attestations[0]
        attester = uow.session.get(UserRow, attestation.attester_user_id)
        return EarningRoute(
            kind="attestation",
            attester_name=attester.name if attester is not None else None,
            attested_at=start_of_day(issuer, attestation.attested_on),
            attestation_statement=attestation.statement,
        )
    courses = rows_of(evidence, CourseCompletionRow)
    if courses:
        course = courses[0]
        return EarningRoute(kind="course", course_name=f"{course.course} ({course.provider})")
    return None


def _attempt_route(uow: UnitOfWork, attempt: AssessmentAttemptRow) -> EarningRoute:
    version = uow.session.get(AssessmentVersionRow, attempt.assessment_version_id)
    facts = assessment_facts(version) if version is not None else None
    assessment = (
        uow.session.get(AssessmentRow, version.assessment_id) if version is not None else None
    )
    name = (facts.title if facts is not None else None) or (
        assessment.key if assessment is not None else None
    )
    return EarningRoute(
        kind="assessment",
        proctored=attempt.proctoring in (Proctoring.ONLINE.value, Proctoring.IN_PERSON.value),
        identity_verified=bool(attempt.identity_method or attempt.identity_verified_at),
        cut_score=facts.cut_score if facts is not None else None,
        assessment_name=name,
    )


def _counted(
    uow: UnitOfWork, base_url: str, evidence: Sequence[EvidenceRef], issuer: IssuerRow
) -> list[CountedRecord]:
    out = []
    for row in sorted(rows_of(evidence, AwardRow), key=lambda r: (r.awarded_on, r.id)):
        version = uow.achievements.version_by_id(row.achievement_version_id)
        out.append(
            CountedRecord(
                credential_id=credential_url(base_url, row.public_id),
                achievement_name=version.name if version is not None else row.public_id,
                awarded_on=awarded_instant(issuer, row),
            )
        )
    for imported in rows_of(evidence, ImportedCredentialRow):
        out.append(
            CountedRecord(
                credential_id=imported.credential_id,
                achievement_name=imported.achievement_name,
                awarded_on=imported.valid_from,
            )
        )
    return out


def awarded_instant(issuer: IssuerRow, award: AwardRow) -> datetime:
    """The credential's validFrom and awardedDate: the award's instant, whose day in the
    issuer's zone is the award's day (rows older than the instant start that day)."""
    return award.awarded_at or start_of_day(issuer, award.awarded_on)
