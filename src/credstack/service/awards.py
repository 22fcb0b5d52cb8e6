"""Recording that a learner holds an achievement."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from credstack.domain.durations import parse_duration
from credstack.errors import Conflict, NotFound
from credstack.store.models import AwardRow, IssuerRow, LearnerRow
from credstack.store.uow import UnitOfWork

__all__ = ["grant_award"]


def grant_award(
    uow: UnitOfWork,
    *,
    issuer: IssuerRow,
    learner: LearnerRow,
    achievement_key: str,
    awarded_on: date,
    evidence: list[dict[str, Any]] | None = None,
    grade: str | None = None,
    score: float | None = None,
) -> AwardRow:
    """Award the current version; validity runs from the award date. Never twice while active."""
    achievement = uow.achievements.by_key(issuer.id, achievement_key)
    if achievement is None:
        raise NotFound(f"issuer {issuer.key} has no achievement {achievement_key!r}")
    version = uow.achievements.current(achievement)
    for held in uow.awards.for_learner(learner.id):
        held_version = uow.achievements.version_by_id(held.achievement_version_id)
        if (
            held.status == "active"
            and held_version is not None
            and held_version.achievement_id == achievement.id
        ):
            raise Conflict(f"{learner.key} already holds {achievement_key}")
    validity = version.definition.get("validity")
    valid_until = parse_duration(validity).after(awarded_on) if isinstance(validity, str) else None
    award = AwardRow(
        public_id=str(uuid.uuid4()),
        learner_id=learner.id,
        issuer_id=issuer.id,
        achievement_version_id=version.id,
        awarded_on=awarded_on,
        valid_until=valid_until,
        status="active",
        grade=grade,
        score=score,
        evidence=evidence or [],
    )
    uow.awards.add(award)
    return award
