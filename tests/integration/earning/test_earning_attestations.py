"""Attestations: only a mentor of the program, only for a learner enrolled in it."""

from __future__ import annotations

from datetime import date

import pytest

from credstack.errors import Conflict, Forbidden, InvalidInput, NotFound
from credstack.store.models import AttestationRow, AwardRow
from credstack.store.uow import UnitOfWork
from tests.integration.earning.checked import attest, enrol
from tests.integration.earning.earning_helpers import (
    OPERATOR,
    acting,
    issuer_with_catalog,
    learner,
    signing_keys,
    staff,
)

PROGRAM = "management-program"
SUBJECT = "basic-supervision"
STATEMENT = "Runs weekly one-to-ones and delegates clearly; supervised a team of five."


def test_a_mentors_attestation_earns_the_microcredential_and_is_its_evidence(
    uow: UnitOfWork,
) -> None:
    acme = issuer_with_catalog(uow, "acme")
    eve = learner(uow, "eve")
    mona = staff(uow, acme, "mona@acme.example", "mentor", PROGRAM)
    enrol(
        uow,
        issuer=acme,
        learner=eve,
        program=PROGRAM,
        enrolled_on=date(2026, 1, 10),
        actor=OPERATOR,
    )
    done = attest(
        uow, signing_keys(uow),
        issuer=acme, learner=eve, attester=acting(uow, mona), program=PROGRAM,
        statement=STATEMENT, subject=SUBJECT, attested_on=date(2026, 3, 2),
    )  # fmt: skip
    assert [(a.achievement, a.version) for a in done.awarded] == [("basic-supervision", 1)]
    award = uow.session.query(AwardRow).one()
    assert award.counted == [done.record_id]
    assert award.awarded_on == date(2026, 3, 2)
    row = uow.session.query(AttestationRow).one()
    assert (row.attester_user_id, row.role, row.program, row.statement) == (
        mona.id, "mentor", PROGRAM, STATEMENT,
    )  # fmt: skip


def test_only_a_mentor_of_that_program_may_attest(uow: UnitOfWork) -> None:
    acme = issuer_with_catalog(uow, "acme")
    eve = learner(uow, "eve")
    enrol(
        uow,
        issuer=acme,
        learner=eve,
        program=PROGRAM,
        enrolled_on=date(2026, 1, 10),
        actor=OPERATOR,
    )
    other = staff(uow, acme, "olga@acme.example", "mentor", "sales-program")
    admin = staff(uow, acme, "adam@acme.example", "admin")
    for user in (other, admin):
        with pytest.raises(
            Forbidden, match=f"needs the mentor role at issuer acme for program {PROGRAM}"
        ):
            attest(
                uow, signing_keys(uow),
                issuer=acme, learner=eve, attester=acting(uow, user), program=PROGRAM,
                statement=STATEMENT, subject=SUBJECT, attested_on=date(2026, 3, 2),
            )  # fmt: skip
    assert uow.session.query(AttestationRow).count() == 0


def test_an_attestation_for_a_learner_outside_the_program_is_refused(uow: UnitOfWork) -> None:
    acme = issuer_with_catalog(uow, "acme")
    mona = staff(uow, acme, "mona@acme.example", "mentor", PROGRAM)
    with pytest.raises(Forbidden, match="zoe is not enrolled in program management-program"):
        attest(
            uow, signing_keys(uow),
            issuer=acme, learner=learner(uow, "zoe"), attester=acting(uow, mona),
            program=PROGRAM,
            statement=STATEMENT, subject=SUBJECT, attested_on=date(2026, 3, 2),
        )  # fmt: skip
    assert uow.session.query(AttestationRow).count() == 0


def test_statement_subject_and_enrolment_are_checked(uow: UnitOfWork) -> None:
    acme = issuer_with_catalog(uow, "acme")
    eve = learner(uow, "eve")
    mona = staff(uow, acme, "mona@acme.example", "mentor", PROGRAM)
    enrol(
        uow,
        issuer=acme,
        learner=eve,
        program=PROGRAM,
        enrolled_on=date(2026, 1, 10),
        actor=OPERATOR,
    )
    with pytest.raises(Conflict, match="already enrolled"):
        enrol(
            uow,
            issuer=acme,
            learner=eve,
            program=PROGRAM,
            enrolled_on=date(2026, 1, 11),
            actor=OPERATOR,
        )
    with pytest.raises(InvalidInput, match="needs a statement"):
        attest(
            uow, signing_keys(uow),
            issuer=acme, learner=eve, attester=acting(uow, mona), program=PROGRAM,
            statement="  ", subject=SUBJECT, attested_on=date(2026, 3, 2),
        )  # fmt: skip
    with pytest.raises(NotFound, match="no achievement 'juggling'"):
        attest(
            uow, signing_keys(uow),
            issuer=acme, learner=eve, attester=acting(uow, mona), program=PROGRAM,
            statement=STATEMENT, subject="juggling", attested_on=date(2026, 3, 2),
        )  # fmt: skip
    mentor_elsewhere = staff(uow, acme, "mel@acme.example", "mentor", PROGRAM)
    with pytest.raises(Forbidden, match="may not enrol learners"):
        enrol(
            uow, issuer=acme, learner=learner(uow, "fin"), program=PROGRAM,
            enrolled_on=date(2026, 1, 10), actor=acting(uow, mentor_elsewhere),
        )  # fmt: skip
