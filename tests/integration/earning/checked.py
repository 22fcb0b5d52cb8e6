"""The earning building blocks as their use cases call them: the actor checked once, then the block.

A building block takes an `Authorised` actor, never an `Actor`; these tests drive the blocks in
a test's own unit of work, so each function here asks the same `authorise_*` rule the use case
in `service.earning.recording` / `reviewing` asks, then calls the block. A refusal therefore
comes from the rule the API and the CLI meet.
"""

from __future__ import annotations

from typing import Any

from credstack.service.actor import Actor
from credstack.service.earning import attestations, courses, csv_import, results
from credstack.service.earning.csv_import import ImportReport
from credstack.service.earning.recorded import Recorded
from credstack.service.earning.review import (
    ReviewStep,
    authorise_review_policy,
    authorise_review_step,
)
from credstack.service.earning.review import review as _review
from credstack.service.earning.review import set_review_required as _set_review_required
from credstack.service.keys import KeyStore
from credstack.store.models import EnrolmentRow, IssuerRow
from credstack.store.uow import UnitOfWork

__all__ = [
    "attest",
    "enrol",
    "import_results",
    "record_course_completion",
    "record_result",
    "review",
    "set_review_required",
]


def record_result(
    uow: UnitOfWork, keys: KeyStore | None, *, actor: Actor, **given: Any
) -> Recorded:
    by = results.authorise_recording(
        actor, given["issuer"].key, given["assessment"], given["result"]
    )
    return results.record_result(uow, keys, by=by, **given)


def import_results(
    uow: UnitOfWork, keys: KeyStore | None, *, actor: Actor, **given: Any
) -> ImportReport:
    by = csv_import.authorise_importing(actor, given["issuer"].key)
    return csv_import.import_results(uow, keys, by=by, **given)


def enrol(uow: UnitOfWork, *, actor: Actor, **given: Any) -> EnrolmentRow:
    by = attestations.authorise_enrolling(actor, given["issuer"].key, given["program"])
    return attestations.enrol(uow, by=by, **given)


def attest(uow: UnitOfWork, keys: KeyStore | None, *, attester: Actor, **given: Any) -> Recorded:
    mentor = attestations.authorise_attesting(attester, given["issuer"].key, given["program"])
    return attestations.attest(uow, keys, attester=mentor, **given)


def record_course_completion(
    uow: UnitOfWork, keys: KeyStore | None, *, actor: Actor, **given: Any
) -> Recorded:
    by = courses.authorise_course_recording(actor, given["issuer"].key)
    return courses.record_course_completion(uow, keys, by=by, **given)


def review(uow: UnitOfWork, *, actor: Actor, **given: Any) -> ReviewStep:
    by = authorise_review_step(
        actor, given["issuer"].key, given["achievement_key"], given["action"]
    )
    return _review(uow, by=by, **given)


def set_review_required(
    uow: UnitOfWork, issuer: IssuerRow, *, required: bool, actor: Actor
) -> None:
    by = authorise_review_policy(actor, issuer.key)
    _set_review_required(uow, issuer, required=required, by=by)
