"""The awards of an issuer that wait for a decision: flagged because something they counted
was revoked or lapsed (`service.lifecycle.flag_dependants`).

The console's flagged page reads this; the decision itself is `award_decisions.decide_flagged`,
the same use case as `credstack award decide`. Admins and registrars may read the list (both
answer for what an issuer's awards say); only an admin decides, so `may_decide` tells the page
whether to offer the forms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from credstack.service.actor import Actor, authorise
from credstack.service.learners import profile
from credstack.service.people import require_issuer
from credstack.service.runtime import Runtime
from credstack.store.models import AchievementVersionRow as Version
from credstack.store.models import AwardRow, LearnerRow

__all__ = ["FlaggedAward", "FlaggedAwards", "flagged_awards"]

READER_ROLES = ("admin", "registrar")
DECIDER_ROLES = ("admin",)
_RECORD_ID = re.compile(r" \([a-z]+:[0-9a-f-]{8,}\)")
"""A counted record's id as the flag names it, "(award:5e0c…)": the page names it already."""
MAX_LISTED = 500
"""A page a person can work through; a flood of flags is a revocation to reconsider first."""


@dataclass(frozen=True)
class FlaggedAward:
    public_id: str
    learner_name: str
    achievement_name: str
    version: int
    awarded_on: str
    flagged_at: datetime | None
    why: str


@dataclass(frozen=True)
class FlaggedAwards:
    issuer: str
    issuer_name: str
    awards: tuple[FlaggedAward, ...]
    """Oldest flag first, at most `MAX_LISTED`."""
    may_decide: bool


def flagged_awards(runtime: Runtime, actor: Actor, *, issuer: str) -> FlaggedAwards:
    """The issuer's active awards that carry a flag, with why (admin or registrar)."""
    with runtime.uow(write=False) as uow:
        where = require_issuer(uow, issuer)
        authorise(actor, where.key, *READER_ROLES, what="read the flagged awards")
        rows = uow.session.execute(
            select(AwardRow, Version, LearnerRow)
            .join(Version, Version.id == AwardRow.achievement_version_id)
            .join(LearnerRow, AwardRow.learner_id == LearnerRow.id)
            .where(
                AwardRow.issuer_id == where.id,
                AwardRow.status == "active",
                AwardRow.review_flag.is_not(None),
            )
            .order_by(AwardRow.flagged_at, AwardRow.id)
            .limit(MAX_LISTED)
        ).all()
        return FlaggedAwards(
            issuer=where.key,
            issuer_name=where.name,
            awards=tuple(
                FlaggedAward(
                    public_id=award.public_id,
                    learner_name=profile(uow, learner).name,
                    achievement_name=version.name,
                    version=version.version,
                    awarded_on=award.awarded_on.isoformat(),
                    flagged_at=award.flagged_at,
                    why=_RECORD_ID.sub("", award.review_flag or ""),
                )
                for award, version, learner in rows
            ),
            may_decide=actor.may(where.key, *DECIDER_ROLES),
        )
