"""One active award per learner and version, in the service and in the database itself."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError

from credstack.service.awards import AlreadyHeld, grant_award
from credstack.store.models import AwardRow, LearnerRow
from credstack.store.secrets import MasterKey
from credstack.store.uow import UnitOfWork
from tests.integration.issuance.factories import Ccrb


def _ccrp(board: Ccrb, learner: LearnerRow, on: date) -> AwardRow:
    return grant_award(
        board.uow,
        issuer=board.issuer,
        learner=learner,
        achievement_key="ccrp",
        awarded_on=on,
        keys=board.keys,
    )


def test_a_second_grant_names_the_award_held(uow: UnitOfWork, master_key: MasterKey) -> None:
    board = Ccrb(uow, master_key)
    ana = board.learner("ana")
    first = _ccrp(board, ana, date(2026, 1, 5))
    with pytest.raises(AlreadyHeld) as refused:
        _ccrp(board, ana, date(2026, 6, 1))
    assert refused.value.http_status == 409 and refused.value.award_id == first.public_id


def test_an_award_past_its_validity_gives_way_to_a_new_one(
    uow: UnitOfWork, master_key: MasterKey
) -> None:
    board = Ccrb(uow, master_key)
    ana = board.learner("ana")
    old = _ccrp(board, ana, date(2020, 1, 5))
    assert old.valid_until == date(2023, 1, 4) and old.status == "active"
    new = _ccrp(board, ana, date(2024, 2, 1))
    assert (old.status, new.status) == ("expired", "active")
    assert old.status_reason == "validity ended on 2023-01-04"


def test_the_database_refuses_a_second_active_award(uow: UnitOfWork, master_key: MasterKey) -> None:
    board = Ccrb(uow, master_key)
    ana = board.learner("ana")
    first = _ccrp(board, ana, date(2026, 1, 5))

    def twin(public_id: str) -> AwardRow:
        return AwardRow(
            public_id=public_id,
            learner_id=ana.id,
            issuer_id=board.issuer.id,
            achievement_version_id=first.achievement_version_id,
            awarded_on=first.awarded_on,
            status="active",
        )

    savepoint = uow.session.begin_nested()
    with pytest.raises(IntegrityError):
        uow.awards.add(twin("twin"))
    savepoint.rollback()
    first.status = "revoked"  # history does not count: a revoked award leaves room for one
    uow.session.flush()
    uow.awards.add(twin("again"))
