"""The earning routes' use cases: a result, an import, an enrolment, an attestation, a course.

Each is one transaction for the API, the CLI and the pages alike: it finds the issuer, checks
the actor once (before the learner is looked up, so nobody learns who is a learner by trying),
hands the building block that `Authorised` actor to keep the record with, commits, and hands
back what happened as a frozen value, so no edge touches the store.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from credstack.service import clock
from credstack.service.actor import Actor
from credstack.service.earning import attestations, courses, csv_import, results
from credstack.service.earning.csv_import import ImportReport
from credstack.service.earning.recorded import Recorded
from credstack.service.earning.results import AttemptConditions, ResultInput
from credstack.service.lookup import find_learner
from credstack.service.people import require_issuer
from credstack.service.runtime import Runtime

__all__ = [
    "Enrolment",
    "attest",
    "enrol",
    "import_results",
    "record_course_completion",
    "record_result",
]


@dataclass(frozen=True)
class Enrolment:
    learner: str
    program: str
    enrolled_on: date


def record_result(
    runtime: Runtime,
    actor: Actor,
    *,
    issuer: str,
    learner: str,
    assessment: str,
    result: ResultInput,
    conditions: AttemptConditions,
    attempt_id: str | None = None,
) -> Recorded:
    """Score and keep one attempt and award whatever it completes (see `results.record_result`)."""
    with runtime.uow() as uow:
        where = require_issuer(uow, issuer)
        by = results.authorise_recording(actor, where.key, assessment, result)
        recorded = results.record_result(
            uow,
            runtime.keys(uow),
            issuer=where,
            learner=find_learner(uow, learner),
            assessment=assessment,
            result=result,
            conditions=conditions,
            by=by,
            attempt_id=attempt_id,
        )
        uow.commit()
    return recorded


def import_results(
    runtime: Runtime,
    actor: Actor,
    *,
    issuer: str,
    text: str,
    partial: bool = False,
    add_learners: bool = False,
) -> ImportReport:
    """Import a CSV export; a partial import commits in batches as it goes (its checkpoints),
    a rejected file raises `ImportRejected` and leaves nothing behind."""
    with runtime.uow() as uow:
        where = require_issuer(uow, issuer)
        by = csv_import.authorise_importing(actor, where.key)
        report = csv_import.import_results(
            uow,
            runtime.keys(uow),
            issuer=where,
            text=text,
            partial=partial,
            add_learners=add_learners,
            by=by,
            checkpoint=uow.checkpoint,
        )
        uow.commit()
    return report


def enrol(
    runtime: Runtime,
    actor: Actor,
    *,
    issuer: str,
    learners: Sequence[str],
    program: str,
    enrolled_on: date | None = None,
) -> tuple[Enrolment, ...]:
    """Enrol learners in a program, all or none; the day defaults to today at the issuer."""
    with runtime.uow() as uow:
        where = require_issuer(uow, issuer)
        by = attestations.authorise_enrolling(actor, where.key, program)
        day = enrolled_on or clock.today(where)
        made = []
        for key in learners:
            row = attestations.enrol(
                uow,
                issuer=where,
                learner=find_learner(uow, key),
                program=program,
                enrolled_on=day,
                by=by,
            )
            made.append(Enrolment(key, row.program, row.enrolled_on))
        uow.commit()
    return tuple(made)


def attest(
    runtime: Runtime,
    attester: Actor,
    *,
    issuer: str,
    learner: str,
    program: str,
    achievement: str,
    statement: str,
    attested_on: date | None = None,
) -> Recorded:
    """The attesting mentor's statement that a learner of their program has the achievement's
    skill; the day defaults to today at the issuer."""
    with runtime.uow() as uow:
        where = require_issuer(uow, issuer)
        mentor = attestations.authorise_attesting(attester, where.key, program)
        recorded = attestations.attest(
            uow,
            runtime.keys(uow),
            issuer=where,
            learner=find_learner(uow, learner),
            attester=mentor,
            program=program,
            statement=statement,
            subject=achievement,
            attested_on=attested_on or clock.today(where),
        )
        uow.commit()
    return recorded


def record_course_completion(
    runtime: Runtime,
    actor: Actor,
    *,
    issuer: str,
    learner: str,
    provider: str,
    course: str,
    hours: Decimal | str,
    completed_on: date | None = None,
    grade: str | None = None,
    credits: Decimal | str | None = None,
    external_id: str | None = None,
) -> Recorded:
    """Keep a course completion and award whatever it completes; the day defaults to today."""
    with runtime.uow() as uow:
        where = require_issuer(uow, issuer)
        by = courses.authorise_course_recording(actor, where.key)
        recorded = courses.record_course_completion(
            uow,
            runtime.keys(uow),
            issuer=where,
            learner=find_learner(uow, learner),
            provider=provider,
            course=course,
            hours=hours,
            completed_on=completed_on or clock.today(where),
            grade=grade,
            credits=credits,
            external_id=external_id,
            by=by,
        )
        uow.commit()
    return recorded
