"""The review queue of an issuer: every achievement version by review state, with its history
and the steps the reader may take on it now, a page at a time (`PAGE_ITEMS` versions, paged
in SQL: a catalog's versions grow with every load).

The console's review page reads this; the steps themselves are `earning.reviewing`'s
`take_review_step`, so the page, the CLI and the API move a version by the same rules and
refuse the same people. Which steps are offered follows `earning.review.ACTIONS`: a step is
shown only where the version's state allows it and the reader holds one of its roles.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, case, func, select

from credstack.domain.catalog import ReviewStatus
from credstack.limits import PAGE_ITEMS
from credstack.service.achievements import achievement_of
from credstack.service.actor import Actor, authorise
from credstack.service.earning.review import ACTIONS, ReviewStep, history
from credstack.service.earning.reviewing import READER_ROLES
from credstack.service.paging import Pager, window
from credstack.service.people import require_issuer
from credstack.service.runtime import Runtime
from credstack.store.models import AchievementRow, AchievementVersionRow

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
    """This page's versions as (status, versions) in `QUEUE_ORDER`, empty states left out."""
    totals: dict[str, int]
    """How many versions are in each state, on all pages."""
    pager: Pager


def _steps(actor: Actor, issuer: str, status: str) -> tuple[str, ...]:
    return tuple(
        name
        for name, step in ACTIONS.items()
        if (step.from_status is None or step.from_status == status)
        and actor.may(issuer, *step.roles)
    )


def _rank() -> ColumnElement[int]:
    """A version's place by state in `QUEUE_ORDER` (an unknown state last)."""
    return case(
        {status.value: n for n, status in enumerate(QUEUE_ORDER)},
        value=AchievementVersionRow.status,
        else_=len(QUEUE_ORDER),
    )


def review_queue(runtime: Runtime, actor: Actor, *, issuer: str, page: int = 1) -> ReviewQueue:
    """One page of the versions of every achievement of `issuer`, by state in `QUEUE_ORDER`,
    then by name and version, paged in SQL; grouped by state (reviewer or admin)."""
    with runtime.uow(write=False) as uow:
        where = require_issuer(uow, issuer)
        authorise(actor, where.key, *READER_ROLES, what="read the review queue")
        ours = AchievementRow.issuer_id == where.id
        totals = {
            str(status): int(count)
            for status, count in uow.session.execute(
                select(AchievementVersionRow.status, func.count())
                .join(AchievementRow, AchievementRow.id == AchievementVersionRow.achievement_id)
                .where(ours)
                .group_by(AchievementVersionRow.status)
            )
        }
        offset, pager = window(sum(totals.values()), page)
        rows = uow.session.execute(
            select(AchievementVersionRow, AchievementRow.key)
            .join(AchievementRow, AchievementRow.id == AchievementVersionRow.achievement_id)
            .where(ours)
            .order_by(
                _rank(),
                func.lower(AchievementVersionRow.name),
                AchievementVersionRow.version,
                AchievementRow.key,
            )
            .offset(offset)
            .limit(PAGE_ITEMS)
        ).all()
        histories: dict[str, list[ReviewStep]] = {}
        found: dict[str, list[QueuedVersion]] = {}
        for row, key in rows:
            if key not in histories:
                histories[key] = history(uow, issuer=where, achievement_key=key)
            validity = achievement_of(uow, row).validity
            found.setdefault(row.status, []).append(
                QueuedVersion(
                    achievement=key,
                    name=row.name,
                    version=row.version,
                    status=row.status,
                    validity=str(validity) if validity is not None else None,
                    history=tuple(s for s in histories[key] if s.version == row.version),
                    steps=_steps(actor, where.key, row.status),
                )
            )
        groups = tuple((status, tuple(versions)) for status, versions in found.items())
        return ReviewQueue(where.key, where.name, where.review_required, groups, totals, pager)
