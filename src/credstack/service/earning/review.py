"""Quality review of achievement versions: draft -> in-review -> approved -> published -> retired.

Each step is a `review_events` row (who, when, from and to, comment), so the history of how a
credential came to be issued can be shown to an accreditor. Only a published version is
issuable; when a newer version is published the older one is retired as superseded, and
credentials already issued keep pointing at the version they were issued under.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from credstack.domain.catalog import ReviewStatus
from credstack.domain.requirements import (
    AssessmentPassed,
    Attested,
    CourseCompleted,
    RubricScored,
    iter_nodes,
)
from credstack.errors import Conflict, InvalidInput, NotFound
from credstack.service import audit_trail, clock, engine
from credstack.service.achievements import achievement_of
from credstack.service.actor import Actor, Authorised, authorise
from credstack.service.keys import IssuerKeys
from credstack.store.models import (
    AchievementRow,
    AchievementVersionRow,
    IssuerRow,
    ReviewEventRow,
)
from credstack.store.uow import UnitOfWork

__all__ = [
    "ACTIONS",
    "STATUSES",
    "ReviewStep",
    "authorise_review_policy",
    "authorise_review_step",
    "history",
    "is_issuable",
    "issuable_version",
    "review",
    "set_review_required",
    "unissued_dependants",
]

STATUSES = tuple(ReviewStatus)


@dataclass(frozen=True)
class _Action:
    from_status: ReviewStatus | None
    to_status: ReviewStatus | None
    roles: tuple[str, ...]
    needs_comment: bool = False


_S = ReviewStatus
ACTIONS: dict[str, _Action] = {
    "submit": _Action(_S.DRAFT, _S.IN_REVIEW, ("admin",)),
    "approve": _Action(_S.IN_REVIEW, _S.APPROVED, ("reviewer",)),
    "send-back": _Action(_S.IN_REVIEW, _S.DRAFT, ("reviewer",), needs_comment=True),
    "publish": _Action(_S.APPROVED, _S.PUBLISHED, ("admin",)),
    "retire": _Action(_S.PUBLISHED, _S.RETIRED, ("admin",)),
    "comment": _Action(None, None, ("reviewer", "admin"), needs_comment=True),
}
"""Action -> the status it starts from and leads to, and who may take it. A comment keeps the
status; sending back needs a comment, because a reviewer's "no" must say what to change."""


@dataclass(frozen=True)
class ReviewStep:
    achievement: str
    version: int
    action: str
    from_status: str
    to_status: str
    comment: str | None
    by: str | None
    at: str


def is_issuable(version: AchievementVersionRow) -> bool:
    """Only a published version is issued: never a draft, one in review, or a retired one."""
    return version.status == ReviewStatus.PUBLISHED


def issuable_version(uow: UnitOfWork, achievement: AchievementRow) -> AchievementVersionRow | None:
    """The newest published version: while v2 is in review, v1 is still what is issued."""
    return uow.achievements.issuable(achievement)


def authorise_review_policy(actor: Actor, issuer: str) -> Authorised:
    """Only an admin turns review on or off."""
    return authorise(actor, issuer, "admin", what="change the review policy")


def set_review_required(
    uow: UnitOfWork, issuer: IssuerRow, *, required: bool, by: Authorised
) -> None:
    """From now on, newly loaded versions start as drafts (or, turned off, as published);
    `by` is the admin as `authorise_review_policy` let them."""
    by.at(issuer.key)
    issuer.review_required = required
    uow.session.flush()


def _version(
    uow: UnitOfWork, issuer: IssuerRow, key: str, number: int | None, action: str
) -> tuple[AchievementRow, AchievementVersionRow]:
    achievement = uow.achievements.by_key(issuer.id, key)
    if achievement is None:
        raise NotFound(f"issuer {issuer.key} has no achievement {key!r}")
    if number is None:
        versions = uow.achievements.versions(achievement.id)
        if action == "retire":
            published = [v for v in versions if is_issuable(v)]
            if published:
                return achievement, published[-1]
        return achievement, uow.achievements.current(achievement)
    version = uow.achievements.version(achievement.id, number)
    if version is None:
        raise NotFound(f"{key} has no version {number}")
    return achievement, version


def _action(action: str) -> _Action:
    step = ACTIONS.get(action)
    if step is None:
        raise InvalidInput(f"review action {action!r}: use one of {', '.join(ACTIONS)}")
    return step


def authorise_review_step(
    actor: Actor, issuer: str, achievement_key: str, action: str
) -> Authorised:
    """Whoever `ACTIONS` says may take `action` (an unknown action is refused first)."""
    return authorise(actor, issuer, *_action(action).roles, what=f"{action} {achievement_key}")


