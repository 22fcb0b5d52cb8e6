"""Quality review's use cases: a review step, the history, the issuer's policy, the report.

One transaction each (reads in a read-only one), the actor checked here rather than by the
router, so the CLI and the API refuse the same people with the same words.
"""

from __future__ import annotations

from dataclasses import dataclass

from credstack.service.actor import Actor, authorise
from credstack.service.earning import quality
from credstack.service.earning.quality import QualityReport
from credstack.service.earning.review import (
    ReviewStep,
    authorise_review_policy,
    authorise_review_step,
    history,
    review,
    set_review_required,
)
from credstack.service.people import require_issuer
from credstack.service.runtime import Runtime

__all__ = [
    "READER_ROLES",
    "ReviewPolicy",
    "quality_report",
    "review_history",
    "set_review_policy",
    "take_review_step",
]

READER_ROLES = ("reviewer", "admin")
"""Who may read a version's review history and quality report."""


@dataclass(frozen=True)
class ReviewPolicy:
    issuer: str
    required: bool
    """New versions start as drafts that must pass review before anything is issued."""


def take_review_step(
    runtime: Runtime,
    actor: Actor,
    *,
    issuer: str,
    achievement: str,
    action: str,
    comment: str | None = None,
    version: int | None = None,
) -> ReviewStep:
    """One step (submit, approve, send-back, publish, retire, comment); publishing awards."""
    with runtime.uow() as uow:
        where = require_issuer(uow, issuer)
        step = review(
            uow,
            issuer=where,
            achievement_key=achievement,
            action=action,
            by=authorise_review_step(actor, where.key, achievement, action),
            comment=comment,
            version=version,
            keys=runtime.keys(uow),
        )
        uow.commit()
    return step


def review_history(
    runtime: Runtime, actor: Actor, *, issuer: str, achievement: str
) -> tuple[ReviewStep, ...]:
    """Every review step of every version, oldest first (reviewer or admin)."""
    with runtime.uow(write=False) as uow:
        where = require_issuer(uow, issuer)
        authorise(actor, where.key, *READER_ROLES, what=f"read the review history of {achievement}")
        return tuple(history(uow, issuer=where, achievement_key=achievement))


def quality_report(
    runtime: Runtime, actor: Actor, *, issuer: str, achievement: str, version: int | None = None
) -> QualityReport:
    """The quality report a reviewer reads before approving (reviewer or admin)."""
    with runtime.uow(write=False) as uow:
        where = require_issuer(uow, issuer)
        authorise(actor, where.key, *READER_ROLES, what=f"read the quality report of {achievement}")
        return quality.quality_report(
            uow,
            issuer=where,
            achievement_key=achievement,
            version=version,
            kept=runtime.caches.item_statistics,
        )


def set_review_policy(
    runtime: Runtime, actor: Actor, *, issuer: str, required: bool
) -> ReviewPolicy:
    """Whether newly loaded versions start as drafts (admin)."""
    with runtime.uow() as uow:
        where = require_issuer(uow, issuer)
        set_review_required(
            uow, where, required=required, by=authorise_review_policy(actor, where.key)
        )
        uow.commit()
    return ReviewPolicy(where.key, required)
