"""Course completions recorded for a training provider (story 04's training, story 07 route 3).

The provider is an id that routes can name as approved (`providers: [ccrb-academy]`); the
hours, date and optional grade and credits are what routes and degree audits judge.
"""

from __future__ import annotations

import re
import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from credstack.domain.quantities import AmountError, exact, parse_amount
from credstack.errors import Conflict, InvalidInput
from credstack.service.actor import Actor, Authorised, authorise
from credstack.service.clock import check_day
from credstack.service.earning.recorded import Recorded
from credstack.service.earning.review import unissued_dependants
from credstack.service.earning.settling import record_then_settle
from credstack.service.keys import IssuerKeys
from credstack.store.models import CourseCompletionRow, IssuerRow, LearnerRow
from credstack.store.uow import UnitOfWork

__all__ = ["authorise_course_recording", "record_course_completion"]

_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,119}$")
_MAX_HOURS = 10_000
_MAX_CREDITS = 1_000


def authorise_course_recording(actor: Actor, issuer: str) -> Authorised:
    """A registrar or admin records completions (asked before the learner is looked up)."""
    return authorise(actor, issuer, "registrar", "admin", what="record course completions")


def record_course_completion(
    uow: UnitOfWork,
    keys: IssuerKeys,
    *,
    issuer: IssuerRow,
    learner: LearnerRow,
    provider: str,
    course: str,
    hours: Decimal | int | float | str,
    completed_on: date,
    grade: str | None = None,
    credits: Decimal | int | float | str | None = None,
    external_id: str | None = None,
    by: Authorised,
) -> Recorded:
    """Keep a completion and award whatever it completes; `external_id` makes it idempotent.

    `by` is the recorder as `authorise_course_recording` let them."""
    actor = by.at(issuer.key)
    problems = []
    if not _ID.match(provider):
        problems.append(f"provider id {provider!r}: use lower-case letters, digits, '.', '_', '-'")
    if not _ID.match(course):
        problems.append(f"course id {course!r}: use lower-case letters, digits, '.', '_', '-'")
    # Hours and credits are kept exactly as given, in hundredths at most.
    exact_hours = exact_credits = None
    try:
        exact_hours = parse_amount(hours, places=2, maximum=_MAX_HOURS, what="hours")
        if exact_hours == 0:
            problems.append("hours must be more than 0")
    except AmountError as exc:
        problems.append(str(exc))
    if credits is not None:
        try:
            exact_credits = parse_amount(credits, places=2, maximum=_MAX_CREDITS, what="credits")
        except AmountError as exc:
            problems.append(str(exc))
    if problems or exact_hours is None:
        raise InvalidInput("; ".join(problems))
    check_day(completed_on, "completed_on (the completion date)", issuer)
    if external_id is not None:
        existing = uow.session.scalar(
            select(CourseCompletionRow).where(
                CourseCompletionRow.issuer_id == issuer.id,
                CourseCompletionRow.external_id == external_id,
            )
        )
        if existing is not None:
            same = (existing.learner_id, existing.course, exact(existing.hours)) == (
                learner.id,
                course,
                exact_hours,
            )
            if same:
                return Recorded(f"course:{existing.public_id}", duplicate=True)
            raise Conflict(f"completion {external_id} was already recorded with different content")
    row = CourseCompletionRow(
        public_id=str(uuid.uuid4()),
        learner_id=learner.id,
        issuer_id=issuer.id,
        external_id=external_id,
        provider=provider,
        course=course,
        hours=float(exact_hours),
        grade=grade,
        credits=None if exact_credits is None else float(exact_credits),
        completed_on=completed_on,
        recorded_by_user_id=actor.user_id,
    )
    return record_then_settle(
        uow,
        keys,
        row,
        learner=learner,
        issuer=issuer,
        as_of=completed_on,
        unissued=unissued_dependants(uow, issuer, course=True),
    )
