"""Open Badges 3.0 credentials built from plain values.

Every term written here is defined by the VC 2.0, OB 3.0.3 or OB extensions contexts, so the
signer's JSON-LD safe mode accepts the document, and every document validates against the
official OB 3.0 JSON Schema (the unit tests hold both true).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from credstack.domain.quantities import exact, show
from credstack.domain.taxonomy import type_info
from credstack.vc.model import (
    AchievementInfo,
    AlignmentInfo,
    AwardInfo,
    CountedRecord,
    DocumentedEvidence,
    EarningRoute,
    IssuerProfile,
    ResultSpec,
    StatusEntryInfo,
    SubjectIdentity,
)
from credstack.vc.vocabulary import (
    OB3_CONTEXT,
    OB3_EXTENSIONS_CONTEXT,
    ROUTE_EVIDENCE_NAME,
    SCHEMA_VALIDATOR_TYPE,
    VC2_CONTEXT,
    format_datetime,
)

__all__ = [
    "CE_HOURS_RESULT_TYPE",
    "CredentialParts",
    "achievement_document",
    "credential_parts",
    "endorsement_credential",
    "hash_email",
    "issuer_document",
    "open_badge_credential",
    "route_description",
    "status_entry_document",
]

CE_HOURS_RESULT_TYPE = "ext:ContinuingEducationHours"


def hash_email(email: str, salt: str) -> str:
    """The OB 3.0 ``identityHash`` of an email address.

    The address is trimmed and lower-cased first so that a verifier who types the address
    differently still gets the same hash.
    """
    digest = hashlib.sha256((email.strip().lower() + salt).encode("utf-8")).hexdigest()
    return f"sha256${digest}"


def issuer_document(issuer: IssuerProfile) -> dict[str, Any]:
    profile: dict[str, Any] = {"id": issuer.id, "type": ["Profile"], "name": issuer.name}
    _put(profile, "url", issuer.url)
    _put(profile, "email", issuer.email)
    _put(profile, "description", issuer.description)
    if issuer.image is not None:
        profile["image"] = {"id": issuer.image, "type": "Image"}
    return profile


def _alignment(alignment: AlignmentInfo) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": ["Alignment"],
        "targetName": alignment.target_name,
        "targetUrl": alignment.target_url,
    }
    _put(out, "targetFramework", alignment.target_framework)
    _put(out, "targetCode", alignment.target_code)
    _put(out, "targetType", alignment.target_type)
    _put(out, "targetDescription", alignment.target_description)
    return out


def _result_description(spec: ResultSpec) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": spec.id,
        "type": ["ResultDescription"],
        "name": spec.name,
        "resultType": spec.result_type,
    }
    if spec.allowed_values:
        out["allowedValue"] = list(spec.allowed_values)
    _put(out, "requiredValue", spec.required_value)
    _put(out, "valueMin", spec.value_min)
    _put(out, "valueMax", spec.value_max)
    return out


def _ce_hours_spec(achievement: AchievementInfo) -> ResultSpec | None:
    """CE hours have no OB 3.0 property, so they are a result with an ``ext:`` result type."""
    if achievement.ce_hours is None:
        return None
    return ResultSpec(
        id=f"{achievement.id}#ce-hours",
        name="Continuing education hours",
        result_type=CE_HOURS_RESULT_TYPE,
        value_min="0",
        value_max=_number(achievement.ce_hours),
    )


def achievement_document(achievement: AchievementInfo) -> dict[str, Any]:
    criteria: dict[str, Any] = {"narrative": achievement.criteria_narrative}
    _put(criteria, "id", achievement.criteria_url)
    out: dict[str, Any] = {
        "id": achievement.id,
        "type": ["Achievement"],
        "achievementType": type_info(achievement.kind).ob_achievement_type,
        "name": achievement.name,
        "description": achievement.description,
        "criteria": criteria,
    }
    if achievement.alignments:
        out["alignment"] = [_alignment(a) for a in achievement.alignments]
    specs = list(achievement.result_descriptions)
    ce_spec = _ce_hours_spec(achievement)
    if ce_spec is not None:
        specs.append(ce_spec)
    if specs:
        out["resultDescription"] = [_result_description(s) for s in specs]
    if achievement.credits_available is not None:
        out["creditsAvailable"] = achievement.credits_available
    if achievement.tags:
        out["tag"] = list(achievement.tags)
    if achievement.image is not None:
        out["image"] = {"id": achievement.image, "type": "Image"}
    _put(out, "humanCode", achievement.human_code)
    _put(out, "fieldOfStudy", achievement.field_of_study)
    if achievement.creator is not None:
        out["creator"] = issuer_document(achievement.creator)
    return out


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def route_description(route: EarningRoute) -> str:
    """The rigor of a route as ``key: value`` pairs that read as plain words and parse back."""
    parts = [
        f"route: {route.kind}",
        f"proctored: {_yes_no(route.proctored)}",
        f"identity verified: {_yes_no(route.identity_verified)}",
    ]
    if route.cut_score is not None:
        parts.append(f"cut score: {route.cut_score}")
    return "; ".join(parts) + "."


def _route_narrative(route: EarningRoute) -> str:
    if route.kind == "assessment":
        name = route.assessment_name or "the assessment"
        manner = "a proctored" if route.proctored else "an unproctored"
        text = f"Earned by passing {name}, {manner} assessment"
        if route.cut_score is not None:
            text += f" with a cut score of {route.cut_score}"
        text += "."
    elif route.kind == "attestation":
        who = route.attester_name or "an accountable attester"
        text = f"Earned on the attestation of {who}"
        if route.attested_at is not None:
            text += f" on {route.attested_at.date().isoformat()}"
        text += "."
        if route.attestation_statement:
            text += f' Statement: "{route.attestation_statement}"'
    else:
        name = route.course_name or "the course"
        text = f"Earned by completing {name}."
    identity = "was" if route.identity_verified else "was not"
    return f"{text} The learner's identity {identity} verified."


def _route_evidence(route: EarningRoute) -> dict[str, Any]:
    evidence: dict[str, Any] = {
        "type": ["Evidence"],
        "name": ROUTE_EVIDENCE_NAME,
        "genre": route.kind.capitalize(),
        "description": route_description(route),
        "narrative": _route_narrative(route),
    }
    _put(evidence, "id", route.evidence_url)
    return evidence


def _counted_evidence(record: CountedRecord) -> dict[str, Any]:
    narrative = f"Counted toward this award: {record.achievement_name}"
    if record.awarded_on is not None:
        narrative += f", awarded {record.awarded_on.date().isoformat()}"
    return {
        "id": record.credential_id,
        "type": ["Evidence"],
        "name": record.achievement_name,
        "genre": "Credential",
        "narrative": narrative + ".",
    }


def _documented_evidence(documented: DocumentedEvidence) -> dict[str, Any]:
    evidence: dict[str, Any] = {"type": ["Evidence"]}
    _put(evidence, "id", documented.url)
    _put(evidence, "narrative", documented.narrative)
    return evidence


@dataclass(frozen=True)
class CredentialParts:
    """The issuer and achievement objects of an ``OpenBadgeCredential``, built once for every
    credential of one achievement version (a bulk import's rows) instead of once each.

    Credentials built with one `CredentialParts` share these dicts: an issued document is
    stored and signed as it is, never changed in place."""

    of: tuple[IssuerProfile, AchievementInfo]
    issuer: dict[str, Any]
    achievement: dict[str, Any]


def credential_parts(issuer: IssuerProfile, achievement: AchievementInfo) -> CredentialParts:
    return CredentialParts(
        (issuer, achievement), issuer_document(issuer), achievement_document(achievement)
    )


def _subject(award: AwardInfo, achievement: dict[str, Any]) -> dict[str, Any]:
    subject: dict[str, Any] = {"type": ["AchievementSubject"]}
    identity: SubjectIdentity = award.subject
    if identity.did is not None:
        subject["id"] = identity.did
    if identity.email_hash is not None:
        identity_object: dict[str, Any] = {
            "type": "IdentityObject",
            "hashed": True,
            "identityHash": identity.email_hash,
            "identityType": "emailAddress",
        }
        _put(identity_object, "salt", identity.salt)
        subject["identifier"] = [identity_object]
    if identity.name_hash:
        # The name as a salted hash (see `vc.names`), so that a PDF's printed name can be
        # checked against the signature without the credential publishing the name.
        name_object: dict[str, Any] = {
            "type": "IdentityObject",
            "hashed": True,
            "identityHash": identity.name_hash,
            "identityType": "name",
        }
        _put(name_object, "salt", identity.salt)
        subject.setdefault("identifier", []).append(name_object)
    subject["achievement"] = achievement
    results = [_result(r.result_description_id, r.value, r.status) for r in award.results]
    ce_spec = _ce_hours_spec(award.achievement)
    if ce_spec is not None and ce_spec.value_max is not None:
        results.append(_result(ce_spec.id, ce_spec.value_max, None))
    if results:
        subject["result"] = results
    if award.credits_earned is not None:
        subject["creditsEarned"] = award.credits_earned
    return subject


def _result(description_id: str, value: str | None, status: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"type": ["Result"], "resultDescription": description_id}
    _put(out, "value", value)
    _put(out, "status", status)
    return out


def status_entry_document(entry: StatusEntryInfo) -> dict[str, Any]:
    return {
        "id": f"{entry.list_credential_url}#{entry.index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": entry.purpose,
        "statusListIndex": str(entry.index),
        "statusListCredential": entry.list_credential_url,
    }


def open_badge_credential(award: AwardInfo, parts: CredentialParts | None = None) -> dict[str, Any]:
    """The unsigned ``OpenBadgeCredential`` for an award; sign it with ``dataintegrity.sign``.
    `parts` made for the award's issuer and achievement are used as they are (any others are
    ignored), so the document is the same with or without them."""
    if parts is None or parts.of != (award.issuer, award.achievement):
        parts = credential_parts(award.issuer, award.achievement)
    contexts = [VC2_CONTEXT, OB3_CONTEXT]
    if award.schema_ids:
        contexts.append(OB3_EXTENSIONS_CONTEXT)
    credential: dict[str, Any] = {
        "@context": contexts,
        "id": award.id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": award.name or award.achievement.name,
        "issuer": parts.issuer,
        "validFrom": format_datetime(award.valid_from),
    }
    if award.valid_until is not None:
        credential["validUntil"] = format_datetime(award.valid_until)
    if award.awarded_on is not None:
        credential["awardedDate"] = format_datetime(award.awarded_on)
    credential["credentialSubject"] = _subject(award, parts.achievement)
    evidence = [_route_evidence(award.route)] if award.route is not None else []
    evidence.extend(_counted_evidence(r) for r in award.counted_records)
    evidence.extend(_documented_evidence(d) for d in award.documented_evidence)
    if evidence:
        credential["evidence"] = evidence
    if award.status is not None:
        credential["credentialStatus"] = status_entry_document(award.status)
    if award.schema_ids:
        credential["credentialSchema"] = [
            {"id": schema_id, "type": SCHEMA_VALIDATOR_TYPE} for schema_id in award.schema_ids
        ]
    return credential


def endorsement_credential(
    *,
    credential_id: str,
    issuer: IssuerProfile,
    endorsed_id: str,
    comment: str,
    valid_from: datetime,
    valid_until: datetime | None = None,
    name: str | None = None,
) -> dict[str, Any]:
    """An ``EndorsementCredential``: one issuer vouching for another's achievement or profile."""
    credential: dict[str, Any] = {
        "@context": [VC2_CONTEXT, OB3_CONTEXT],
        "id": credential_id,
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "name": name or f"Endorsement by {issuer.name}",
        "issuer": issuer_document(issuer),
        "validFrom": format_datetime(valid_from),
        "credentialSubject": {
            "id": endorsed_id,
            "type": ["EndorsementSubject"],
            "endorsementComment": comment,
        },
    }
    if valid_until is not None:
        credential["validUntil"] = format_datetime(valid_until)
    return credential


def _number(value: float) -> str:
    """All the digits of an amount (12345.25 stays 12345.25, where ``:g`` would round)."""
    return show(exact(value))


def _put(target: dict[str, Any], key: str, value: object) -> None:
    if value is not None:
        target[key] = value
