"""The review queue of an issuer: every achievement version by review state, with its history
and the steps the reader may take on it now.

The console's review page reads this; the steps themselves are `earning.reviewing`'s
`take_review_step`, so the page, the CLI and the API move a version by the same rules and
refuse the same people. Which steps are offered follows `earning.review.ACTIONS`: a step is
shown only where the version's state allows it and the reader holds one of its roles.
"""

from __future__ import annotations

from dataclasses import dataclass

from credstack.domain.catalog import ReviewStatus
from credstack.service.achievements import achievement_of
from credstack.service.actor import Actor, authorise
from credstack.service.earning.review import ACTIONS, ReviewStep, history
from credstack.service.earning.reviewing import READER_ROLES
from credstack.service.people import require_issuer
from credstack.service.runtime import Runtime

__all__ = ["QUEUE_ORDER", "QueuedVersion", "ReviewQueue", "review_queue"]

QUEUE_ORDER = (
    ReviewStatus.IN_REVIEW,
    ReviewStatus.APPROVED,
    ReviewStatus.DRAFT,
    ReviewStatus.PUBLISHED,
    ReviewStatus.RETIRED,
)
"""What waits for someone first: a reviewer's work, then the publisher's, then drafts."""


@dataclass(frozen=True)
class QueuedVersion:
    achievement: str
    """The achievement's key: what the step forms name (the page shows `name`)."""
    name: str
    version: int
    status: str
    validity: str | None
    """How long an award stays valid, in words ("5 years"), or None for no end."""
    history: tuple[ReviewStep, ...]
    """This version's review steps, oldest first."""
    steps: tuple[str, ...]
    """The review actions the reader may take on this version now."""


@dataclass(frozen=True)
class ReviewQueue:
    issuer: str
    issuer_name: str
    review_required: bool
    groups: tuple[tuple[str, tuple[QueuedVersion, ...]], ...]
    """(status, versions) in `QUEUE_ORDER`, empty states left out."""


def _steps(actor: Actor, issuer: str, status: str) -> tuple[str, ...]:
    return tuple(
        name
        for name, step in ACTIONS.items()
        if (step.from_status is None or step.from_status == status)
        and actor.may(issuer, *step.roles)
    )


def review_queue(runtime: Runtime, actor: Actor, *, issuer: str) -> ReviewQueue:
    """Every version of every achievement of `issuer`, grouped by state (reviewer or admin)."""
    with runtime.uow(write=False) as uow:
        where = require_issuer(uow, issuer)
        authorise(actor, where.key, *READER_ROLES, what="read the review queue")
        found: dict[str, list[QueuedVersion]] = {status: [] for status in QUEUE_ORDER}
        for achievement in sorted(uow.achievements.all(where.id), key=lambda a: a.key):
            steps = history(uow, issuer=where, achievement_key=achievement.key)
            for row in uow.achievements.versions(achievement.id):
                validity = achievement_of(uow, row).validity
                found.setdefault(row.status, []).append(
                    QueuedVersion(
                        achievement=achievement.key,
                        name=row.name,
                        version=row.version,
                        status=row.status,
                        validity=str(validity) if validity is not None else None,
                        history=tuple(s for s in steps if s.version == row.version),
                        steps=_steps(actor, where.key, row.status),
                    )
                )
        groups = tuple(
            (status, tuple(sorted(versions, key=lambda v: (v.name.casefold(), v.version))))
            for status, versions in found.items()
            if versions
        )
        return ReviewQueue(where.key, where.name, where.review_required, groups)
