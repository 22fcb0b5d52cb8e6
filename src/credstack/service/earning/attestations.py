"""Programs' learners and their mentors' attestations (story 07, route 2).

"In the program" means enrolled in it: a registrar (or admin) enrols the learner in a program of
the issuer, and only a user holding the mentor role for that program (or for every program of
the issuer, a role without a scope) may attest for a learner enrolled in it. The attestation --
who, when, what statement -- is the evidence the stacking engine counts.
"""

from __future__ import annotations

import re
import uuid
from datetime import date

from sqlalchemy import select

from credstack.errors import Conflict, Forbidden, InvalidInput, NotFound
from credstack.service.actor import Actor, Authorised, authorise
from credstack.service.clock import check_day
from credstack.service.earning.recorded import Recorded
from credstack.service.earning.review import unissued_dependants
from credstack.service.earning.settling import record_then_settle
from credstack.service.keys import IssuerKeys
from credstack.store.models import AttestationRow, EnrolmentRow, IssuerRow, LearnerRow
from credstack.store.uow import UnitOfWork

__all__ = [
    "ATTESTER_ROLE",
    "attest",
    "authorise_attesting",
    "authorise_enrolling",
    "enrol",
    "enrolled",
    "enrolments",
]

ATTESTER_ROLE = "mentor"
_PROGRAM = re.compile(r"^[a-z0-9][a-z0-9._-]{0,119}$")


def _check_program(program: str) -> None:
    if not _PROGRAM.match(program):
        raise InvalidInput(
            f"program id {program!r}: use lower-case letters, digits, '.', '_' and '-'"
        )


def authorise_enrolling(actor: Actor, issuer: str, program: str) -> Authorised:
    """A registrar or admin enrols (asked before the learner is looked up)."""
    return authorise(actor, issuer, "registrar", "admin", what=f"enrol learners in {program}")


def authorise_attesting(attester: Actor, issuer: str, program: str) -> Authorised:
    """Only a mentor of the program attests, and an attestation names its mentor (a user)."""
    allowed = authorise(
        attester, issuer, ATTESTER_ROLE, what=f"attest for learners of {program}", scope=program
    )
    if attester.user_id is None:
        raise InvalidInput("an attestation must name the mentor who made it")
    return allowed


def enrolled(uow: UnitOfWork, issuer: IssuerRow, learner: LearnerRow, program: str) -> bool:
    return (
        uow.session.scalar(
            select(EnrolmentRow.id).where(
                EnrolmentRow.issuer_id == issuer.id,
                EnrolmentRow.program == program,
                EnrolmentRow.learner_id == learner.id,
            )
        )
        is not None
    )


def enrolments(uow: UnitOfWork, issuer: IssuerRow, program: str) -> list[str]:
    """Learner ids enrolled in the program, sorted."""
    return sorted(
        uow.session.scalars(
            select(LearnerRow.key)
            .join(EnrolmentRow, EnrolmentRow.learner_id == LearnerRow.id)
            .where(EnrolmentRow.issuer_id == issuer.id, EnrolmentRow.program == program)
        ).all()
    )


def enrol(
    uow: UnitOfWork,
    *,
    issuer: IssuerRow,
    learner: LearnerRow,
    program: str,
    enrolled_on: date,
    by: Authorised,
) -> EnrolmentRow:
    """Put a learner in a program, so its mentors may attest for them (`by`: as
    `authorise_enrolling` let them)."""
    actor = by.at(issuer.key)
    _check_program(program)
    check_day(enrolled_on, "enrolled_on (the enrolment date)", issuer)
    if enrolled(uow, issuer, learner, program):
        raise Conflict(f"{learner.key} is already enrolled in {program} at {issuer.key}")
    row = EnrolmentRow(
        issuer_id=issuer.id,
        program=program,
        learner_id=learner.id,
        enrolled_on=enrolled_on,
        enrolled_by_user_id=actor.user_id,
    )
    uow.session.add(row)
    uow.session.flush()
    return row


def attest(
    uow: UnitOfWork,
    keys: IssuerKeys,
    *,
    issuer: IssuerRow,
    learner: LearnerRow,
    attester: Authorised,
    program: str,
    statement: str,
    subject: str,
    attested_on: date,
) -> Recorded:
    """Record a mentor's attestation and award whatever it completes.

    `attester` is the mentor as `authorise_attesting` let them. `subject` is the achievement
    attested to (e.g. basic-supervision). Refused (403) when the learner is not enrolled in the
    program; an empty statement is 422 and an unknown subject 404.
    """
    mentor = attester.at(issuer.key)
    _check_program(program)
    check_day(attested_on, "attested_on (the attestation date)", issuer)
    if not enrolled(uow, issuer, learner, program):
        raise Forbidden(
            f"{learner.key} is not enrolled in program {program} at {issuer.key}; a mentor "
            "attests only for learners of their program"
        )
    statement = statement.strip()
    if not statement:
        raise InvalidInput("an attestation needs a statement of what the learner can do")
    if uow.achievements.by_key(issuer.id, subject) is None:
        raise NotFound(f"issuer {issuer.key} has no achievement {subject!r} to attest to")
    row = AttestationRow(
        public_id=str(uuid.uuid4()),
        learner_id=learner.id,
        issuer_id=issuer.id,
        attester_user_id=mentor.user_id,
        role=ATTESTER_ROLE,
        program=program,
        subject=subject,
        statement=statement,
        attested_on=attested_on,
    )
    return record_then_settle(
        uow,
        keys,
        row,
        learner=learner,
        issuer=issuer,
        as_of=attested_on,
        unissued=unissued_dependants(uow, issuer, program=program),
    )
