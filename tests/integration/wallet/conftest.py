"""A runtime over the test's rolled-back database, and a record to put in wallets: Ben holds
two CCRP microcredentials and the CCRP itself (with a CE cycle); Ana holds one microcredential."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest

from credstack.config import Settings
from credstack.service import clock
from credstack.service.actor import Actor
from credstack.service.caches import Caches
from credstack.service.learners import set_profile
from credstack.service.people import add_user, grant_role, issue_token, staff_actor
from credstack.service.runtime import Runtime
from credstack.store.uow import UnitOfWorkFactory
from tests.conftest import MASTER_KEY, MigratedDatabases
from tests.stories.driver import BASE, Story


@pytest.fixture
def runtime(
    units: UnitOfWorkFactory, backend: str, migrated: MigratedDatabases, tmp_path: Path
) -> Runtime:
    settings = Settings(tmp_path, "sqlite://", BASE)
    return Runtime(settings, migrated.engine(backend), units, MASTER_KEY, Caches())


@dataclass(frozen=True)
class Seeded:
    ben: Actor
    ana: Actor
    admin: Actor
    gcp: str
    consent: str
    ccrp: str
    ana_gcp: str
    ccrp_on: date
    admin_token: str
    ben_id: str
    ana_id: str


def seed(runtime: Runtime) -> Seeded:
    on = clock.utc_today() - timedelta(days=40)
    with runtime.uow() as uow:
        story = Story(uow, runtime.keys(uow))
        story.load("clinical-research-board.yaml")
        gcp = story.award("ben", "ccrb", "gcp-essentials", on)
        consent = story.award("ben", "ccrb", "informed-consent", on + timedelta(days=1))
        ccrp = story.award("ben", "ccrb", "ccrp", on + timedelta(days=2))
        ana_gcp = story.award("ana", "ccrb", "gcp-essentials", on)
        ben, ana = story.learner("ben"), story.learner("ana")
        set_profile(uow, ben, name="Benedikt Brandt", email="ben@example.org")
        set_profile(uow, ana, name="Ana Lima", email="ana@example.org")
        user = add_user(uow, email="admin@ccrb.example", name="CCRB admin")
        grant_role(uow, user=user, issuer=story.issuer("ccrb"), role="admin")
        admin = staff_actor(uow, "admin@ccrb.example")
        seeded = Seeded(
            ben=Actor.learner(ben.id, "ben"),
            ana=Actor.learner(ana.id, "ana"),
            admin=admin,
            gcp=gcp.public_id,
            consent=consent.public_id,
            ccrp=ccrp.public_id,
            ana_gcp=ana_gcp.public_id,
            ccrp_on=on + timedelta(days=2),
            admin_token=issue_token(uow, user=user, name="test"),
            ben_id=ben.public_id,
            ana_id=ana.public_id,
        )
        uow.commit()
    return seeded
