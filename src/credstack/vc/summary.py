"""What a credential represents, in plain words, for the person who is verifying it.

It reads any Open Badges 3.0 credential; route and rigor are found in the Evidence entry
that credstack writes (see ``documents.route_description``) and are simply absent for
credentials from issuers that do not write one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from credstack.domain.quantities import exact, show
from credstack.domain.taxonomy import AchievementType, from_ob_achievement_type
from credstack.vc.recognition import Recognition, RecognitionStatus
from credstack.vc.vocabulary import ROUTE_EVIDENCE_NAME, parse_datetime

__all__ = ["CredentialSummary", "summarize"]

_CE_HOURS_RESULT_TYPE = "ext:ContinuingEducationHours"
_KIND_WORDS = {
    AchievementType.BADGE: "badge",
    AchievementType.MICROCREDENTIAL: "microcredential",
    AchievementType.CERTIFICATE: "certificate",
    AchievementType.CERTIFICATION: "certification",
    AchievementType.DEGREE: "degree",
    AchievementType.CE_ACTIVITY: "continuing-education activity",
    AchievementType.COURSE: "course",
}


@dataclass(frozen=True)
class CredentialSummary:
    achievement_name: str | None
    achievement_type: str | None
    kind_words: str
    issuer_name: str | None
    issuer_id: str | None
    subject: str
    competencies: tuple[str, ...] = ()
    route: str | None = None
    proctored: bool | None = None
    identity_verified: bool | None = None
    cut_score: str | None = None
    credits: float | None = None
    ce_hours: float | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    awarded_on: datetime | None = None
    counted_credentials: tuple[str, ...] = ()
    issuer_claimed_name: str | None = None
    """The name the credential gives its issuer: self-declared, shown only as such."""

    @property
    def issuer_words(self) -> str:
        """The recognised name; otherwise the DID, with the self-declared name marked as such."""
        if self.issuer_name is not None:
            return self.issuer_name
        issuer = self.issuer_id or "an unnamed issuer"
        if self.issuer_claimed_name:
            issuer += f' (calls itself "{self.issuer_claimed_name}", not a recognised issuer)'
        return issuer

    @property
    def text(self) -> str:
        """A short paragraph a hiring manager can read without knowing Open Badges."""
        name = self.achievement_name or "an unnamed achievement"
        issuer = self.issuer_words
        sentences = [f"{name} ({self.kind_words}) issued by {issuer} to {self.subject}."]
        if self.competencies:
            sentences.append(f"Competencies: {', '.join(self.competencies)}.")
        if self.route is not None:
            sentences.append(self._route_sentence())
        if self.credits is not None:
            sentences.append(f"Credits: {show(exact(self.credits))}.")
        if self.ce_hours is not None:
            sentences.append(f"Continuing education hours: {show(exact(self.ce_hours))}.")
        if self.counted_credentials:
            sentences.append(f"Built from: {', '.join(self.counted_credentials)}.")
        sentences.append(self._dates_sentence())
        return " ".join(sentences)

    def _route_sentence(self) -> str:
        route = {
            "assessment": "passing an assessment",
            "attestation": "an accountable person's attestation",
            "course": "completing a course",
        }.get(self.route or "", self.route or "")
        parts = [f"Earned by {route}"]
        if self.proctored is not None:
            parts.append("proctored" if self.proctored else "not proctored")
        if self.identity_verified is not None:
            parts.append("identity verified" if self.identity_verified else "identity not verified")
        if self.cut_score is not None:
            parts.append(f"cut score {self.cut_score}")
        return ", ".join(parts) + "."

    def _dates_sentence(self) -> str:
        start = self.valid_from.date().isoformat() if self.valid_from else "an unknown date"
        text = f"Valid from {start}"
        if self.valid_until is not None:
            text += f" until {self.valid_until.date().isoformat()}"
        else:
            text += " with no expiry date"
        return text + "."


def summarize(
    credential: Mapping[str, Any], recognition: Recognition | None = None
) -> CredentialSummary:
    """The credential's content; the issuer's name only as ``recognition`` established it."""
    subject = _first(credential.get("credentialSubject"))
    achievement = _mapping(subject.get("achievement"))
    issuer = credential.get("issuer")
    issuer_map = _mapping(issuer)
    issuer_id = issuer if isinstance(issuer, str) else _str(issuer_map.get("id"))
    achievement_type = _str(achievement.get("achievementType"))
    kind = from_ob_achievement_type(achievement_type) if achievement_type else None
    route = _route(credential)
    return CredentialSummary(
        achievement_name=_str(achievement.get("name")) or _str(credential.get("name")),
        achievement_type=achievement_type,
        kind_words=_KIND_WORDS[kind] if kind else _type_words(achievement_type),
        issuer_name=recognition.name
        if recognition is not None and recognition.status is RecognitionStatus.RECOGNISED
        else None,
        issuer_claimed_name=_str(issuer_map.get("name")),
        issuer_id=issuer_id,
        subject=_subject_words(subject),
        competencies=tuple(
            name
            for alignment in _list(achievement.get("alignment"))
            if (name := _str(_mapping(alignment).get("targetName")))
        ),
        route=route.get("route"),
        proctored=_flag(route.get("proctored")),
        identity_verified=_flag(route.get("identity verified")),
        cut_score=route.get("cut score"),
        credits=_credits(subject, achievement),
        ce_hours=_ce_hours(subject, achievement),
        valid_from=parse_datetime(credential.get("validFrom") or credential.get("issuanceDate")),
        valid_until=parse_datetime(
            credential.get("validUntil") or credential.get("expirationDate")
        ),
        awarded_on=parse_datetime(credential.get("awardedDate")),
        counted_credentials=tuple(
            name
            for item in _list(credential.get("evidence"))
            if _mapping(item).get("genre") == "Credential"
            and (name := _str(_mapping(item).get("name")))
        ),
    )


def _route(credential: Mapping[str, Any]) -> dict[str, str]:
    for item in _list(credential.get("evidence")):
        evidence = _mapping(item)
        if evidence.get("name") != ROUTE_EVIDENCE_NAME:
            continue
        description = _str(evidence.get("description")) or ""
        pairs: dict[str, str] = {}
        for part in description.rstrip(".").split(";"):
            key, sep, value = part.partition(":")
            if sep:
                pairs[key.strip()] = value.strip()
        return pairs
    return {}


def _credits(subject: Mapping[str, Any], achievement: Mapping[str, Any]) -> float | None:
    earned = _number(subject.get("creditsEarned"))
    return earned if earned is not None else _number(achievement.get("creditsAvailable"))


def _ce_hours(subject: Mapping[str, Any], achievement: Mapping[str, Any]) -> float | None:
    ids = {
        _str(_mapping(d).get("id"))
        for d in _list(achievement.get("resultDescription"))
        if _mapping(d).get("resultType") == _CE_HOURS_RESULT_TYPE
    }
    for result in _list(subject.get("result")):
        if _mapping(result).get("resultDescription") in ids:
            return _number(_mapping(result).get("value"))
    return None


def _subject_words(subject: Mapping[str, Any]) -> str:
    identifier = _first(subject.get("identifier"))
    if isinstance(subject.get("id"), str):
        return str(subject["id"])
    if identifier.get("identityType") == "emailAddress" and identifier.get("hashed") is True:
        return "the holder of a hashed email address"
    return "an unidentified learner"


def _type_words(achievement_type: str | None) -> str:
    if not achievement_type:
        return "achievement"
    bare = achievement_type.removeprefix("ext:")
    words = "".join(f" {c.lower()}" if c.isupper() else c for c in bare).strip()
    return words or "achievement"


def _flag(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: object) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _first(value: object) -> Mapping[str, Any]:
    items = _list(value)
    return _mapping(items[0]) if items else {}
