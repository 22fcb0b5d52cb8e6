"""Who may see a learner: staff with a role at an issuer where the learner has a record,
and the learner themselves.

This is the one place the rule lives; pages, the API and the CLI's `--by` paths ask it. A
record is an award, an assessment attempt, an attestation, a course completion or an
enrolment. Admins are scoped like everyone else: a role at one issuer shows nothing of a
learner known only to another. A learner one may not see is reported exactly like one that
does not exist, so the answer never tells whether the learner is registered at all.
"""

from __future__ import annotations

from sqlalchemy import CompoundSelect, select, union

from credstack.errors import NotFound
from credstack.service.actor import Actor, ActorKind
from credstack.service.learners import find_learner
from credstack.store.models import (
    AssessmentAttemptRow,
    AttestationRow,
    AwardRow,
    CourseCompletionRow,
    EnrolmentRow,
    LearnerRow,
)
from credstack.store.uow import UnitOfWork

__all__ = ["learner_issuer_ids", "learners_with_records", "may_see", "visible_learner"]

_RECORDS = (AwardRow, AssessmentAttemptRow, AttestationRow, CourseCompletionRow, EnrolmentRow)


def learner_issuer_ids(uow: UnitOfWork, learner: LearnerRow) -> set[int]:
    """The issuers that hold any record of this learner."""
    query = union(*(select(t.issuer_id).where(t.learner_id == learner.id) for t in _RECORDS))
    return set(uow.session.scalars(select(query.subquery().c[0])))


def learners_with_records(issuer_id: int) -> CompoundSelect[tuple[int]]:
    """The ids of the learners of whom the issuer holds a record (a query, not a list)."""
    return union(*(select(t.learner_id).where(t.issuer_id == issuer_id) for t in _RECORDS))


def _staff_issuer_ids(uow: UnitOfWork, actor: Actor) -> set[int]:
    keys = actor.issuers()
    return {i.id for i in uow.issuers.all() if i.key in keys}


def may_see(uow: UnitOfWork, actor: Actor, learner: LearnerRow) -> bool:
    """The operator sees every learner; staff those with a record at one of their issuers;
    a signed-in learner only themselves; nobody, no one."""
    if actor.is_operator:
        return True
    if actor.kind is ActorKind.LEARNER:
        return actor.learner_id == learner.id
    return bool(_staff_issuer_ids(uow, actor) & learner_issuer_ids(uow, learner))


def visible_learner(uow: UnitOfWork, actor: Actor, ref: str) -> LearnerRow:
    """The learner `ref` names (public id or key), if `actor` may see them; else 404."""
    learner = find_learner(uow, ref)
    if learner is None or not may_see(uow, actor, learner):
        raise NotFound(f"unknown learner {ref!r}")
    return learner
