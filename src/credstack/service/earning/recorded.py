"""What recording a learner's evidence led to, in terms a person can read."""

from __future__ import annotations

from dataclasses import dataclass, field

from credstack.service.engine import Settlement
from credstack.store.models import AchievementRow
from credstack.store.uow import UnitOfWork

__all__ = ["AwardMade", "Recorded", "summarise"]


@dataclass(frozen=True)
class AwardMade:
    achievement: str
    version: int
    award_id: str
    """The award's public id (the credential's share and verification id)."""


@dataclass(frozen=True)
class Recorded:
    """A record was kept; these awards followed, and these dependants are not met, with why.

    `duplicate` is true when the same external id had already been recorded with the same
    content: nothing new was stored and nothing re-evaluated (imports may be re-run).
    """

    record_id: str
    awarded: tuple[AwardMade, ...] = ()
    not_awarded: dict[str, tuple[str, ...]] = field(default_factory=dict)
    duplicate: bool = False
    passed: bool | None = None
    percent: float | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "record": self.record_id,
            "duplicate": self.duplicate,
            "passed": self.passed,
            "percent": self.percent,
            "awarded": [
                {"achievement": a.achievement, "version": a.version, "award": a.award_id}
                for a in self.awarded
            ],
            "not_awarded": {key: list(reasons) for key, reasons in self.not_awarded.items()},
        }


def summarise(
    uow: UnitOfWork,
    record_id: str,
    settlement: Settlement,
    *,
    unissued: dict[str, tuple[str, ...]] | None = None,
    passed: bool | None = None,
    percent: float | None = None,
) -> Recorded:
    """Awards made, and for each dependant still unmet the engine's reasons why not."""
    made: list[AwardMade] = []
    for award in settlement.awarded:
        version = uow.achievements.version_by_id(award.achievement_version_id)
        assert version is not None
        achievement = uow.session.get(AchievementRow, version.achievement_id)
        assert achievement is not None
        made.append(AwardMade(achievement.key, version.version, award.public_id))
    awarded_keys = {a.achievement for a in made}
    not_awarded = {
        key: outcome.why_not()
        for key, outcome in sorted(settlement.outcomes.items())
        if not outcome.met and key not in awarded_keys
    }
    for key, reasons in (unissued or {}).items():
        not_awarded.setdefault(key, reasons)
    return Recorded(
        record_id=record_id,
        awarded=tuple(made),
        not_awarded=not_awarded,
        passed=passed,
        percent=percent,
    )