def review(
    uow: UnitOfWork,
    *,
    issuer: IssuerRow,
    achievement_key: str,
    action: str,
    by: Authorised,
    comment: str | None = None,
    version: int | None = None,
    keys: IssuerKeys,
) -> ReviewStep:
    """Take one review step on a version (the newest unless `version` is given).

    `by` is whoever takes it, as `authorise_review_step` let them. Publishing also awards the
    achievement to every learner whose records already meet it (signed when `keys` are given):
    their attempts may have happened while it was a draft.
    """
    step = _action(action)
    actor = by.at(issuer.key)
    comment = (comment or "").strip() or None
    if step.needs_comment and comment is None:
        raise InvalidInput(f"{action} needs a comment saying what to change or why")
    achievement, row = _version(uow, issuer, achievement_key, version, action)
    before = row.status
    after = step.to_status or before
    if step.from_status and before != step.from_status:
        raise Conflict(
            f"{achievement_key} v{row.version} is {before}; {action} applies to a version that "
            f"is {step.from_status}"
        )
    row.status = after
    uow.achievements.add(
        ReviewEventRow(
            achievement_version_id=row.id,
            action=action,
            from_status=before,
            to_status=after,
            comment=comment,
            by_user_id=actor.user_id,
        )
    )
    audit_trail.record(
        uow,
        action=f"review.{action}",
        subject=f"achievement:{issuer.key}:{achievement_key}:v{row.version}",
        details={"from": before, "to": after, "comment": comment},
        actor=f"user:{actor.label}" if actor.user_id is not None else actor.label,
    )
    if action == "publish":
        _supersede(uow, achievement, row, actor)
        engine.reconsider(
            uow, keys, issuer=issuer, achievement_key=achievement_key, as_of=clock.today(issuer)
        )
    return _step(
        uow,
        achievement_key,
        row,
        uow.session.scalars(
            select(ReviewEventRow)
            .where(ReviewEventRow.achievement_version_id == row.id)
            .order_by(ReviewEventRow.id.desc())
        ).first(),
    )


def _supersede(
    uow: UnitOfWork, achievement: AchievementRow, published: AchievementVersionRow, actor: Actor
) -> None:
    for older in uow.achievements.versions(achievement.id):
        if older.id != published.id and older.version < published.version and is_issuable(older):
            older.status = ReviewStatus.RETIRED
            uow.achievements.add(
                ReviewEventRow(
                    achievement_version_id=older.id,
                    action="superseded",
                    from_status=ReviewStatus.PUBLISHED,
                    to_status=ReviewStatus.RETIRED,
                    comment=f"superseded by v{published.version}",
                    by_user_id=actor.user_id,
                )
            )


def _step(
    uow: UnitOfWork, key: str, version: AchievementVersionRow, event: ReviewEventRow | None
) -> ReviewStep:
    assert event is not None
    user = uow.users.get(event.by_user_id) if event.by_user_id else None
    return ReviewStep(
        achievement=key,
        version=version.version,
        action=event.action,
        from_status=event.from_status,
        to_status=event.to_status,
        comment=event.comment,
        by=user.email if user else None,
        at=event.at.isoformat(),
    )


def history(uow: UnitOfWork, *, issuer: IssuerRow, achievement_key: str) -> list[ReviewStep]:
    """Every review step of every version of the achievement, oldest first."""
    achievement = uow.achievements.by_key(issuer.id, achievement_key)
    if achievement is None:
        raise NotFound(f"issuer {issuer.key} has no achievement {achievement_key!r}")
    steps: list[tuple[int, ReviewStep]] = []
    for version in uow.achievements.versions(achievement.id):
        events = uow.session.scalars(
            select(ReviewEventRow).where(ReviewEventRow.achievement_version_id == version.id)
        ).all()
        steps.extend((event.id, _step(uow, achievement_key, version, event)) for event in events)
    return [step for _, step in sorted(steps, key=lambda pair: pair[0])]


def unissued_dependants(
    uow: UnitOfWork,
    issuer: IssuerRow,
    *,
    assessment: str | None = None,
    course: bool = False,
    program: str | None = None,
) -> dict[str, tuple[str, ...]]:
    """Achievements whose route uses this kind of record but that nothing can be issued from.

    The engine leaves unpublished versions out altogether; saying so is what tells a learner
    (or a pilot's administrator) why a pass led to nothing.
    """
    found: dict[str, tuple[str, ...]] = {}
    for achievement in uow.achievements.all(issuer.id):
        current = uow.achievements.current(achievement)
        if is_issuable(current) or issuable_version(uow, achievement) is not None:
            continue
        tree = achievement_of(uow, current).requirements
        if tree is None:
            continue
        if any(_uses(node, assessment, course, program) for node in iter_nodes(tree)):
            found[achievement.key] = (
                f"{achievement.key} v{current.version} is {current.status}: nothing is issued "
                "until a version has been reviewed and published",
            )
    return found


def _uses(node: object, assessment: str | None, course: bool, program: str | None) -> bool:
    if isinstance(node, AssessmentPassed):
        return node.assessment == assessment
    if isinstance(node, RubricScored):
        return node.rubric == assessment
    if isinstance(node, CourseCompleted):
        return course
    if isinstance(node, Attested):
        return program is not None and node.program in (None, program)
    return False
