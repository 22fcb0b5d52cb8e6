"""The nightly re-evaluation on SQLite and PostgreSQL: records no one settled become awards
(with their credential and e-mail), end dates expire awards, due CE cycles close, reminders
are queued, and a second run the same day changes nothing."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from credstack.config import Settings
from credstack.errors import Forbidden, InvalidInput
from credstack.service.actor import Actor, RoleGrant
from credstack.service.caches import Caches
from credstack.service.keys import KeyStore
from credstack.service.learners import set_profile
from credstack.service.mail.kinds import AWARDED, CE_REMINDER, EXPIRED
from credstack.service.records import load_records, records_of
from credstack.service.reevaluation import Reevaluation, reevaluate
from credstack.service.runtime import Runtime
from credstack.store.models import (
    AssessmentAttemptRow,
    AwardRow,
    CeCycleRow,
    LearnerRow,
    OutboxMessageRow,
)
from credstack.store.secrets import MasterKey
from credstack.store.uow import UnitOfWork, UnitOfWorkFactory
from tests.conftest import MigratedDatabases
from tests.stories.driver import BASE as STORY_BASE
from tests.stories.driver import Story

RUN_ON = date(2025, 6, 1)
OPERATOR = Actor.operator()
CCRP_EXAMS = ("gcp-exam", "consent-exam", "ae-exam", "close-out-exam")


@pytest.fixture
def runtime(
    units: UnitOfWorkFactory,
    migrated: MigratedDatabases,
    backend: str,
    master_key: MasterKey,
    tmp_path: Path,
) -> Runtime:
    settings = Settings(tmp_path, "unused://", "https://badges.example.org")
    return Runtime(settings, migrated.engine(backend), units, master_key, Caches())


def _unsettled_pass(story: Story, learner: str, assessment: str, on: date) -> None:
    """A proctored, identity-checked pass written straight to the store (an import from an
    exam platform, say): nothing settles it, so no award follows until the nightly run."""
    issuer = story.issuer("ccrb")
    row = story.uow.assessments.by_key(issuer.id, assessment)
    assert row is not None
    version = story.uow.assessments.current(row)
    assert version is not None
    at = datetime.combine(on, time(9), tzinfo=UTC)
    story.uow.records.add(
        AssessmentAttemptRow(
            public_id=str(uuid.uuid4()),
            learner_id=story.learner(learner).id,
            issuer_id=issuer.id,
            assessment_version_id=version.id,
            source="external",
            sat_at=at,
            raw_score=90,
            max_score=100,
            percent=90,
            passed=True,
            proctoring="in_person",
            identity_method="photo-id",
            identity_verified_at=at,
        )
    )


@pytest.fixture
def story(units: UnitOfWorkFactory, master_key: MasterKey) -> Iterator[Story]:
    """Ana passed the four CCRP exams unsettled; Ben's CCRP cycle ended short before the run;
    Cleo's ends 29 days after it; Wren's Wound Care Nurse ended on 2025-01-09."""
    with units() as uow:
        story = Story(uow, KeyStore(uow, master_key, STORY_BASE))
        story.load("clinical-research-board.yaml", "wound-care-board.yaml")
        for who in ("ana", "ben", "cleo", "wren"):
            set_profile(uow, story.learner(who), name=who.title(), email=f"{who}@example.org")
        for exam in CCRP_EXAMS:
            _unsettled_pass(story, "ana", exam, date(2025, 5, 1))
        story.award("ben", "ccrb", "ccrp", date(2022, 1, 10))
        story.award("cleo", "ccrb", "ccrp", date(2022, 7, 1))
        story.award("wren", "wcb", "wound-care-nurse", date(2020, 1, 10))
        uow.commit()
        yield story


def _kinds(uow: UnitOfWork) -> dict[str, int]:
    uow.session.expire_all()
    rows = uow.session.execute(
        select(OutboxMessageRow.kind, func.count()).group_by(OutboxMessageRow.kind)
    )
    return {str(row[0]): int(row[1]) for row in rows}


def _figures(done: Reevaluation) -> tuple[int, int, int, int, int, int]:
    return (
        done.learners,
        done.granted,
        done.expired,
        done.cycles_renewed,
        done.cycles_lapsed,
        done.reminders_queued,
    )


@pytest.mark.parametrize("batch", [2, 500])
def test_one_run_awards_expires_closes_and_reminds_and_a_second_changes_nothing(
    story: Story, runtime: Runtime, batch: int
) -> None:
    before = _kinds(story.uow)
    done = reevaluate(runtime, OPERATOR, issuer=None, as_of=RUN_ON, batch=batch)
    # Ana: the four microcredentials, and CCRP, which they complete (a cascade in one run).
    assert _figures(done) == (4, 5, 1, 0, 1, 1)
    assert done.seconds > 0 and done.learners_per_second > 0
    uow = story.uow
    uow.session.expire_all()
    ana = uow.awards.for_learner(story.learner("ana").id)
    assert len(ana) == 5 and {a.awarded_on for a in ana} == {RUN_ON}
    assert all(a.credential is not None and a.origin == "automatic" for a in ana)
    ccrp = story.holds("ana", "ccrb", "ccrp", RUN_ON)
    assert ccrp is not None and len(ccrp.counted) == 4
    assert uow.records.cycles(ccrp.id)[0].starts_on == RUN_ON  # its CE cycle opened
    [ben] = uow.awards.for_learner(story.learner("ben").id)
    assert ben.status == "expired" and "hours short" in (ben.status_reason or "")
    [wren] = uow.awards.for_learner(story.learner("wren").id)
    assert (wren.status, wren.status_reason) == ("expired", "validity ended on 2025-01-09")
    after = _kinds(uow)
    assert after[AWARDED] - before[AWARDED] == 5
    assert (after[EXPIRED], after[CE_REMINDER]) == (2, 1)  # Ben's lapse, Wren's end; Cleo

    again = reevaluate(runtime, OPERATOR, issuer=None, as_of=RUN_ON, batch=batch)
    assert _figures(again) == (4, 0, 0, 0, 0, 0)
    assert _kinds(uow) == after
    assert uow.session.scalar(select(func.count()).select_from(AwardRow)) == 8


def test_a_revoked_or_lapsed_award_is_not_made_again_overnight(
    story: Story, runtime: Runtime
) -> None:
    reevaluate(runtime, OPERATOR, issuer="ccrb", as_of=RUN_ON)
    gcp = story.holds("ana", "ccrb", "gcp-essentials", RUN_ON)
    assert gcp is not None
    story.revoke(gcp, "exam sat by proxy", RUN_ON)
    story.uow.commit()
    done = reevaluate(runtime, OPERATOR, issuer="ccrb", as_of=RUN_ON)
    assert done.granted == 0
    assert story.holds("ana", "ccrb", "gcp-essentials", RUN_ON) is None


def test_one_issuer_at_a_time_and_only_what_has_happened(story: Story, runtime: Runtime) -> None:
    done = reevaluate(runtime, OPERATOR, issuer="wcb", as_of=RUN_ON)
    assert (done.granted, done.expired, done.cycles_closed) == (0, 1, 0)
    story.uow.session.expire_all()
    open_cycles = story.uow.session.scalar(
        select(func.count()).select_from(CeCycleRow).where(CeCycleRow.status == "open")
    )
    assert open_cycles == 2  # CCRB's cycles are untouched
    with pytest.raises(InvalidInput, match="in the future"):
        reevaluate(runtime, OPERATOR, issuer="ccrb", as_of=date(2099, 1, 1))
    staff = Actor.staff(1, "ops@example.org", frozenset({RoleGrant("ccrb", "registrar")}))
    with pytest.raises(Forbidden):
        reevaluate(runtime, staff, issuer=None, as_of=RUN_ON)
    with pytest.raises(Forbidden):
        reevaluate(runtime, staff, issuer="ccrb", as_of=RUN_ON)
    with pytest.raises(InvalidInput):
        reevaluate(runtime, OPERATOR, issuer="ccrb", as_of=RUN_ON, batch=0)


def test_the_batch_reader_gives_what_load_records_gives(story: Story, runtime: Runtime) -> None:
    reevaluate(runtime, OPERATOR, issuer=None, as_of=RUN_ON)
    story.uow.session.expire_all()
    for issuer in ("ccrb", "wcb"):
        perspective = story.issuer(issuer)
        learners = [story.learner(who) for who in ("ana", "ben", "cleo", "wren")]
        batch = records_of(story.uow, [learner.id for learner in learners], perspective)
        for learner in learners:
            one = load_records(story.uow, learner, perspective).items
            assert batch[learner.id] == one and one
        # Read by id range, as the nightly run reads a keyset batch: the same records.
        everyone = story.uow.session.scalars(select(LearnerRow).order_by(LearnerRow.id)).all()
        ids = [learner.id for learner in everyone]
        spanned = records_of(story.uow, ids, perspective, span=(ids[0] - 1, ids[-1]))
        for learner in everyone:
            assert spanned[learner.id] == load_records(story.uow, learner, perspective).items
