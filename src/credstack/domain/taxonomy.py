"""The credential taxonomy and how each type maps onto the open standards.

One catalog type per kind of credential a user talks about (story 07); each maps onto the
Open Badges 3.0 `achievementType` enumeration and the Credential Engine's CTDL class, so what
we issue is classified the same way by every consumer.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["AchievementType", "TypeInfo", "from_ob_achievement_type", "type_info"]


class AchievementType(StrEnum):
    """Our taxonomy of credentials (story 07). OB 3.0 has no value for continuing-education
    activities, so that type uses the spec's ``ext:`` extension form rather than borrowing a
    value that means something else."""

    BADGE = "badge"
    MICROCREDENTIAL = "microcredential"
    CERTIFICATE = "certificate"
    CERTIFICATION = "certification"
    DEGREE = "degree"
    CE_ACTIVITY = "ce-activity"
    COURSE = "course"


@dataclass(frozen=True)
class TypeInfo:
    ob_achievement_type: str
    ctdl_class: str
    description: str
    needs_alignment: bool
    needs_accountable_route: bool


_TYPES: dict[AchievementType, TypeInfo] = {
    AchievementType.BADGE: TypeInfo(
        "Badge", "ceterms:OpenBadge", "may recognise anything, awarded by anyone", False, False
    ),
    AchievementType.MICROCREDENTIAL: TypeInfo(
        "MicroCredential",
        "ceterms:MicroCredential",
        "aligned to competencies, assessed or attested by an accountable person, stackable",
        True,
        True,
    ),
    AchievementType.CERTIFICATE: TypeInfo(
        "Certificate",
        "ceterms:Certificate",
        "e.g. credit-bearing, post-baccalaureate",
        False,
        False,
    ),
    AchievementType.CERTIFICATION: TypeInfo(
        "Certification",
        "ceterms:Certification",
        "comprehensive, time-limited, letters after the name",
        False,
        False,
    ),
    AchievementType.DEGREE: TypeInfo(
        "Degree", "ceterms:Degree", "an academic degree", False, False
    ),
    AchievementType.CE_ACTIVITY: TypeInfo(
        "ext:ContinuingEducationActivity",
        "ceterms:LearningOpportunityProfile",
        "a continuing-education activity carrying CE hours in one category",
        False,
        False,
    ),
    AchievementType.COURSE: TypeInfo(
        "Course", "ceterms:Course", "a credit-bearing course", False, False
    ),
}


def type_info(kind: AchievementType) -> TypeInfo:
    return _TYPES[kind]


def from_ob_achievement_type(value: str) -> AchievementType | None:
    """Our type for an OB 3.0 ``achievementType`` value, when we have one."""
    return next((kind for kind, info in _TYPES.items() if info.ob_achievement_type == value), None)
