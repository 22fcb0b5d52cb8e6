"""CLR 2.0 learner records: several signed Open Badges credentials in one signed wrapper.

The wrapped credentials keep their own proofs, so a reader can check each one against
its own issuer; the record's proof only says who assembled it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from credstack.vc.checks import Check
from credstack.vc.documents import issuer_document
from credstack.vc.model import IssuerProfile, SubjectIdentity
from credstack.vc.schema import schema_errors
from credstack.vc.vocabulary import CLR_CONTEXT, OB3_CONTEXT, VC2_CONTEXT, format_datetime

__all__ = [
    "AssociationInfo",
    "AssociationType",
    "clr_credential",
    "clr_structure_check",
    "embedded_credentials",
]

AssociationType = Literal[
    "exactChildOf",
    "exactParentOf",
    "hasPart",
    "isChildOf",
    "isParentOf",
    "isPartOf",
    "isPeerOf",
    "isRelatedTo",
    "precedes",
    "replacedBy",
]


@dataclass(frozen=True)
class AssociationInfo:
    """How two achievements relate, e.g. a microcredential ``isPartOf`` a certification."""

    source_id: str
    target_id: str
    association_type: AssociationType


def clr_credential(
    *,
    credential_id: str,
    issuer: IssuerProfile,
    name: str,
    subject: SubjectIdentity,
    credentials: Sequence[Mapping[str, Any] | str],
    valid_from: datetime,
    associations: Sequence[AssociationInfo] = (),
    description: str | None = None,
    partial: bool | None = None,
) -> dict[str, Any]:
    """An unsigned ``ClrCredential`` wrapping already-signed credentials (JSON or JWT)."""
    if not credentials:
        raise ValueError("A learner record wraps at least one credential.")
    clr_subject: dict[str, Any] = {"type": ["ClrSubject"]}
    if subject.did is not None:
        clr_subject["id"] = subject.did
    else:
        identity: dict[str, Any] = {
            "type": "IdentityObject",
            "hashed": True,
            "identityHash": subject.email_hash,
            "identityType": "emailAddress",
        }
        if subject.salt is not None:
            identity["salt"] = subject.salt
        clr_subject["identifier"] = [identity]
    clr_subject["verifiableCredential"] = [
        c if isinstance(c, str) else dict(c) for c in credentials
    ]
    if associations:
        clr_subject["association"] = [
            {
                "type": "Association",
                "associationType": a.association_type,
                "sourceId": a.source_id,
                "targetId": a.target_id,
            }
            for a in associations
        ]
    record: dict[str, Any] = {
        "@context": [VC2_CONTEXT, CLR_CONTEXT, OB3_CONTEXT],
        "id": credential_id,
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": issuer_document(issuer),
        "name": name,
        "validFrom": format_datetime(valid_from),
        "credentialSubject": clr_subject,
    }
    if description is not None:
        record["description"] = description
    if partial is not None:
        record["partial"] = partial
    return record


def embedded_credentials(record: Mapping[str, Any]) -> list[Mapping[str, Any] | str]:
    subject = record.get("credentialSubject")
    if not isinstance(subject, Mapping):
        return []
    inner = subject.get("verifiableCredential")
    items = inner if isinstance(inner, list) else [inner] if inner is not None else []
    return [item for item in items if isinstance(item, Mapping | str)]


def clr_structure_check(record: Mapping[str, Any]) -> Check:
    """The parts of CLR 2.0 a reader relies on; each embedded JSON credential is schema-checked."""
    problem = _structure_problem(record)
    if problem is not None:
        return Check("schema", False, f"The learner record is malformed: {problem}")
    return Check("schema", True, "The learner record has the structure CLR 2.0 requires.")


def _structure_problem(record: Mapping[str, Any]) -> str | None:
    issuer = record.get("issuer")
    if not (isinstance(issuer, str) or (isinstance(issuer, Mapping) and "id" in issuer)):
        return "it does not name its issuer."
    for required in ("id", "name", "validFrom"):
        if not isinstance(record.get(required), str):
            return f"it has no {required}."
    subject = record.get("credentialSubject")
    types = subject.get("type") if isinstance(subject, Mapping) else None
    if "ClrSubject" not in (types if isinstance(types, list) else [types]):
        return "its subject is not a ClrSubject."
    inner = embedded_credentials(record)
    if not inner:
        return "it wraps no credentials."
    for index, credential in enumerate(inner, start=1):
        if isinstance(credential, Mapping):
            errors = schema_errors(credential)
            if errors:
                return f"credential {index} does not match the OB 3.0 schema ({errors[0]})."
    return None
