"""Small factories for the earning-route tests: issuers from the example catalogs, people."""

from __future__ import annotations

import weakref
from datetime import UTC, datetime
from pathlib import Path

from credstack.domain.records import Proctoring
from credstack.service.actor import Actor
from credstack.service.catalog import load_catalog
from credstack.service.earning import AttemptConditions
from credstack.service.keys import MemoryKeys
from credstack.service.people import add_issuer, add_learner, add_user, grant_role, staff_actor
from credstack.store.models import IssuerRow, LearnerRow, UserRow
from credstack.store.uow import UnitOfWork
from tests.helpers import Cli

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def tmcb_cli(data_dir: Path, database_url: str) -> Cli:
    """The real CLI on a fresh data dir: the tropical-medicine board's catalog and learner Ada."""
    cli = Cli(data_dir, database_url)
    cli.ok("init")
    cli.ok("issuer", "add", "tmcb", "--name", "Tropical Medicine Certification Body")
    cli.ok("catalog", "load", str(EXAMPLES / "tropical-medicine-board.yaml"), "--issuer", "tmcb")
    cli.ok("learner", "add", "ada", "--name", "Ada Mensah")
    return cli


BASE = "https://credstack.test"
CATALOGS = {
    "tmcb": "tropical-medicine-board.yaml",
    "acme": "acme-management.yaml",
    "solar-trades": "solar-trade-association.yaml",
    "ccrb": "clinical-research-board.yaml",
    "northwind": "northwind-data-academy.yaml",
}


_KEYS: weakref.WeakKeyDictionary[UnitOfWork, MemoryKeys] = weakref.WeakKeyDictionary()


def signing_keys(uow: UnitOfWork) -> MemoryKeys:
    """The issuers' keys, in memory: every award here is signed, and these tests have nothing
    to say about sealing (the issuance and key tests use the sealed `KeyStore`). One per unit
    of work, so the keys that `issuer_with_catalog` made are the ones that sign."""
    keys = _KEYS.get(uow)
    if keys is None:
        keys = _KEYS[uow] = MemoryKeys(uow, BASE)
    return keys


def issuer_with_catalog(uow: UnitOfWork, key: str, *, review_required: bool = False) -> IssuerRow:
    issuer = add_issuer(uow, signing_keys(uow), key=key, name=key.upper())
    issuer.review_required = review_required
    text = (EXAMPLES / CATALOGS[key]).read_text()
    load_catalog(uow, issuer_key=key, text=text, source=CATALOGS[key])
    return issuer


def learner(uow: UnitOfWork, key: str) -> LearnerRow:
    return add_learner(uow, key=key, name=key.title())


def staff(uow: UnitOfWork, issuer: IssuerRow, email: str, role: str, scope: str = "") -> UserRow:
    user = uow.users.by_email(email) or add_user(uow, email=email, name=email.split("@")[0])
    grant_role(uow, user=user, issuer=issuer, role=role, scope=scope)
    return user


def at(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def proctored(day: str) -> AttemptConditions:
    return AttemptConditions(
        sat_at=at(day),
        proctoring=Proctoring.IN_PERSON,
        proctored_by="Test Centre Lyon",
        identity_method="government-id",
        identity_verified_by="Test Centre Lyon",
    )


OPERATOR = Actor.operator()
"""The installation's operator: what the CLI acts as without `--by`."""


def acting(uow: UnitOfWork, user: UserRow) -> Actor:
    """The user as the actor services take, with their roles as they are now."""
    return staff_actor(uow, user.email)
